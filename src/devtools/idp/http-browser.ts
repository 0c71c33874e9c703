/**
 * A minimal scripted "browser" on top of the global `fetch`: a cookie jar plus manual redirect
 * handling and HTML form extraction. It is enough to drive OpenID Connect sign-in flows over
 * plain HTTP (the demo IdP uses it for `getTokens`, tests use it to sign in through the gateway).
 *
 * Cookies are stored per `host:port` (unlike real browsers, which share cookies across ports of
 * one host), honouring `Path`, `Max-Age` and `Expires`. No JavaScript is executed.
 */

export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  /** Epoch milliseconds; undefined for session cookies. */
  expiresAt: number | undefined;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
}

export interface FollowOptions {
  /** Maximum number of redirects to follow (default 20). */
  maxHops?: number;
  /** Stop *before* requesting a redirect target for which this returns true. */
  stopAt?: (url: string) => boolean;
  /** Extra request headers for every request of the chain. */
  headers?: Record<string, string>;
}

export interface FollowResult {
  /** The last response received (a 30x when `stopped`). */
  response: Response;
  /** The URL of the last response, or the redirect target at which `stopAt` stopped. */
  url: string;
  /** True when `stopAt` matched; `url` was then not requested. */
  stopped: boolean;
  /** Number of redirects followed. */
  hops: number;
}

export interface ExtractedForm {
  /** The raw (entity-decoded) `action` attribute; '' when absent. Resolve against the page URL. */
  action: string;
  /** Upper-cased method, default GET. */
  method: string;
  /** Names and values of the submittable fields (inputs incl. hidden ones, textareas, selects). */
  fields: Record<string, string>;
}

export type FormFields = Record<string, string> | URLSearchParams;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class HttpBrowser {
  readonly #jar = new Map<string, StoredCookie[]>();
  readonly #headers: Record<string, string>;

  constructor(options: { headers?: Record<string, string> } = {}) {
    this.#headers = { 'user-agent': 'mlflow-oidc-gateway-http-browser', accept: 'text/html,application/json;q=0.9,*/*;q=0.8', ...options.headers };
  }

  /** GET without following redirects. */
  get(url: string | URL, headers?: Record<string, string>): Promise<Response> {
    return this.request(url, { method: 'GET', ...(headers ? { headers } : {}) });
  }

  /** POST an `application/x-www-form-urlencoded` body without following redirects. */
  postForm(url: string | URL, fields: FormFields, headers?: Record<string, string>): Promise<Response> {
    const body = fields instanceof URLSearchParams ? fields : new URLSearchParams(fields);
    return this.request(url, {
      method: 'POST',
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  /** Sends a request with the jar's cookies and stores the response's cookies. Never follows redirects. */
  async request(url: string | URL, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers({ ...this.#headers, ...init.headers });
    const cookie = this.cookieHeader(target);
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    const response = await fetch(target, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    for (const header of response.headers.getSetCookie()) this.setCookie(target, header);
    return response;
  }

  /** GETs `url` and follows redirects (across origins) until a non-redirect response or `stopAt`. */
  async follow(url: string | URL, options: FollowOptions = {}): Promise<FollowResult> {
    const first = String(url);
    const response = await this.get(first, options.headers);
    return this.followResponse(response, first, options);
  }

  /** Continues following redirects from an already received response (e.g. of `postForm`). */
  async followResponse(response: Response, url: string | URL, options: FollowOptions = {}): Promise<FollowResult> {
    const maxHops = options.maxHops ?? 20;
    let current = response;
    let currentUrl = String(url);
    let hops = 0;
    for (;;) {
      const next = redirectTarget(current, currentUrl);
      if (next === undefined) return { response: current, url: currentUrl, stopped: false, hops };
      if (options.stopAt?.(next)) return { response: current, url: next, stopped: true, hops };
      if (hops >= maxHops) {
        await discard(current);
        throw new Error(`HttpBrowser: more than ${maxHops} redirects (last: ${currentUrl} -> ${next})`);
      }
      await discard(current);
      hops += 1;
      currentUrl = next;
      current = await this.get(next, options.headers);
    }
  }

  /**
   * Submits a form like a browser would: the form's fields (from `extractForm` of `html`, or the
   * given form), overridden/extended by `fields`, sent to its action resolved against `pageUrl`;
   * then follows redirects.
   */
  async submitForm(pageUrl: string | URL, form: string | ExtractedForm, fields: Record<string, string> = {}, options: FollowOptions = {}): Promise<FollowResult> {
    const parsed = typeof form === 'string' ? extractForm(form) : form;
    const action = new URL(parsed.action || String(pageUrl), pageUrl).href;
    const values = { ...parsed.fields, ...fields };
    if (parsed.method === 'POST') {
      const response = await this.postForm(action, values, options.headers);
      return this.followResponse(response, action, options);
    }
    const target = new URL(action);
    target.search = new URLSearchParams(values).toString();
    return this.follow(target, options);
  }

  /** The value of cookie `name` stored for `origin` (any path), if present and not expired. */
  cookie(origin: string | URL, name: string): string | undefined {
    return this.#live(new URL(origin).host).find((c) => c.name === name)?.value;
  }

  /** All live cookies stored for `origin`. */
  cookies(origin: string | URL): StoredCookie[] {
    return this.#live(new URL(origin).host).map((c) => ({ ...c }));
  }

  /** The `Cookie` header value the jar would send to `url` ('' when none). */
  cookieHeader(url: string | URL): string {
    const target = new URL(url);
    const secureContext = target.protocol === 'https:' || isLoopback(target.hostname);
    return this.#live(target.host)
      .filter((c) => pathMatches(target.pathname, c.path) && (!c.secure || secureContext))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** Stores a cookie as if `url` had answered with `Set-Cookie: <header>`. */
  setCookie(url: string | URL, header: string): void {
    const target = new URL(url);
    const parsed = parseSetCookie(header, target.pathname);
    if (!parsed) return;
    const key = target.host;
    const list = (this.#jar.get(key) ?? []).filter((c) => !(c.name === parsed.name && c.path === parsed.path));
    if (parsed.expiresAt === undefined || parsed.expiresAt > Date.now()) list.push(parsed);
    this.#jar.set(key, list);
  }

  /** Forgets the cookies of `origin`, or all cookies. */
  clearCookies(origin?: string | URL): void {
    if (origin === undefined) this.#jar.clear();
    else this.#jar.delete(new URL(origin).host);
  }

  #live(host: string): StoredCookie[] {
    const now = Date.now();
    const list = (this.#jar.get(host) ?? []).filter((c) => c.expiresAt === undefined || c.expiresAt > now);
    this.#jar.set(host, list);
    return list;
  }
}

function redirectTarget(response: Response, url: string): string | undefined {
  if (!REDIRECT_STATUSES.has(response.status)) return undefined;
  const location = response.headers.get('location');
  if (!location) return undefined;
  return new URL(location, url).href;
}

async function discard(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // the body is irrelevant
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** Parses one Set-Cookie header (RFC 6265 §5.2, without Domain handling). */
export function parseSetCookie(header: string, requestPath = '/'): StoredCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (!name) return undefined;
  const cookie: StoredCookie = {
    name, value, path: defaultPath(requestPath), expiresAt: undefined, secure: false, httpOnly: false, sameSite: undefined,
  };
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i === -1 ? '' : attribute.slice(i + 1).trim();
    switch (key) {
      case 'path':
        cookie.path = val.startsWith('/') ? val : defaultPath(requestPath);
        break;
      case 'max-age': {
        if (!/^-?\d+$/.test(val)) break;
        const seconds = Number(val);
        cookie.expiresAt = seconds <= 0 ? 0 : Date.now() + seconds * 1000;
        maxAgeSeen = true;
        break;
      }
      case 'expires': {
        if (maxAgeSeen) break; // Max-Age wins
        const at = Date.parse(val);
        if (!Number.isNaN(at)) cookie.expiresAt = at;
        break;
      }
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'samesite':
        cookie.sameSite = val.toLowerCase();
        break;
      default:
        break;
    }
  }
  return cookie;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the HTML character references that appear in attribute values. */
export function decodeHtmlEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref.toLowerCase()] ?? match;
  });
}

/** Parses the attributes of a start tag (`<input a="1" b='2' c=3 d>` → {a,b,c,d:''}), lower-casing names. */
export function parseAttributes(tagSource: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const inner = tagSource.replace(/^<\s*[a-z0-9-]+/i, '').replace(/\/?>$/, '');
  const re = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of inner.matchAll(re)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!name || name in attributes) continue;
    attributes[name] = decodeHtmlEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

/** The inside of a start tag: anything but '>', with quoted attribute values allowed to contain '>'. */
const TAG_BODY = `(?:[^>"']|"[^"]*"|'[^']*')*`;

const SKIPPED_INPUT_TYPES = new Set(['submit', 'button', 'image', 'reset', 'file']);

/**
 * Extracts the first `<form>` of `html` (or the one with the given `id`): its action, method and
 * submittable field values. Throws when there is no such form.
 */
export function extractForm(html: string, options: { id?: string } = {}): ExtractedForm {
  const forms = [...html.matchAll(new RegExp(`<form\\b${TAG_BODY}>[\\s\\S]*?<\\/form\\s*>`, 'gi'))];
  const match = forms.find((m) => options.id === undefined || parseAttributes(startTag(m[0])).id === options.id);
  if (!match) throw new Error(`HttpBrowser: no <form${options.id === undefined ? '' : ` id="${options.id}"`}> found in page`);
  const source = match[0];
  const formAttributes = parseAttributes(startTag(source));
  const fields: Record<string, string> = {};

  for (const tag of source.matchAll(new RegExp(`<(input|textarea|select)\\b${TAG_BODY}>`, 'gi'))) {
    const kind = (tag[1] ?? '').toLowerCase();
    const attributes = parseAttributes(tag[0]);
    const name = attributes.name;
    if (!name || 'disabled' in attributes) continue;
    if (kind === 'input') {
      const type = (attributes.type ?? 'text').toLowerCase();
      if (SKIPPED_INPUT_TYPES.has(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !('checked' in attributes)) continue;
      fields[name] = attributes.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
    } else if (kind === 'textarea') {
      const rest = source.slice((tag.index ?? 0) + tag[0].length);
      const end = rest.search(/<\/textarea\s*>/i);
      fields[name] = decodeHtmlEntities(end === -1 ? '' : rest.slice(0, end));
    } else {
      const rest = source.slice((tag.index ?? 0) + tag[0].length);
      const end = rest.search(/<\/select\s*>/i);
      const options = [...(end === -1 ? '' : rest.slice(0, end)).matchAll(new RegExp(`<option\\b${TAG_BODY}>([^<]*)`, 'gi'))];
      const chosen = options.find((o) => 'selected' in parseAttributes(startTag(o[0]))) ?? options[0];
      if (chosen) {
        const attrs = parseAttributes(startTag(chosen[0]));
        fields[name] = attrs.value ?? decodeHtmlEntities((chosen[1] ?? '').trim());
      }
    }
  }

  return {
    action: formAttributes.action ?? '',
    method: (formAttributes.method ?? 'get').toUpperCase(),
    fields,
  };
}

function startTag(source: string): string {
  return new RegExp(`^<[a-z0-9-]+${TAG_BODY}>`, 'i').exec(source)?.[0] ?? source;
}
