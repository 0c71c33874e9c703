import { randomBytes } from 'node:crypto';
import {
  getNamedType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  astFromValue,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
} from 'graphql';
import type { Resource } from '../../../policy/index.js';
import { isObject } from '../json.js';
import type { RequestAccess } from '../readable.js';
import type { Rewrites } from './checks.js';
import { MLFLOW_SCHEMA } from './document.js';
import type { RootField } from './root-fields.js';

// Model versions reach a GraphQL answer two ways (mlflowSearchModelVersions and
// MlflowRunExtension.modelVersions) and belong to registered models the caller may not read.
// The gateway cannot know which before MLflow answers, so it post-filters: every selection of an
// MlflowModelVersion list gets one extra field, `<nonce>: name`, under a random per-request alias
// no client can predict or collide with; in the answer, each object carrying that alias is kept
// only when its model is readable, and the alias is removed. An object whose name came back null
// is dropped (fail closed).

export interface FinalDocument {
  readonly document: DocumentNode;
  /** The alias added to model-version selections, when the answer must be post-filtered. */
  readonly nonce: string | undefined;
}

/**
 * Applies the narrowed `input` arguments and, when `filterModels`, the model-version marker.
 * `fields` maps rewritten nodes to their field definitions' argument types.
 */
export function finalDocument(doc: DocumentNode, fields: readonly RootField[], rewrites: Rewrites, filterModels: boolean, schema: GraphQLSchema = MLFLOW_SCHEMA): FinalDocument {
  const targets = new Set<FieldNode>();
  if (filterModels) {
    const typeInfo = new TypeInfo(schema);
    visit(
      doc,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const t = typeInfo.getType();
          if (t && getNamedType(t).name === 'MlflowModelVersion') targets.add(node);
        },
      }),
    );
  }
  const nonce = targets.size > 0 ? `gw${randomBytes(12).toString('hex')}` : undefined;
  const defs = new Map(fields.map((f) => [f.node, f.parent.getFields()[f.name]]));
  const document = visit(doc, {
    Field(node) {
      let out: FieldNode = node;
      const input = rewrites.get(node);
      const def = defs.get(node);
      if (input && def) out = { ...out, arguments: replaceInput(out.arguments ?? [], input, def.args.find((a) => a.name === 'input')?.type) };
      if (nonce && targets.has(node) && out.selectionSet) {
        const marker: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: nonce }, name: { kind: Kind.NAME, value: 'name' } };
        out = { ...out, selectionSet: { ...out.selectionSet, selections: [...out.selectionSet.selections, marker] } };
      }
      return out === node ? undefined : out;
    },
  });
  return { document, nonce };
}

function replaceInput(args: readonly ArgumentNode[], input: Record<string, unknown>, type: Parameters<typeof astFromValue>[1] | undefined): ArgumentNode[] {
  const value = type ? astFromValue(input, type) : null;
  if (!value) throw new Error('cannot write the narrowed GraphQL input back as a literal'); // a bug, not a client error
  return [...args.filter((a) => a.name.value !== 'input'), { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'input' }, value }];
}

/** `data` without the model versions the caller may not read, and without the marker alias. */
export async function filterModelVersions(access: RequestAccess, data: unknown, nonce: string): Promise<unknown> {
  const names = new Set<string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) {
      const n = v[nonce];
      if (typeof n === 'string') names.add(n);
      Object.values(v).forEach(collect);
    }
  };
  collect(data);
  const list = [...names];
  const ok = await access.allowedEach('read', list.map((n): Resource => ({ type: 'registered_model', id: n, name: n })));
  const readable = new Set(list.filter((_, i) => ok[i]));
  const keep = (v: unknown): boolean => !isObject(v) || !(nonce in v) || (typeof v[nonce] === 'string' && readable.has(v[nonce]));
  const rebuild = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.filter(keep).map(rebuild);
    if (!isObject(v)) return v;
    if (!keep(v)) return null; // not in a list (the schema has none such): hide it all the same
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== nonce) out[k] = rebuild(x);
    return out;
  };
  return rebuild(data);
}
