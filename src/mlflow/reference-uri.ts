// What a URI in an MLflow request names on this server: the one place that reads `models:/…`,
// `runs:/…`, `mlflow-artifacts:…`, `prompts:/…` and `gateway:/…` references (pure, no I/O).
//
// MLflow parses these with Python's urllib.parse.urlparse and small hand-written splitters
// (mlflow/store/artifact/utils/models.py _parse_model_uri, RunsArtifactRepository.parse_runs_uri,
// the gateway's `gateway:/<endpoint>` prefix). The gateway over-approximates: every reading MLflow
// (or one of its later consumers) might give a URI is returned, so that a check on each of them
// covers the one MLflow acts on. A target that does not exist is MLflow's business (the caller
// checks only the ones that exist); a URI whose meaning cannot be pinned down safely (traversal,
// the artifact root itself) is `unsafe` and left to administrators.
import type { IdKind } from './types.js';

/** One resource a URI may name, as an id the resolver understands. */
export interface UriTarget {
  readonly kind: IdKind;
  readonly value: string;
}

export type UriMeaning =
  /** The URI names these resources (each to be checked if it exists). */
  | { readonly names: 'resources'; readonly targets: readonly UriTarget[] }
  /** A storage location of no MLflow scheme (path, file:, s3:…): compared with the server's artifact tree by the caller. */
  | { readonly names: 'location'; readonly location: string }
  /** Nothing on this server: another registry/host, a provider model (`openai:/gpt-4`), plain text. */
  | { readonly names: 'nothing' }
  /** Could name data here but not one resource (the artifact root, traversal): administrators only. */
  | { readonly names: 'unsafe'; readonly reason: string };

export interface ParsedUri {
  /** Lower-cased, as urlparse returns it; '' when the string has no scheme. */
  readonly scheme: string;
  /** Authority after `//`, '' when absent. */
  readonly netloc: string;
  /** Path without query and fragment. */
  readonly path: string;
}

// urlparse: leading C0 controls and spaces are stripped, tab/CR/LF removed anywhere (Python ≥ 3.11).
const LEADING_C0_OR_SPACE = /^[\u0000-\u0020]+/;
const TAB_CR_LF = /[\t\r\n]/g;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** urllib.parse.urlparse, reduced to scheme, netloc and path (query and fragment cut off). */
export function parseUri(raw: string): ParsedUri {
  let s = raw.replace(LEADING_C0_OR_SPACE, '').replace(TAB_CR_LF, '');
  let scheme = '';
  const m = SCHEME.exec(s);
  if (m) {
    scheme = (m[1] as string).toLowerCase();
    s = s.slice(m[0].length);
  }
  let netloc = '';
  if (s.startsWith('//')) {
    const end = s.slice(2).search(/[/?#]/);
    netloc = end < 0 ? s.slice(2) : s.slice(2, 2 + end);
    s = end < 0 ? '' : s.slice(2 + end);
  }
  const cut = s.search(/[?#]/);
  return { scheme, netloc, path: cut < 0 ? s : s.slice(0, cut) };
}

/** Every distinct string among the value and its percent-decodings (up to three rounds, as MLflow unquotes iteratively). */
export function decodings(value: string): string[] {
  const out = [value];
  let cur = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      break;
    }
    if (next === cur) break;
    out.push(next);
    cur = next;
  }
  return [...new Set(out)];
}

function resources(targets: UriTarget[]): UriMeaning {
  const seen = new Set<string>();
  const unique = targets.filter((t) => t.value !== '' && !seen.has(`${t.kind}\u0000${t.value}`) && seen.add(`${t.kind}\u0000${t.value}`));
  return unique.length === 0 ? { names: 'nothing' } : { names: 'resources', targets: unique };
}

/**
 * `models:/<name>/<version|stage|latest>`, `models:/<name>@<alias>`, `models:/<logged model id>`
 * (and `prompts:/<name>/<version>`, `prompts:/<name>@<alias>`). A name that contains `/` is read
 * as everything before the last segment (MLflow refuses it; the check still covers it).
 */
function modelTargets(path: string): UriTarget[] {
  const rest = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (rest === '') return [];
  const out: UriTarget[] = [];
  for (const p of decodings(rest)) {
    const parts = p.split('/');
    if (parts.length >= 2) {
      out.push({ kind: 'model_name', value: parts.slice(0, -1).join('/') });
      // A name with `@` in a versioned URI is still the name; nothing else to read.
      continue;
    }
    const single = parts[0] as string;
    const at = single.lastIndexOf('@');
    if (at > 0) out.push({ kind: 'model_name', value: single.slice(0, at) });
    // MLflow reads a single segment without `@` as a logged model id (m-…); a registered model of
    // that name is checked too (get_model_name_and_version falls back to it in older versions).
    if (at < 0) out.push({ kind: 'logged_model_id', value: single }, { kind: 'model_name', value: single });
  }
  return out;
}

/** `runs:/<run id>/<path>` (and `runs://<x>/…`, which MLflow reads either way in some helpers). */
function runTargets(netloc: string, path: string): UriTarget[] {
  const out: UriTarget[] = [];
  if (netloc) out.push({ kind: 'run_id', value: netloc });
  const first = path.replace(/^\/+/, '').split('/')[0] ?? '';
  for (const d of decodings(first)) out.push({ kind: 'run_id', value: d });
  return out;
}

/** What an artifact-tree path (`<experiment id>/…`, `workspaces/<ws>/<id>/…`) names, in every percent-decoding. */
export function artifactTreeMeaning(treePath: string): UriMeaning {
  const targets: UriTarget[] = [];
  for (const d of decodings(treePath.replace(/^\/+/, ''))) {
    const m = oneTreePath(d);
    if (m.names === 'unsafe') return m;
    if (m.names === 'resources') targets.push(...m.targets);
  }
  return resources(targets);
}

function oneTreePath(path: string): UriMeaning {
  if (/(^|[\\/])\.\.([\\/]|$)/.test(path)) return { names: 'unsafe', reason: 'the artifact path has a .. segment' };
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return { names: 'unsafe', reason: 'the URI names the whole artifact store' };
  const base = segments[0] === 'workspaces' ? 2 : 0;
  if (base === 2 && segments.length <= 2) return { names: 'unsafe', reason: 'the URI names a whole workspace of the artifact store' };
  const first = segments[base] ?? '';
  if (!/^[0-9]+$/.test(first)) return { names: 'nothing' };
  // The resolver's artifact_path kind reads `<id>/…` or `workspaces/<ws>/<id>/…` (canonical ids only).
  const value = [...segments.slice(0, base), String(BigInt(first))].join('/');
  return { names: 'resources', targets: [{ kind: 'artifact_path', value }] };
}

/** `gateway:/<endpoint>`, `gateway://<endpoint>`, `gateway:///<endpoint>` (one name, whatever the slashes). */
function gatewayTargets(netloc: string, path: string): UriTarget[] {
  const out: UriTarget[] = [];
  if (netloc) out.push({ kind: 'endpoint_name', value: netloc });
  const first = path.replace(/^\/+/, '').split('/')[0] ?? '';
  for (const d of decodings(first)) out.push({ kind: 'endpoint_name', value: d });
  return out;
}

/**
 * What `raw` names. Schemes of MLflow's own stores resolve to resources; any other scheme that
 * MLflow can read as storage (no scheme, `file:`, cloud stores) is a `location`; `http(s)`/`ftp`
 * URIs MLflow itself refuses unless they name its own artifact host (host_policy), and provider
 * model URIs (`openai:/…`) name nothing here.
 */
export function referenceUriMeaning(raw: string): UriMeaning {
  if (raw.trim() === '') return { names: 'nothing' };
  const u = parseUri(raw);
  switch (u.scheme) {
    case 'models':
    case 'prompts':
      // `models://<profile>/…` names another registry (MLflow refuses it as a version source).
      return u.netloc ? { names: 'nothing' } : resources(modelTargets(u.path));
    case 'runs':
      return resources(runTargets(u.netloc, u.path));
    case 'mlflow-artifacts':
      // `mlflow-artifacts://<host>/<path>`: the host is another server or this one; read as this one.
      return artifactTreeMeaning(u.path);
    case 'gateway':
    case 'endpoints':
      return resources(gatewayTargets(u.netloc, u.path));
    case 'trace':
    case 'traces': {
      // Trace v4 ids `trace:/<location>/<trace id>`: the last segment is the trace id.
      const last = u.path.replace(/\/+$/, '').split('/').pop() ?? '';
      return resources(decodings(last).map((value) => ({ kind: 'trace_id' as const, value })));
    }
    case '':
    case 'file':
    case 's3':
    case 's3a':
    case 'gs':
    case 'wasbs':
    case 'abfss':
    case 'hdfs':
    case 'viewfs':
    case 'oss':
    case 'dbfs':
      return { names: 'location', location: raw.trim() };
    default:
      // A single letter is a Windows drive (`C:\…`), i.e. a local path.
      if (u.scheme.length === 1) return { names: 'location', location: raw.trim() };
      return { names: 'nothing' };
  }
}

/**
 * A storage location compared with the server's artifact root (learned from MLflow, see the
 * resolver): inside `<root>/<experiment id>/…` it names that experiment's artifacts.
 */
export function locationMeaning(location: string, artifactRoot: string | undefined): UriMeaning {
  if (!artifactRoot) return { names: 'nothing' };
  const norm = (s: string) => s.replace(/^file:(\/\/)?/, '').replace(/\/+$/, '');
  const root = norm(artifactRoot);
  if (root === '') return { names: 'nothing' };
  // A local path names the file the operating system opens: `<run>/artifacts/model/..` is the run's
  // artifact directory, and MLflow accepts it as such (a model version source). Object-store keys
  // are literal (`s3://b/1/../2` is a key under 1/): only local paths are normalised.
  const local = isLocalPath(location.trim());
  for (const d of decodings(location.trim())) {
    const flat = norm(d).replace(/\/{2,}/g, '/');
    const loc = local ? dotSegmentsResolved(flat) : flat;
    const r = root.replace(/\/{2,}/g, '/');
    if (loc === r) return { names: 'unsafe', reason: 'the location is the artifact root of this MLflow server' };
    if (loc.startsWith(`${r}/`)) return artifactTreeMeaning(loc.slice(r.length + 1));
    // Fail closed: a path written inside the artifact root that climbs out of it stays refused.
    if (flat.startsWith(`${r}/`)) return { names: 'unsafe', reason: 'the path climbs out of the artifact root with .. segments' };
  }
  return { names: 'nothing' };
}

/** No scheme, or `file:` (a one-letter "scheme" is a Windows drive: not treated as local here). */
function isLocalPath(location: string): boolean {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location)?.[1];
  return scheme === undefined || scheme.toLowerCase() === 'file';
}

/**
 * A POSIX path with its literal `.` and `..` segments applied (as `posixpath.normpath` does): an
 * absolute path cannot climb above `/`, a relative one keeps its leading `..`. Percent-encoded dots
 * are left alone (the operating system does not decode them; artifactTreeMeaning refuses them).
 */
export function dotSegmentsResolved(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') out.push(seg);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!absolute) out.push('..');
  }
  return (absolute ? '/' : '') + out.join('/');
}

/**
 * Every string inside a JSON value (embedded JSON documents such as a dataset `source` or a
 * serialized scorer); strings that hold JSON themselves are opened too. undefined when the
 * document is deeper or larger than anything MLflow writes (the caller refuses: fail closed).
 */
export function stringsIn(value: unknown, limits = { depth: 64, strings: 10_000 }): string[] | undefined {
  const out: string[] = [];
  const walk = (v: unknown, depth: number, reparse: number): boolean => {
    if (depth > limits.depth || out.length > limits.strings) return false;
    if (typeof v === 'string') {
      out.push(v);
      const t = v.trim();
      if (reparse < 3 && (t.startsWith('{') || t.startsWith('['))) {
        let inner: unknown;
        try {
          inner = JSON.parse(t);
        } catch {
          return true;
        }
        return walk(inner, depth + 1, reparse + 1);
      }
      return true;
    }
    if (Array.isArray(v)) return v.every((x) => walk(x, depth + 1, reparse));
    if (v && typeof v === 'object') return Object.values(v).every((x) => walk(x, depth + 1, reparse));
    return true;
  };
  return walk(value, 0, 0) ? out : undefined;
}

/**
 * Whether MLflow refuses `raw` as a model-version source for relative path references in every
 * supported version (_validate_non_local_source_contains_relative_paths, 2.9 … 3.17): a non-local
 * URI — a scheme other than `file` and longer than a drive letter, read from the value as sent
 * (is_local_uri) — whose path, `+`- and percent-decoded until stable (unquote_plus), has a `..`
 * segment (3.x looks for it; 2.9 finds it as Path.resolve() changing the path). `models:` and
 * `prompts:` are left out: 3.17 rewrites a `models:/` source before it validates it. Text that does
 * not decode cleanly is not claimed (false: the caller keeps its own checks).
 */
export function mlflowRefusesRelativeSource(raw: string): boolean {
  const scheme = parseUri(raw).scheme;
  if (scheme === '' || scheme === 'file' || scheme === 'models' || scheme === 'prompts' || scheme.length === 1) return false;
  let cur = raw;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur.replace(/\+/g, ' '));
    } catch {
      return false;
    }
    if (next === cur) return parseUri(cur).path.split('/').includes('..');
    cur = next;
  }
  // Still changing after ten rounds: MLflow would decode further (a later round can move the `..`
  // behind a decoded `?`), so what it finally sees is not known here: not claimed.
  return false;
}

