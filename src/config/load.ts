import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { foreignSettingMessages } from './compat.js';
import { SCHEMA, type SchemaKey } from './schema.js';
import type { FieldSpec } from './types.js';
import { isLoopbackUrl } from './loopback.js';
import { loadProviders } from '../oidc/providers/load.js';
import type { ProviderConfig } from '../oidc/providers/types.js';

export { isLoopbackUrl };

type Out<K extends SchemaKey> = z.output<(typeof SCHEMA)[K]['schema']>;

/** The validated, frozen configuration. Optional settings without a default are `undefined`. */
type Derived = 'audience' | 'redirectUri' | 'providers';
export type Config = {
  readonly [K in Exclude<SchemaKey, Derived>]: (typeof SCHEMA)[K] extends { required: true } | { default: string } ? Out<K> : Out<K> | undefined;
} & {
  /** The identity providers, at least one; the first is the default (it owns `/_gateway/callback`). */
  readonly providers: readonly ProviderConfig[];
  /** Derived, kept for compatibility: the default provider's accepted audiences. */
  readonly audience: readonly string[];
  /** Derived, kept for compatibility: the default provider's redirect URI. */
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

/**
 * Reads settings from `env` (and the YAML file named by GATEWAY_CONFIG_FILE or `file`), validates
 * all of them, and reports every problem at once in "SETTING: what is wrong" form.
 */
export function loadConfig(env: Record<string, string | undefined>, file?: string): LoadResult {
  const notices: string[] = [];
  const problems: ConfigProblem[] = [];
  const fromFile = readYamlFile(file ?? env.GATEWAY_CONFIG_FILE, problems);
  const raw: Record<string, unknown> = {};
  let legacyConfigured = false;
  const explicit = new Set<string>();

  for (const [key, spec] of Object.entries(SCHEMA) as [SchemaKey, FieldSpec][]) {
    if (key === 'providers') continue; // a list of mappings in YAML: src/oidc/providers/load.ts reads it
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
    if (value !== undefined && value !== '') explicit.add(key);
    if ((key === 'issuer' || key === 'clientId') && value !== undefined && value !== '') legacyConfigured = true;
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
  crossChecks(raw, problems);
  const publicUrl = raw.publicUrl === undefined ? undefined : normalizedPublicUrl(String(raw.publicUrl));
  const providers = loadProviders({
    env, fileProviders: fromFile.providers, fileName: file ?? env.GATEWAY_CONFIG_FILE, top: raw, topExplicit: explicit,
    topEnv: (key) => (SCHEMA as Record<string, FieldSpec>)[key]?.env ?? key, legacyConfigured, publicUrl,
  }, problems, notices);
  // The provisioning provider must be one that signs people in (else nobody could ever join a provisioned account).
  if (raw.scimProvider !== undefined && providers.length > 0 && !providers.some((p) => p.id === raw.scimProvider)) {
    problems.push({ env: 'GATEWAY_SCIM_PROVIDER', message: `names no configured provider (configured: ${providers.map((p) => p.id).join(', ')})` });
  }
  if (problems.length > 0) return { ok: false, problems, notices };
  return { ok: true, config: deepFreeze(derive(raw, providers)) as Config, notices };
}

// Provider settings (issuer form, algorithms, redirect URI) are checked per provider in src/oidc/providers/load.ts.
function crossChecks(raw: Record<string, unknown>, problems: ConfigProblem[]): void {
  if (typeof raw.tokenDefaultTtl === 'number' && typeof raw.tokenMaxTtl === 'number' && raw.tokenDefaultTtl > raw.tokenMaxTtl) {
    problems.push({ env: 'GATEWAY_TOKEN_DEFAULT_TTL', message: 'must not be longer than GATEWAY_TOKEN_MAX_TTL' });
  }
  // Fail closed: a metrics listener reachable from other hosts must ask for the scrape token.
  const metricsHost = String(raw.metricsHost ?? '127.0.0.1');
  if (raw.metricsPort !== undefined && raw.metricsToken === undefined && !/^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/.test(metricsHost)) {
    problems.push({ env: 'GATEWAY_METRICS_TOKEN', message: `must be set when the metrics listener is not on loopback (GATEWAY_METRICS_HOST=${metricsHost})` });
  }
  if (raw.publicUrl === undefined) return;
  const publicUrl = new URL(String(raw.publicUrl));
  if (publicUrl.search || publicUrl.hash) problems.push({ env: 'GATEWAY_PUBLIC_URL', message: 'must not contain a query or fragment' });
  if (publicUrl.protocol === 'http:' && !isLoopbackUrl(publicUrl.href)) {
    problems.push({ env: 'GATEWAY_PUBLIC_URL', message: 'must use https unless the host is localhost/127.0.0.1 (cookies would travel in clear text)' });
  }
}

function normalizedPublicUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function derive(raw: Record<string, unknown>, providers: ProviderConfig[]): Record<string, unknown> {
  const publicUrl = new URL(String(raw.publicUrl));
  const basePath = publicUrl.pathname.replace(/\/+$/, '');
  const first = providers[0]!;
  return {
    ...raw,
    // The OIDC_* provider's issuer without a discovery suffix, as before several providers existed.
    ...(raw.issuer !== undefined && first.id === 'oidc' ? { issuer: first.issuer } : {}),
    providers,
    publicUrl: `${publicUrl.origin}${basePath}`,
    upstreamUrl: String(raw.upstreamUrl).replace(/\/+$/, ''),
    audience: first.audience,
    redirectUri: first.redirectUri,
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
    if (key === 'providers') {
      out[key] = (value as ProviderConfig[]).map((p) => ({
        ...p, clientSecret: p.clientSecret === undefined ? undefined : '<set>',
        ...(p.saml ? { saml: { ...p.saml, signingKey: p.saml.signingKey === undefined ? undefined : '<set>' } } : {}),
      }));
      continue;
    }
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
