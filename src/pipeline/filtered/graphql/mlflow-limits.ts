import { Kind, parse, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Capabilities } from '../../../compat/index.js';

// MLflow's own size limits on a GraphQL query (mlflow/server/graphql/graphql_no_batching.py,
// scan_query): a depth over 10 or more than 1000 field selections. MLflow applies them BEFORE it
// validates the query against its schema and answers
// `200 {"data": null, "errors": ["Query exceeds maximum depth of 10"]}`.
// The gateway validates first (document.ts); for a query it refuses anyway, it gives MLflow's
// answer when that version's scan would have refused it first (issue #14: MLflow's message, not
// ours). Nothing is forwarded either way.
//
// The scan differs per version (capabilities.ts, graphqlQueryScan; read from each release's wheel):
//   * 'none' (up to 3.1.0): no scan; such a query gets MLflow's ordinary validation errors, and the
//     gateway its own refusal.
//   * 'fields' (3.1.1 … 3.16.x): every definition of the document, fragment definitions included
//     (each from depth 1), only the field nodes of each level — inline fragments and fragment
//     spreads are not followed.
//   * 'fragments' (3.17.0 on): operation definitions only, with inline fragments and fragment
//     spreads merged into the level they appear at.
// The texts are the same in every version. The root-field and alias limits are not reproduced:
// MLflow reads them from its own environment (MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS / _ALIASES).

const MAX_DEPTH = 10;
const MAX_SELECTIONS = 1000;

export type GraphqlQueryScan = Capabilities['graphqlQueryScan'];

/** MLflow's message for a query its scan refuses, or undefined (also: no scan, or the query does not parse). */
export function mlflowScanRefusal(query: string, scan: GraphqlQueryScan, maxTokens = 20_000): string | undefined {
  if (scan === 'none') return undefined;
  let doc: DocumentNode;
  try {
    doc = parse(query, { noLocation: true, maxTokens });
  } catch {
    return undefined;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const levelFields = scan === 'fragments' ? (set: SelectionSetNode) => fieldsAtLevel(set, fragments) : directFields;
  // The selection count runs over the whole document, as in MLflow.
  let selections = 0;
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION || (scan === 'fields' && d.kind === Kind.FRAGMENT_DEFINITION)) {
      // Depth-first with a stack, as MLflow: which limit is hit first depends on the order.
      const stack: { set: SelectionSetNode; depth: number }[] = [{ set: d.selectionSet, depth: 1 }];
      while (stack.length > 0) {
        const { set, depth } = stack.pop()!;
        if (depth > MAX_DEPTH) return `Query exceeds maximum depth of ${MAX_DEPTH}`;
        for (const field of levelFields(set)) {
          if (field.selectionSet) stack.push({ set: field.selectionSet, depth: depth + 1 });
          selections += 1;
          if (selections > MAX_SELECTIONS) return `Query exceeds maximum total selections of ${MAX_SELECTIONS}`;
        }
      }
    }
  }
  return undefined;
}

/** 3.1.1 … 3.16: the field nodes of the level only. */
function directFields(set: SelectionSetNode): FieldNode[] {
  return set.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
}

/** 3.17 on: the fields of one level, inline fragments and fragment spreads (each once per level) merged in. */
function fieldsAtLevel(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FieldNode[] {
  const out: FieldNode[] = [];
  const seen = new Set<string>();
  const queue = [...set.selections];
  for (let i = 0; i < queue.length; i++) {
    const s = queue[i]!;
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) queue.push(...s.selectionSet.selections);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) queue.push(...f.selectionSet.selections);
    }
  }
  return out;
}
