// The tested MLflow versions' GraphQL schemas differ by a few fields each: schemas/ stores the
// oldest in full and every later one as the line changes from the version before it (generated
// by scripts/mlflow-graphql-schemas.ts with lineChanges, read back by index.ts with applyChanges).

/** Replace `remove` lines starting at line `at` (0-based, in the previous text) by `add`. */
export interface SdlChange {
  readonly at: number;
  readonly remove: number;
  readonly add: readonly string[];
}

/** `previous` with `changes` applied (ascending, non-overlapping, as lineChanges makes them). */
export function applyChanges(previous: string, changes: readonly SdlChange[]): string {
  const lines = previous.split('\n');
  const out: string[] = [];
  let next = 0;
  for (const c of changes) {
    // A change out of order or past the end means the stored changes belong to another text:
    // refuse to build a schema from them rather than validate requests against a wrong one.
    if (c.at < next || c.remove < 0 || c.at + c.remove > lines.length) {
      throw new Error(`GraphQL schema change at line ${c.at} (${c.remove} removed) does not fit the previous schema`);
    }
    out.push(...lines.slice(next, c.at), ...c.add);
    next = c.at + c.remove;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

/** The fewest changes (longest common subsequence of lines) that turn `from` into `to`. */
export function lineChanges(from: string, to: string): SdlChange[] {
  const a = from.split('\n');
  const b = to.split('\n');
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const changes: SdlChange[] = [];
  let open: { at: number; remove: number; add: string[] } | undefined;
  const flush = () => {
    if (open) changes.push(open);
    open = undefined;
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      i++;
      j++;
    } else if (j < b.length && (i === a.length || common[i]![j + 1]! >= common[i + 1]![j]!)) {
      open ??= { at: i, remove: 0, add: [] };
      open.add.push(b[j]!);
      j++;
    } else {
      open ??= { at: i, remove: 0, add: [] };
      open.remove++;
      i++;
    }
  }
  flush();
  return changes;
}

/** Every schema in full: the oldest as stored, each later one from the one before it and its changes. */
export function rebuildSchemas(
  base: { readonly version: string; readonly sdl: string },
  later: ReadonlyArray<{ readonly version: string; readonly changes: readonly SdlChange[] }>,
): Array<{ readonly version: string; readonly sdl: string }> {
  const out = [base];
  for (const l of later) out.push({ version: l.version, sdl: applyChanges(out[out.length - 1]!.sdl, l.changes) });
  return out;
}
