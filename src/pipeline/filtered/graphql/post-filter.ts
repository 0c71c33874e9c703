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
export function finalDocument(
  doc: DocumentNode, fields: readonly RootField[], rewrites: Rewrites, filterModels: boolean, filterRuns = false, schema: GraphQLSchema = MLFLOW_SCHEMA,
  paging: { readonly nonce?: string; readonly pagedRuns?: ReadonlySet<FieldNode> } = {},
): FinalDocument {
  const targets = new Map<FieldNode, 'version' | 'run'>();
  if (filterModels || filterRuns) {
    const typeInfo = new TypeInfo(schema);
    visit(
      doc,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const t = typeInfo.getType();
          const named = t ? getNamedType(t).name : undefined;
          if (filterModels && named === 'MlflowModelVersion') targets.set(node, 'version');
          if (filterRuns && named === 'MlflowRunExtension') targets.set(node, 'run');
        },
      }),
    );
  }
  const paged = paging.pagedRuns ?? new Set<FieldNode>();
  const nonce = targets.size > 0 || paged.size > 0 ? paging.nonce ?? `gw${randomBytes(12).toString('hex')}` : undefined;
  const defs = new Map(fields.map((f) => [f.node, f.parent.getFields()[f.name]]));
  const document = visit(doc, {
    Field(node) {
      let out: FieldNode = node;
      const input = rewrites.get(node);
      const def = defs.get(node);
      if (input && def) out = { ...out, arguments: replaceInput(out.arguments ?? [], input, def.args.find((a) => a.name === 'input')?.type) };
      const target = targets.get(node);
      if (nonce && target && out.selectionSet) {
        out = { ...out, selectionSet: { ...out.selectionSet, selections: [...out.selectionSet.selections, ...markers(nonce, target)] } };
      }
      // A run list the gateway pages (run-pages.ts): MLflow's token, and the ids of every run.
      if (nonce && paged.has(node) && out.selectionSet) {
        const ids = { ...fieldNode(`${nonce}p`, 'runs'), selectionSet: { kind: Kind.SELECTION_SET, selections: markers(nonce, 'run') } } as FieldNode;
        out = { ...out, selectionSet: { ...out.selectionSet, selections: [...out.selectionSet.selections, fieldNode(`${nonce}t`, 'nextPageToken'), ids] } };
      }
      return out === node ? undefined : out;
    },
  });
  return { document, nonce };
}

const fieldNode = (alias: string, name: string, sub?: string[]): FieldNode => ({
  kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: name },
  ...(sub ? { selectionSet: { kind: Kind.SELECTION_SET, selections: sub.map((s) => ({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: s } }) as FieldNode) } } : {}),
});

/** A model version is marked with its model name and version (a version is a child with grants of its own), a run with its ids. */
function markers(nonce: string, target: 'version' | 'run'): FieldNode[] {
  return target === 'version'
    ? [fieldNode(nonce, 'name'), fieldNode(`${nonce}v`, 'version')]
    : [fieldNode(`${nonce}r`, 'info', ['runId', 'experimentId', 'runName'])];
}

function replaceInput(args: readonly ArgumentNode[], input: Record<string, unknown>, type: Parameters<typeof astFromValue>[1] | undefined): ArgumentNode[] {
  const value = type ? astFromValue(input, type) : null;
  if (!value) throw new Error('cannot write the narrowed GraphQL input back as a literal'); // a bug, not a client error
  return [...args.filter((a) => a.name.value !== 'input'), { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'input' }, value }];
}

/**
 * `data` without the model versions and runs the caller may not read, and without the marker
 * aliases. A version is decided as a child of its registered model, a run as a child of its
 * experiment (`experimentOf` gives the experiment with its name, for pattern rules); a marked
 * object whose ids came back null is dropped (fail closed).
 */
export async function filterModelVersions(
  access: RequestAccess, data: unknown, nonce: string, experimentOf: (id: string) => Promise<Resource | undefined> = async (id) => ({ type: 'experiment', id }),
): Promise<unknown> {
  const runKey = `${nonce}r`;
  const versionKey = `${nonce}v`;
  const marked: { obj: Record<string, unknown>; resource: () => Promise<Resource | undefined> }[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) {
      if (nonce in v) {
        const n = v[nonce];
        const ver = v[versionKey];
        marked.push({
          obj: v,
          resource: async () => (typeof n !== 'string' ? undefined : typeof ver === 'string' || typeof ver === 'number'
            ? { type: 'model_version', id: `${n}/${String(ver)}`, name: `${n}/${String(ver)}`, parent: { type: 'registered_model', id: n, name: n } }
            : { type: 'registered_model', id: n, name: n }),
        });
      } else if (runKey in v) {
        const info = v[runKey];
        marked.push({
          obj: v,
          resource: async () => {
            if (!isObject(info) || typeof info.runId !== 'string' || typeof info.experimentId !== 'string') return undefined;
            const parent = await experimentOf(info.experimentId);
            return parent && { type: 'run', id: info.runId, ...(typeof info.runName === 'string' && info.runName ? { name: info.runName } : {}), parent };
          },
        });
      }
      Object.values(v).forEach(collect);
    }
  };
  collect(data);
  const resources = await Promise.all(marked.map((m) => m.resource()));
  const ok = await Promise.all(resources.map((r) => (r ? access.allowed('read', r) : Promise.resolve(false))));
  const hidden = new Set(marked.filter((_, i) => !ok[i]).map((m) => m.obj));
  const keep = (v: unknown): boolean => !isObject(v) || !hidden.has(v);
  const rebuild = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.filter(keep).map(rebuild);
    if (!isObject(v)) return v;
    if (!keep(v)) return null; // not in a list (mlflowGetRun's run was checked before): hide it all the same
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== nonce && k !== versionKey && k !== runKey) out[k] = rebuild(x);
    return out;
  };
  return rebuild(data);
}
