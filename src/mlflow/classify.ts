// Route classification on the hot path: (method, normalised path) → the RouteSpec MLflow would
// dispatch to, with its decoded path parameters. The table is compiled once into a segment trie
// per method, plus an exact-match map for parameterless paths.
//
// Dispatch mirrors the server: FastAPI routes are tried first, in registration order (a FastAPI
// route that matches wins, even over a more specific one registered later); everything else goes
// to Flask, whose werkzeug matcher prefers a static segment over a parameter over a path
// parameter at each position.
import { HTTP_METHODS } from './types.js';
import type { HttpMethod, RouteSpec } from './types.js';
import { ROUTES } from './routes.js';
import { FASTAPI_SINCE, PINNED_MLFLOW } from '../compat/capabilities.js';
import { inRange, version as parseLiteral, type MlflowVersion } from '../compat/version.js';

export type ClassifyResult =
  | { readonly ok: true; readonly route: RouteSpec; readonly params: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly apiLike: boolean };

interface Leaf {
  readonly route: RouteSpec;
  /** Position among FastAPI routes (registration order); Infinity for Flask routes. */
  readonly fastapiOrder: number;
  readonly paramNames: readonly string[];
}

interface SegmentParam {
  readonly re: RegExp; // ^prefix([^/]+)suffix$ on one raw segment
  readonly node: Node;
}

interface Node {
  readonly literal: Map<string, Node>;
  readonly params: SegmentParam[];
  readonly paths: Node[]; // {x:path}: one or more whole segments
  leaf: Leaf | undefined;
}

const newNode = (): Node => ({ literal: new Map(), params: [], paths: [], leaf: undefined });

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Seg =
  | { readonly t: 'lit'; readonly v: string }
  | { readonly t: 'param'; readonly name: string; readonly pre: string; readonly suf: string }
  | { readonly t: 'path'; readonly name: string };

function parseTemplate(template: string): Seg[] {
  if (!template.startsWith('/')) throw new Error(`route template must start with "/": ${template}`);
  if (template === '/') return [];
  return template
    .slice(1)
    .split('/')
    .map((s): Seg => {
      const m = /^([^{}]*)\{([A-Za-z_][A-Za-z0-9_]*)(:path)?\}([^{}]*)$/.exec(s);
      if (!m) {
        // `{assessment.trace_id}`: a proto path MLflow 3.0 registered without converting it to a
        // Flask parameter, so werkzeug matches it literally, braces included (a dotted name is never ours).
        if (/^\{[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+\}$/.test(s)) return { t: 'lit', v: s };
        if (s === '' || /[{}]/.test(s)) throw new Error(`bad segment "${s}" in route template ${template}`);
        return { t: 'lit', v: s };
      }
      const [, pre = '', name = '', isPath, suf = ''] = m;
      if (isPath) {
        if (pre !== '' || suf !== '') throw new Error(`path parameter must be a whole segment in ${template}`);
        return { t: 'path', name };
      }
      return { t: 'param', name, pre, suf };
    });
}

function insert(root: Node, route: RouteSpec, fastapiOrder: number): void {
  let node = root;
  const paramNames: string[] = [];
  for (const seg of parseTemplate(route.path)) {
    if (seg.t === 'lit') {
      let next = node.literal.get(seg.v);
      if (!next) node.literal.set(seg.v, (next = newNode()));
      node = next;
    } else if (seg.t === 'param') {
      paramNames.push(seg.name);
      const src = `^${escapeRe(seg.pre)}([^/]+)${escapeRe(seg.suf)}$`;
      let p = node.params.find((x) => x.re.source === src);
      if (!p) node.params.push((p = { re: new RegExp(src), node: newNode() }));
      node = p.node;
    } else {
      paramNames.push(seg.name);
      // One shared path child per node: what follows the path parameter distinguishes routes.
      let next = node.paths[0];
      if (!next) node.paths.push((next = newNode()));
      node = next;
    }
  }
  if (node.leaf) {
    throw new Error(`duplicate route ${route.method} ${route.path} (already ${node.leaf.route.method} ${node.leaf.route.path})`);
  }
  node.leaf = { route, fastapiOrder, paramNames };
}

interface Match {
  readonly leaf: Leaf;
  readonly values: readonly string[];
}

/**
 * Depth-first over the trie in werkzeug's preference order (literal, then segment parameter, then
 * path parameter, longest first — Starlette's `.*` is greedy). `visit` returns true to stop.
 */
function walk(node: Node, segs: readonly string[], i: number, values: string[], visit: (m: Match) => boolean): boolean {
  if (i === segs.length) {
    return node.leaf ? visit({ leaf: node.leaf, values: [...values] }) : false;
  }
  const seg = segs[i] as string;
  const lit = node.literal.get(seg);
  if (lit && walk(lit, segs, i + 1, values, visit)) return true;
  for (const p of node.params) {
    const m = p.re.exec(seg);
    if (!m) continue;
    values.push(m[1] as string);
    const stop = walk(p.node, segs, i + 1, values, visit);
    values.pop();
    if (stop) return true;
  }
  for (const next of node.paths) {
    for (let end = segs.length; end > i; end--) {
      values.push(segs.slice(i, end).join('/'));
      const stop = walk(next, segs, end, values, visit);
      values.pop();
      if (stop) return true;
    }
  }
  return false;
}

function decode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v; // unreachable for normalised paths (normalizePath rejects malformed escapes)
  }
}

const API_LIKE_PREFIXES = ['/api/', '/ajax-api/', '/graphql', '/gateway/', '/v1/', '/get-artifact', '/model-versions/get-artifact'];

/** Paths a browser never navigates to: unknown ones get a JSON error rather than a sign-in redirect. */
export function isApiLikePath(path: string): boolean {
  return API_LIKE_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

export interface Classifier {
  classify(method: string, normalizedPath: string): ClassifyResult;
}

/** Compile a route table. Throws on duplicate (method, path) entries or malformed templates. */
export function compileRoutes(routes: readonly RouteSpec[]): Classifier {
  const fastapiTries = new Map<HttpMethod, Node>(HTTP_METHODS.map((m) => [m, newNode()]));
  const flaskTries = new Map<HttpMethod, Node>(HTTP_METHODS.map((m) => [m, newNode()]));
  let fastapiOrder = 0;
  for (const route of routes) {
    const tries = route.server === 'fastapi' ? fastapiTries : flaskTries;
    const root = tries.get(route.method);
    if (!root) throw new Error(`unsupported method ${route.method}`);
    insert(root, route, route.server === 'fastapi' ? fastapiOrder++ : Number.POSITIVE_INFINITY);
  }
  // A (method, path) template must be unique across both servers too.
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`duplicate route ${key}`);
    seen.add(key);
  }

  function slow(method: HttpMethod, path: string): ClassifyResult {
    const segs = path === '/' ? [] : path.slice(1).split('/');
    let best: Match | undefined;
    // FastAPI first: the earliest-registered matching route wins, so look at every match.
    walk(fastapiTries.get(method) as Node, segs, 0, [], (m) => {
      if (best === undefined || m.leaf.fastapiOrder < best.leaf.fastapiOrder) best = m;
      return false;
    });
    // Then Flask: the first match in werkzeug's preference order.
    if (best === undefined) {
      walk(flaskTries.get(method) as Node, segs, 0, [], (m) => {
        best = m;
        return true;
      });
    }
    if (best === undefined) return { ok: false, apiLike: isApiLikePath(path) };
    const found: Match = best;
    const params: Record<string, string> = {};
    found.leaf.paramNames.forEach((name, idx) => {
      params[name] = decode(found.values[idx] as string);
    });
    return { ok: true, route: found.leaf.route, params: Object.freeze(params) };
  }

  // Parameterless paths: precompute the full answer (which already accounts for FastAPI precedence).
  const exact = new Map<string, ClassifyResult>();
  for (const route of routes) {
    if (!route.path.includes('{')) exact.set(`${route.method} ${route.path}`, slow(route.method, route.path));
  }

  return {
    classify(rawMethod: string, normalizedPath: string): ClassifyResult {
      const method = rawMethod === 'HEAD' ? 'GET' : rawMethod;
      if (!(HTTP_METHODS as readonly string[]).includes(method)) return { ok: false, apiLike: isApiLikePath(normalizedPath) };
      const hit = exact.get(`${method} ${normalizedPath}`);
      if (hit) return hit;
      return slow(method as HttpMethod, normalizedPath);
    },
  };
}

/**
 * The routes one MLflow version serves, each with the server that answers it there: a route in its
 * since/until range; on a server without FastAPI (before MLflow 3's fastapi_app), or before the
 * route's fastapiSince, it is Flask's.
 */
export function routesFor(routes: readonly RouteSpec[], v: MlflowVersion, hasFastapi: boolean): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const r of routes) {
    if (!inRange(v, { ...(r.since !== undefined ? { since: r.since } : {}), ...(r.until !== undefined ? { until: r.until } : {}) })) continue;
    const flask = r.server === 'fastapi' && (!hasFastapi || (r.fastapiSince !== undefined && !inRange(v, { since: r.fastapiSince })));
    out.push(flask ? { ...r, server: 'flask' } : r);
  }
  return out;
}

const PINNED = parseLiteral(PINNED_MLFLOW);
/** One compiled table per MLflow version seen (a handful at most: the version behind rarely changes). */
const compiled = new Map<string, Classifier>();

/** The classifier for one MLflow version (the pinned one when undefined). */
export function classifierFor(v: MlflowVersion = PINNED): Classifier {
  const key = `${v.major}.${v.minor}.${v.patch}`;
  let c = compiled.get(key);
  if (!c) {
    const hasFastapi = inRange(v, { since: FASTAPI_SINCE });
    c = compileRoutes(routesFor(ROUTES, v, hasFastapi));
    if (compiled.size > 32) compiled.clear();
    compiled.set(key, c);
  }
  return c;
}

/**
 * Classify a request against the MLflow route table of `mlflowVersion` (default: the pinned
 * version). `normalizedPath` is the output of normalizePath, with any static prefix already
 * stripped. HEAD is treated as GET. Unknown method or path, or a route that version does not serve
 * → ok:false (fail closed), apiLike for API-looking paths.
 */
export function classify(method: string, normalizedPath: string, mlflowVersion?: MlflowVersion): ClassifyResult {
  return classifierFor(mlflowVersion).classify(method, normalizedPath);
}
