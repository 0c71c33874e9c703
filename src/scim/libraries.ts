// The two SCIM libraries (scim-patch, scim2-parse-filter) are loaded on the first SCIM request
// that needs them, not by every `serve`: most deployments never provision over SCIM, and what
// `serve` loads is kept to what every request needs (test/deploy/serve-module-graph.test.ts).
import type { ScimPatchOperation } from 'scim-patch';
import type { Filter } from 'scim2-parse-filter';

export interface ScimLibraries {
  readonly scimPatch: (resource: never, operations: ScimPatchOperation[], options?: never) => unknown;
  readonly parseFilter: (text: string) => Filter;
}

let loading: Promise<ScimLibraries> | undefined;

export function scimLibraries(): Promise<ScimLibraries> {
  loading ??= Promise.all([import('scim-patch'), import('scim2-parse-filter')]).then(([patch, filter]) => ({
    scimPatch: patch.scimPatch as ScimLibraries['scimPatch'],
    parseFilter: filter.parse,
  }));
  return loading;
}
