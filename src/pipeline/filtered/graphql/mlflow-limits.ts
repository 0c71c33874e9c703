import { Kind, parse, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

// MLflow's own size limits on a GraphQL query (mlflow/server/graphql/graphql_no_batching.py,
// scan_query): a depth over 10 or more than 1000 field selections, counted over every operation of
// the document with inline fragments and fragment spreads merged into their level. MLflow applies
// them BEFORE it validates the query against its schema and answers
// `200 {"data": null, "errors": ["Query exceeds maximum depth of 10"]}`.
// The gateway validates first (document.ts); for a query it refuses anyway, it gives MLflow's
// answer when MLflow's scan would have refused it first (issue #14: MLflow's message, not ours).
// The root-field and alias limits are not reproduced: MLflow reads them from its own environment.

const MAX_DEPTH = 10;
const MAX_SELECTIONS = 1000;

/** MLflow's message for a query its scan refuses, or undefined (also when the query does not parse). */
export function mlflowScanRefusal(query: string, maxTokens = 20_000): string | undefined {
  let doc: DocumentNode;
  try {
    doc = parse(query, { noLocation: true, maxTokens });
  } catch {
    return undefined;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let selections = 0;
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const stack: { set: SelectionSetNode; depth: number; visited: ReadonlySet<string> }[] = [{ set: d.selectionSet, depth: 1, visited: new Set() }];
    while (stack.length > 0) {
      const { set, depth, visited } = stack.pop()!;
      if (depth > MAX_DEPTH) return `Query exceeds maximum depth of ${MAX_DEPTH}`;
      for (const field of fieldsAtLevel(set, fragments, visited)) {
        if (field.selectionSet) stack.push({ set: field.selectionSet, depth: depth + 1, visited });
        selections += 1;
        if (selections > MAX_SELECTIONS) return `Query exceeds maximum total selections of ${MAX_SELECTIONS}`;
      }
    }
  }
  return undefined;
}

/** The fields of one level, inline fragments and (not yet visited) fragment spreads merged in. */
function fieldsAtLevel(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, visited: ReadonlySet<string>): FieldNode[] {
  const out: FieldNode[] = [];
  const seen = new Set(visited);
  const queue = [...set.selections];
  while (queue.length > 0) {
    const s = queue.shift()!;
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
