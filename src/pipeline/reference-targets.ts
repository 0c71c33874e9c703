import type { ExtractedReference, IdKind } from '../mlflow/index.js';
import { locationMeaning, mlflowRefusesRelativeSource, referenceUriMeaning, stringsIn, type UriMeaning } from '../mlflow/reference-uri.js';
import type { Action } from '../policy/index.js';
import type { Gateway } from './gateway.js';

/** One id to resolve and check, with where the request named it. */
export interface ReferenceLookup {
  readonly kind: IdKind;
  readonly value: string;
  readonly action: Action;
  readonly from: string;
  /** Set when the reference cannot be pinned to one resource (administrators only). */
  readonly unsafe?: string;
}

/**
 * The ids a request's referenced fields name (src/mlflow/reference-uri.ts reads the URIs). A URI
 * naming a gateway endpoint needs `use` on it whatever the field's level: whoever references an
 * endpoint makes the server call it.
 */
export async function referenceTargets(gw: Gateway, references: readonly ExtractedReference[]): Promise<ReferenceLookup[]> {
  const out: ReferenceLookup[] = [];
  for (const ref of references) {
    for (const value of ref.values) {
      if (ref.kind !== 'uri' && ref.kind !== 'json') {
        out.push({ kind: ref.kind, value, action: ref.action, from: ref.from });
        continue;
      }
      const uris = ref.kind === 'uri' ? [value] : embeddedStrings(value);
      if (uris === undefined) {
        out.push({ kind: 'artifact_path', value: '', action: ref.action, from: ref.from, unsafe: `${ref.from} is nested deeper or holds more strings than the gateway reads` });
        continue;
      }
      for (const uri of uris) {
        let meaning: UriMeaning = referenceUriMeaning(uri);
        if (meaning.names === 'location') meaning = locationMeaning(meaning.location, await gw.resolver.artifactRoot());
        switch (meaning.names) {
          case 'nothing':
          case 'location':
            break;
          case 'unsafe':
            // A value MLflow refuses for everyone before any store call (a model-version source
            // with `..`): forwarded without this check, so the client gets MLflow's own 400 (the
            // route's other checks still apply).
            if (ref.mlflowRefusesRelativePaths && mlflowRefusesRelativeSource(uri)) break;
            out.push({ kind: 'artifact_path', value: uri, action: ref.action, from: ref.from, unsafe: meaning.reason });
            break;
          case 'resources':
            for (const t of meaning.targets) {
              const action = t.kind === 'endpoint_name' ? 'use' : ref.action;
              out.push({ kind: t.kind, value: t.value, action, from: ref.from });
            }
        }
      }
    }
  }
  return out;
}

/** Every string of a JSON document given as text (text that is not JSON is one string); undefined past the limits. */
function embeddedStrings(text: string): string[] | undefined {
  return stringsIn(text);
}
