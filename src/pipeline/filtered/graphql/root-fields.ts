import {
  getArgumentValues,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { GatewayError } from '../../../errors/index.js';
import { MLFLOW_SCHEMA } from './document.js';
import type { GraphQLSchema } from 'graphql';

export interface RootField {
  readonly node: FieldNode;
  /** The response key (alias or name), for messages. */
  readonly key: string;
  readonly name: string;
  readonly parent: GraphQLObjectType;
  /** The field's coerced arguments (every value is a literal by now: variables were inlined). */
  readonly args: Record<string, unknown>;
}

/** More root fields than this is refused before any lookup (MLflow's own default limit is 10). */
export const MAX_ROOT_FIELDS = 50;

/**
 * Every root field the operation would execute, through inline fragments and fragment spreads.
 * @skip/@include are ignored on purpose: a field is checked whether or not it would run.
 */
export function rootFields(doc: DocumentNode, op: OperationDefinitionNode, schema: GraphQLSchema = MLFLOW_SCHEMA): RootField[] {
  const parent = op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : null;
  if (!parent) throw new GatewayError('GW_DENIED', `GraphQL ${op.operation} operations are not allowed`);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const out: RootField[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (out.length >= MAX_ROOT_FIELDS) throw new GatewayError('GW_BAD_REQUEST', `GraphQL request refused: more than ${MAX_ROOT_FIELDS} root fields`);
        const name = s.name.value;
        const def = parent.getFields()[name];
        // Validation already refused unknown fields; introspection meta-fields have no definition here.
        const args = def ? getArgumentValues(def, s) : {};
        out.push({ node: s, key: s.alias?.value ?? name, name, parent, args });
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else {
        const f = fragments.get(s.name.value);
        // A fragment spread twice at the root is the same nodes: check them once.
        if (f && !seen.has(f.name.value)) {
          seen.add(f.name.value);
          walk(f.selectionSet);
        }
      }
    }
  };
  walk(op.selectionSet);
  return out;
}
