import {
  astFromValue,
  getOperationAST,
  getVariableValues,
  Kind,
  parse,
  typeFromAST,
  validate,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { GatewayError } from '../../../errors/index.js';
import { graphqlDepthWithin, tooDeep } from '../../json-depth.js';
import { PINNED_GRAPHQL_SCHEMA } from './select.js';

// Turns a client's GraphQL request into ONE self-contained operation the gateway can check and
// MLflow will execute exactly as checked:
//   * parsed with a token limit, validated against MLflow's own schema (unknown fields, wrong
//     argument types, bad fragments → refused);
//   * only the selected operation and the fragments it uses are kept (other operations in the
//     document can neither run nor be confused with the checked one);
//   * variables are coerced by graphql-js and written into the document as literals, and the
//     request goes upstream without `variables`: MLflow's graphql-core never interprets a value
//     the gateway did not see. (Coercion differences between the two libraries cannot change
//     what is checked, only make MLflow refuse a literal.)

/** The pinned MLflow's schema; requests are validated against the schema of the MLflow behind (select.ts). */
export const MLFLOW_SCHEMA: GraphQLSchema = PINNED_GRAPHQL_SCHEMA;

/** Bounds the parser's work before validation (MLflow's own limits apply again upstream). */
const MAX_TOKENS = 20_000;

export interface GraphqlRequest {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName: string | undefined;
}

/** The JSON body fields MLflow's _graphql reads (query, variables, operationName). */
export function graphqlRequestOf(body: Record<string, unknown>): GraphqlRequest {
  const { query, variables, operationName } = body;
  if (typeof query !== 'string' || query.trim() === '') throw new GatewayError('GW_BAD_BODY', 'A GraphQL request needs a `query` string');
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    throw new GatewayError('GW_BAD_BODY', 'GraphQL `variables` must be a JSON object');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw new GatewayError('GW_BAD_BODY', 'GraphQL `operationName` must be a string');
  }
  return { query, variables: (variables ?? {}) as Record<string, unknown>, operationName: operationName ?? undefined };
}

export interface PreparedOperation {
  /** The selected operation plus the fragments it uses, with every variable inlined. */
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly operationName: string | undefined;
}

function refuse(message: string): never {
  throw new GatewayError('GW_BAD_REQUEST', `GraphQL request refused: ${message}`);
}

/** `schema`: the GraphQL schema of the MLflow behind the gateway (select.ts). */
export function prepareOperation(r: GraphqlRequest, schema: GraphQLSchema = MLFLOW_SCHEMA): PreparedOperation {
  // Both parsers (graphql-js here, graphql-core in MLflow) recurse per nesting level: bound it first.
  if (!graphqlDepthWithin(r.query)) throw tooDeep('GraphQL document');
  let doc: DocumentNode;
  try {
    doc = parse(r.query, { noLocation: true, maxTokens: MAX_TOKENS });
  } catch (err) {
    refuse((err as Error).message);
  }
  const errors = validate(schema, doc);
  if (errors.length > 0) refuse(errors.slice(0, 3).map((e) => e.message).join('; '));
  const op = getOperationAST(doc, r.operationName);
  if (!op) refuse(r.operationName ? `no operation named ${JSON.stringify(r.operationName)}` : 'the document has several operations and no operationName');
  const coerced = getVariableValues(schema, op.variableDefinitions ?? [], r.variables, { maxErrors: 5 });
  if (coerced.errors) refuse(coerced.errors.map((e) => e.message).join('; '));

  const varTypes = new Map<string, GraphQLInputType>();
  for (const def of op.variableDefinitions ?? []) {
    const t = typeFromAST(schema, def.type);
    if (t) varTypes.set(def.variable.name.value, t as GraphQLInputType);
  }
  const literalOf = (name: string): ValueNode | undefined => {
    if (!Object.prototype.hasOwnProperty.call(coerced.coerced, name)) return undefined;
    const type = varTypes.get(name);
    const lit = type ? astFromValue(coerced.coerced[name], type) : null;
    return lit ?? { kind: Kind.NULL };
  };

  const fragments = usedFragments(doc, op.selectionSet);
  const trimmed: DocumentNode = { kind: Kind.DOCUMENT, definitions: [{ ...op, variableDefinitions: [] }, ...fragments] };
  const inlined = visit(trimmed, {
    // An unset variable (nullable, no default) means "absent": drop the argument or input field;
    // in a list it is null (graphql-js's own execution does the same).
    Argument: (node) => (node.value.kind === Kind.VARIABLE && literalOf(node.value.name.value) === undefined ? null : undefined),
    ObjectField: (node) => (node.value.kind === Kind.VARIABLE && literalOf(node.value.name.value) === undefined ? null : undefined),
    Variable: (node) => literalOf(node.name.value) ?? { kind: Kind.NULL },
  });
  const operation = inlined.definitions[0] as OperationDefinitionNode;
  return { document: inlined, operation, operationName: op.name?.value };
}

/** The fragment definitions `selectionSet` reaches, directly or through other fragments. */
export function usedFragments(doc: DocumentNode, selectionSet: SelectionSetNode): FragmentDefinitionNode[] {
  const byName = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) byName.set(d.name.value, d);
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (set: SelectionSetNode | undefined): void => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = byName.get(s.name.value);
        if (f && !used.has(f.name.value)) {
          used.set(f.name.value, f);
          walk(f.selectionSet);
        }
      } else walk(s.selectionSet);
    }
  };
  walk(selectionSet);
  return [...used.values()];
}
