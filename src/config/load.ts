import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { foreignSettingMessages } from './compat.js';
import { SCHEMA, type SchemaKey } from './schema.js';
import type { FieldSpec } from './types.js';

type Out<K extends SchemaKey> = z.output<(typeof SCHEMA)[K]['schema']>;

/** The validated, frozen configuration. Optional settings without a default are `undefined`. */
type Derived = 'audience' | 'redirectUri';
export type Config = {
  readonly [K in Exclude<SchemaKey, Derived>]: (typeof SCHEMA)[K] extends { required: true } | { default: string } ? Out<K> : Out<K> | undefined;
} & {
  /** Derived: OIDC_AUDIENCE, or the client id. */
  readonly audience: readonly string[];
  /** Derived: OIDC_REDIRECT_URI, or <public URL>/_gateway/callback. */
  readonly redirectUri: string;
  /** Derived: the public URL's path without trailing slash ('' at the root). */
  readonly basePath: string;
  /** Derived: the public origin, e.g. https://ml.example.com */
  readonly publicOrigin: string;
  /** Derived: true when the public URL is https (cookies get `Secure`). */
  readonly secureCookies: boolean;
};

export interface ConfigProblem {
  readonly env: string;
  readonly message: string;
}

export type LoadResult =
  | { ok: true; config: Config; notices: string[] }
  | { ok: false; problems: ConfigProblem[]; notices: string[] };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.has(new URL(url).hostname);
}

/**
 * Reads settings from `env` (and the YAML file named by GATEWAY_CONFIG_FILE or `file`), validates
 * all of them, and reports every problem at once in "SETTING: what is wrong" form.
 */
export function loadConfig(env: Record<string, string | undefined>, file?: string): LoadResult {
  const notices: string[] = [];
  const problems: ConfigProblem[] = [];
  const fromFile = readYamlFile(file ?? env.GATEWAY_CONFIG_FILE, problems);
  const raw: Record<string, unknown> = {};

  for (const [key, spec] of Object.entries(SCHEMA) as [SchemaKey, FieldSpec][]) {
    let value: unknown = env[spec.env];
    if (value === undefined) {
      for (const alias of spec.aliases ?? []) {
        if (env[alias] !== undefined) {
          value = env[alias];
          notices.push(`${alias} is read as ${spec.env}; rename it (the old name is accepted for compatibility).`);
          break;
        }
      }
    }
    if (value === undefined || value === '') value = fromFile[key];
    if ((value === undefined || value === '') && spec.default !== undefined) value = spec.default;
    if (value === undefined || (value === '' && spec.required)) {
      if (spec.required) problems.push({ env: spec.env, message: `is required: ${firstSentence(spec.description)}` });
      continue;
    }
    const parsed = spec.schema.safeParse(value);
    if (parsed.success) raw[key] = parsed.data;
    else problems.push({ env: spec.env, message: parsed.error.issues.map((i) => i.message).join('; ') });
  }
  for (const key of Object.keys(fromFile)) {
    if (!(key in SCHEMA)) problems.push({ env: `${file ?? env.GATEWAY_CONFIG_FILE}: ${key}`, message: 'is not a known setting (check the spelling against the configuration reference)' });
  }
  const foreign = foreignSettingMessages(env); // mlflow-oidc-auth settings without a counterpart
  notices.push(...foreign.notices);
  problems.push(...foreign.problems);
  // Cross-checks run on whatever parsed, so that one run lists every problem (not field problems first, then these).
  crossChecks(raw, problems, notices);
  if (problems.length > 0) return { ok: false, problems, notices };
  return { ok: true, config: deepFreeze(derive(raw)) as Config, notices };
}

function crossChecks(raw: Record<string, unknown>, problems: ConfigProblem[], notices: string[]): void {
  const algorithms = raw.algorithms as string[] | undefined;
  const weak = (algorithms ?? []).filter((a) => a === 'none' || /^HS/i.test(a));
  if (weak.length > 0) problems.push({ env: 'OIDC_ALGORITHMS', message: `must list asymmetric algorithms only; remove ${weak.join(', ')}` });
  if (raw.issuer !== undefined) {
    const issuer = String(raw.issuer).replace(/\/\.well-known\/openid-configuration\/?$/, '');
    raw.issuer = issuer;
    if (new URL(issuer).protocol === 'http:') {
      if (isLoopbackUrl(issuer)) notices.push('OIDC_ISSUER uses plain http on loopback: acceptable for the demo and tests only.');
      else problems.push({ env: 'OIDC_ISSUER', message: 'must use https unless the host is localhost/127.0.0.1' });
    }
  }
  if (typeof raw.tokenDefaultTtl === 'number' && typeof raw.tokenMaxTtl === 'number' && raw.tokenDefaultTtl > raw.tokenMaxTtl) {
    problems.push({ env: 'GATEWAY_TOKEN_DEFAULT_TTL', message: 'must not be longer than GATEWAY_TOKEN_MAX_TTL' });
  }
  if (raw.publicUrl === undefined) return;
  const publicUrl = new URL(String(raw.publicUrl));
  if (publicUrl.search || publicUrl.hash) problems.push({ env: 'GATEWAY_PUBLIC_URL', message: 'must not contain a query or fragment' });
  if (publicUrl.protocol === 'http:' && !isLoopbackUrl(publicUrl.href)) {
    problems.push({ env: 'GATEWAY_PUBLIC_URL', message: 'must use https unless the host is localhost/127.0.0.1 (cookies would travel in clear text)' });
  }
  if (raw.redirectUri !== undefined) {
    const expected = `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}/_gateway/callback`;
    if (raw.redirectUri !== expected) problems.push({ env: 'OIDC_REDIRECT_URI', message: `must be ${expected} (the gateway's callback), or be left unset` });
  }
}

function derive(raw: Record<string, unknown>): Record<string, unknown> {
  const publicUrl = new URL(String(raw.publicUrl));
  const basePath = publicUrl.pathname.replace(/\/+$/, '');
  const audience = (raw.audience as string[] | undefined) ?? [];
  return {
    ...raw,
    publicUrl: `${publicUrl.origin}${basePath}`,
    upstreamUrl: String(raw.upstreamUrl).replace(/\/+$/, ''),
    audience: audience.length > 0 ? audience : [raw.clientId],
    redirectUri: raw.redirectUri ?? `${publicUrl.origin}${basePath}/_gateway/callback`,
    basePath,
    publicOrigin: publicUrl.origin,
    secureCookies: publicUrl.protocol === 'https:',
  };
}

function readYamlFile(file: string | undefined, problems: ConfigProblem[]): Record<string, unknown> {
  if (!file) return {};
  try {
    const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      problems.push({ env: 'GATEWAY_CONFIG_FILE', message: `${file} must contain a mapping of setting names to values` });
      return {};
    }
    return doc as Record<string, unknown>;
  } catch (err) {
    problems.push({ env: 'GATEWAY_CONFIG_FILE', message: `cannot read ${file}: ${(err as Error).message}` });
    return {};
  }
}

function firstSentence(s: string): string {
  // A sentence ends at a full stop followed by a capital letter, so "e.g. `http…`" stays whole.
  return s.split(/(?<=\.)\s+(?=[A-Z])/)[0] ?? s;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A config for display: secrets replaced by `<set>`, passwords inside URLs (e.g. `postgres://u:pw@db`) masked. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const spec = (SCHEMA as Record<string, FieldSpec>)[key];
    out[key] = spec?.secret && value !== undefined ? '<set>' : typeof value === 'string' ? withoutUrlPassword(value) : value;
  }
  return out;
}

function withoutUrlPassword(value: string): string {
  if (!URL.canParse(value)) return value;
  const url = new URL(value);
  if (url.password === '') return value;
  url.password = 'redacted';
  return url.href;
}
