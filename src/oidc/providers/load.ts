import { parseAllowedDomain } from '../../claims/email.js';
import { isLoopbackUrl } from '../../config/loopback.js';
import { presetNamed, presetNames } from './presets.js';
import { envPrefix, PROVIDER_ID_RE, PROVIDER_SETTINGS, type ProviderSetting, type ProviderSettingKey } from './settings.js';
import { LEGACY_PROVIDER_ID, type ProviderConfig, type SamlSettings } from './types.js';
import { samlDraftDefaults, samlDraftProblems, samlProviderFields } from '../../saml/config.js';

export interface ProviderProblem {
  readonly env: string;
  readonly message: string;
}

export interface ProviderSources {
  readonly env: Record<string, string | undefined>;
  /** The YAML file's `providers:` value (anything: it is validated here). */
  readonly fileProviders: unknown;
  readonly fileName: string | undefined;
  /** Top-level settings already parsed by the config loader (the `OIDC_*` provider's values). */
  readonly top: Readonly<Record<string, unknown>>;
  /** Env name of each top-level setting, e.g. issuer → OIDC_ISSUER. */
  readonly topEnv: (key: string) => string;
  /** Top-level settings the operator gave (environment or file), as opposed to defaults; all when absent. */
  readonly topExplicit?: ReadonlySet<string>;
  /** Whether any `OIDC_ISSUER`/`OIDC_CLIENT_ID` (or YAML `issuer`/`clientId`) was given. */
  readonly legacyConfigured: boolean;
  /** Public URL without trailing slash, if it parsed. */
  readonly publicUrl: string | undefined;
}

const CALLBACK = '/_gateway/callback';

/**
 * Builds the list of providers. Sources, in this order:
 *  - the classic `OIDC_*` settings define provider `oidc` (first, so it keeps `/_gateway/callback`);
 *  - `GATEWAY_PROVIDERS=entra,github` lists further ids, each configured by
 *    `GATEWAY_PROVIDER_<ID>_<SETTING>` variables and/or the YAML entry with that id;
 *  - without GATEWAY_PROVIDERS, the ids are those of the YAML `providers:` list.
 * Every problem is reported with the name the operator typed.
 */
export function loadProviders(src: ProviderSources, problems: ProviderProblem[], notices: string[]): ProviderConfig[] {
  const fileEntries = readFileEntries(src, problems);
  const listed = src.env.GATEWAY_PROVIDERS !== undefined && src.env.GATEWAY_PROVIDERS.trim() !== ''
    ? src.env.GATEWAY_PROVIDERS.split(/[\s,]+/).filter(Boolean)
    : [...fileEntries.keys()];
  if (src.env.GATEWAY_PROVIDERS?.trim()) {
    for (const [id, entry] of fileEntries) {
      if (!listed.includes(id)) problems.push({ env: entry.path, message: `configures provider ${id}, which GATEWAY_PROVIDERS does not list (add it there or remove the entry)` });
    }
  }
  const ids = listed.includes(LEGACY_PROVIDER_ID) || (!src.legacyConfigured && listed.length > 0) ? listed : [LEGACY_PROVIDER_ID, ...listed];
  checkUnknownEnv(src.env, ids, problems);

  const seen = new Set<string>();
  const providers: ProviderConfig[] = [];
  ids.forEach((id, index) => {
    if (!PROVIDER_ID_RE.test(id)) {
      problems.push({ env: 'GATEWAY_PROVIDERS', message: `provider id ${JSON.stringify(id)} must be a slug: lower-case letters, digits and -, starting with a letter, at most 32 characters` });
      return;
    }
    if (seen.has(id)) {
      problems.push({ env: 'GATEWAY_PROVIDERS', message: `provider id ${id} is listed twice; ids must be unique` });
      return;
    }
    seen.add(id);
    const p = id === LEGACY_PROVIDER_ID
      ? legacyProvider(src, fileEntries, problems)
      : namedProvider(src, id, fileEntries.get(id), problems);
    if (p) providers.push(finish(p, index === 0, src.publicUrl, problems, notices));
  });

  // Issuers are unique among the JWT providers (a token's iss picks its provider) and among the SAML
  // ones (an assertion's issuer names its IdP); one IdP may be both (Keycloak's realm URL is its
  // OIDC issuer and its SAML entity id).
  const byIssuer = new Map<string, string>();
  for (const p of providers) {
    const key = `${p.kind === 'saml' ? 'saml' : 'jwt'} ${p.issuer}`;
    const other = byIssuer.get(key);
    if (other) problems.push({ env: p.settingsName, message: `has the same issuer as provider ${other} (${p.issuer}); each provider needs its own issuer, since a token's iss picks its provider` });
    else byIssuer.set(key, p.id);
  }
  return providers;
}

interface FileEntry {
  readonly path: string;
  readonly values: Record<string, unknown>;
}

function readFileEntries(src: ProviderSources, problems: ProviderProblem[]): Map<string, FileEntry> {
  const out = new Map<string, FileEntry>();
  if (src.fileProviders === undefined || src.fileProviders === null) return out;
  const file = src.fileName ?? 'config file';
  if (!Array.isArray(src.fileProviders)) {
    problems.push({ env: `${file}: providers`, message: 'must be a list of providers, each a mapping with an id' });
    return out;
  }
  src.fileProviders.forEach((entry: unknown, i) => {
    const path = `${file}: providers[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ env: path, message: 'must be a mapping (id, issuer, clientId, …)' });
      return;
    }
    const { id, ...values } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || !PROVIDER_ID_RE.test(id)) {
      problems.push({ env: `${path}.id`, message: 'is required and must be a slug: lower-case letters, digits and -, starting with a letter, at most 32 characters' });
      return;
    }
    if (id === LEGACY_PROVIDER_ID) {
      problems.push({ env: `${path}.id`, message: `${LEGACY_PROVIDER_ID} is reserved for the provider configured by the top-level OIDC settings (issuer, clientId…); choose another id` });
      return;
    }
    if (out.has(id)) {
      problems.push({ env: `${path}.id`, message: `provider id ${id} appears twice; ids must be unique` });
      return;
    }
    for (const key of Object.keys(values)) {
      if (!(key in PROVIDER_SETTINGS)) problems.push({ env: `${path}.${key}`, message: `is not a provider setting (known: id, ${Object.keys(PROVIDER_SETTINGS).join(', ')})` });
    }
    out.set(id, { path, values });
  });
  return out;
}

/** A misspelt `GATEWAY_PROVIDER_…` variable would silently do nothing: refuse it. */
function checkUnknownEnv(env: Record<string, string | undefined>, ids: readonly string[], problems: ProviderProblem[]): void {
  const known = new Set<string>();
  for (const id of ids) {
    if (id === LEGACY_PROVIDER_ID) continue;
    for (const s of Object.values(PROVIDER_SETTINGS)) known.add(`${envPrefix(id)}${s.suffix}`);
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith('GATEWAY_PROVIDER_') && env[name] !== undefined && !known.has(name)) {
      problems.push({ env: name, message: `is not a known setting: provider settings are GATEWAY_PROVIDER_<ID>_<${Object.values(PROVIDER_SETTINGS).map((s) => s.suffix).join('|')}> for an id listed in GATEWAY_PROVIDERS` });
    }
  }
}

/** A provider before defaults that depend on its position and the public URL. */
interface Draft {
  id: string;
  settingsName: string;
  name: (key: ProviderSettingKey) => string;
  values: Partial<Record<ProviderSettingKey, unknown>>;
}

function legacyProvider(src: ProviderSources, fileEntries: Map<string, FileEntry>, problems: ProviderProblem[]): Draft | undefined {
  void fileEntries;
  const values: Partial<Record<ProviderSettingKey, unknown>> = {};
  const name = (key: ProviderSettingKey) => {
    const s = PROVIDER_SETTINGS[key];
    return 'legacyKey' in s ? src.topEnv(s.legacyKey) : `OIDC_${(s as ProviderSetting).suffix}`;
  };
  // OIDC_PRESET fills in what the operator did not set (a top-level default does not count as set).
  const preset = src.top.preset === undefined ? undefined : presetNamed(String(src.top.preset));
  const given: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(PROVIDER_SETTINGS) as [ProviderSettingKey, (typeof PROVIDER_SETTINGS)[ProviderSettingKey]][]) {
    if ('legacyKey' in s && src.top[s.legacyKey] !== undefined && (src.topExplicit?.has(s.legacyKey) ?? true)) given[key] = src.top[s.legacyKey];
  }
  const presetDefaults = preset?.defaults(given) ?? {};
  let invalid = false;
  for (const [key, s] of Object.entries(PROVIDER_SETTINGS) as [ProviderSettingKey, (typeof PROVIDER_SETTINGS)[ProviderSettingKey]][]) {
    if (given[key] !== undefined) values[key] = given[key];
    else if (presetDefaults[key] !== undefined) {
      const parsed = s.schema.safeParse(presetDefaults[key]);
      if (parsed.success) values[key] = parsed.data;
      else {
        invalid = true;
        problems.push({ env: name(key), message: parsed.error.issues.map((i) => i.message).join('; ') });
      }
    } else if ('legacyKey' in s && src.top[s.legacyKey] !== undefined) values[key] = src.top[s.legacyKey];
  }
  for (const [key, message] of preset?.validate?.(values) ?? []) {
    invalid = true;
    problems.push({ env: name(key), message });
  }
  let missing = invalid;
  for (const key of ['issuer', 'clientId'] as const) {
    if (values[key] === undefined) {
      missing = true;
      // The top-level loader already reported a value that did not parse.
      if (!problems.some((p) => p.env === name(key))) {
        problems.push({ env: name(key), message: `is required: ${key === 'issuer' ? 'the OpenID Provider issuer URL' : 'the client id registered at the IdP'} (or configure providers with GATEWAY_PROVIDERS / the YAML providers: list)` });
      }
    }
  }
  return missing ? undefined : { id: LEGACY_PROVIDER_ID, settingsName: 'OIDC_*', name, values };
}

function namedProvider(src: ProviderSources, id: string, entry: FileEntry | undefined, problems: ProviderProblem[]): Draft | undefined {
  const prefix = envPrefix(id);
  const fromEnv = (key: ProviderSettingKey) => src.env[`${prefix}${PROVIDER_SETTINGS[key].suffix}`];
  const name = (key: ProviderSettingKey) => (fromEnv(key) !== undefined || !entry ? `${prefix}${PROVIDER_SETTINGS[key].suffix}` : `${entry.path}.${key}`);
  const given: Record<string, unknown> = {};
  for (const key of Object.keys(PROVIDER_SETTINGS) as ProviderSettingKey[]) {
    const v = fromEnv(key) ?? entry?.values[key];
    if (v !== undefined && v !== '') given[key] = v;
  }
  let presetDefaults: Partial<Record<ProviderSettingKey, unknown>> = {};
  if (given.preset !== undefined) {
    const preset = presetNamed(String(given.preset));
    if (!preset) {
      const known = presetNames();
      problems.push({ env: name('preset'), message: `is not a known preset${known.length > 0 ? ` (known: ${known.join(', ')})` : ' (none are available in this build)'}` });
      return undefined;
    }
    presetDefaults = preset.defaults(given);
  }
  const saml = given.kind === 'saml';
  if (saml) presetDefaults = { ...samlDraftDefaults(), ...presetDefaults };
  const values: Partial<Record<ProviderSettingKey, unknown>> = {};
  let ok = true;
  for (const [key, s] of Object.entries(PROVIDER_SETTINGS) as [ProviderSettingKey, (typeof PROVIDER_SETTINGS)[ProviderSettingKey]][]) {
    const raw = given[key] ?? presetDefaults[key] ?? ('default' in s ? s.default : undefined);
    if (raw === undefined) continue;
    const parsed = s.schema.safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else {
      ok = false;
      problems.push({ env: name(key), message: parsed.error.issues.map((i) => i.message).join('; ') });
    }
  }
  if (saml) {
    for (const [key, message] of samlDraftProblems(values)) {
      ok = false;
      problems.push({ env: name(key), message });
    }
  }
  for (const key of saml ? [] : (['issuer', 'clientId'] as const)) {
    if (given[key] === undefined && presetDefaults[key] === undefined) {
      ok = false;
      problems.push({ env: name(key), message: `is required for provider ${id}: ${key === 'issuer' ? 'its issuer URL' : 'the client id registered there for the gateway'}` });
    }
  }
  if (values.preset !== undefined) {
    for (const [key, message] of presetNamed(String(values.preset))?.validate?.(values) ?? []) {
      ok = false;
      problems.push({ env: name(key), message });
    }
  }
  return ok ? { id, settingsName: entry && !Object.keys(PROVIDER_SETTINGS).some((k) => fromEnv(k as ProviderSettingKey) !== undefined) ? entry.path : `${prefix}*`, name, values } : undefined;
}

/** Cross-checks and derived values: issuer form, algorithms, redirect URI, audience. */
function finish(d: Draft, isDefault: boolean, publicUrl: string | undefined, problems: ProviderProblem[], notices: string[]): ProviderConfig {
  const v = d.values;
  if (v.kind === 'saml') return finishSaml(d, publicUrl, problems);
  const issuer = String(v.issuer).replace(/\/\.well-known\/openid-configuration\/?$/, '');
  if (new URL(issuer).protocol === 'http:') {
    if (isLoopbackUrl(issuer)) notices.push(`${d.name('issuer')} uses plain http on loopback: acceptable for the demo and tests only.`);
    else problems.push({ env: d.name('issuer'), message: 'must use https unless the host is localhost/127.0.0.1' });
  }
  const algorithms = (v.algorithms as string[] | undefined) ?? [];
  const weak = algorithms.filter((a) => a === 'none' || /^HS/i.test(a));
  if (weak.length > 0) problems.push({ env: d.name('algorithms'), message: `must list asymmetric algorithms only; remove ${weak.join(', ')}` });
  for (const entry of (v.allowedEmailDomains as string[] | undefined) ?? []) {
    if (!parseAllowedDomain(entry)) problems.push({ env: d.name('allowedEmailDomains'), message: `${JSON.stringify(entry.slice(0, 80))} is not a domain (write example.com, or *.example.com for its subdomains)` });
  }
  const own = `${CALLBACK}/${d.id}`;
  let callbackPath = isDefault ? CALLBACK : own;
  let redirectUri = publicUrl ? `${publicUrl}${callbackPath}` : '';
  if (v.redirectUri !== undefined && publicUrl) {
    const accepted = isDefault ? [`${publicUrl}${CALLBACK}`, `${publicUrl}${own}`] : [`${publicUrl}${own}`];
    if (!accepted.includes(String(v.redirectUri))) {
      problems.push({ env: d.name('redirectUri'), message: `must be ${accepted.join(' or ')} (the gateway's callback for provider ${d.id}), or be left unset` });
    } else {
      redirectUri = String(v.redirectUri);
      callbackPath = redirectUri.slice(publicUrl.length);
    }
  }
  const audience = (v.audience as string[] | undefined) ?? [];
  const preset = v.preset === undefined ? undefined : String(v.preset);
  return {
    id: d.id,
    displayName: v.displayName === undefined ? d.id : String(v.displayName),
    kind: (preset && presetNamed(preset)?.kind) || 'oidc',
    preset,
    issuer,
    clientId: String(v.clientId),
    clientSecret: v.clientSecret === undefined ? undefined : String(v.clientSecret),
    scopes: (v.scopes as string[] | undefined) ?? [],
    redirectUri,
    callbackPath,
    claims: {
      username: String(v.usernameClaim ?? 'preferred_username,email'),
      email: String(v.emailClaim ?? 'email'),
      groups: String(v.groupsClaim ?? 'groups'),
    },
    allowedEmailDomains: (v.allowedEmailDomains as string[] | undefined) ?? [],
    hostedDomains: (v.hostedDomain as string[] | undefined) ?? [],
    graphUrl: String(v.graphUrl ?? 'https://graph.microsoft.com/v1.0'),
    apiUrl: v.apiUrl === undefined ? undefined : String(v.apiUrl),
    allowedGroups: (v.allowedGroups as string[] | undefined) ?? [],
    adminGroups: (v.adminGroups as string[] | undefined) ?? [],
    audience: audience.length > 0 ? audience : [String(v.clientId)],
    algorithms,
    linkByEmail: v.linkByEmail === true,
    settingsName: d.settingsName,
  };
}

/** A SAML provider: the IdP's entity id is its issuer, the gateway's SP entity id its client id. */
function finishSaml(d: Draft, publicUrl: string | undefined, problems: ProviderProblem[]): ProviderConfig {
  const v = d.values;
  const fields = samlProviderFields(d.id, v, publicUrl ?? '', (key, message) => problems.push({ env: d.name(key), message }));
  const saml: SamlSettings = fields.saml;
  return {
    id: d.id,
    displayName: v.displayName === undefined ? d.id : String(v.displayName),
    kind: 'saml',
    preset: undefined,
    issuer: fields.issuer,
    clientId: fields.entityId,
    clientSecret: undefined,
    scopes: [],
    redirectUri: saml.acsUrl,
    callbackPath: fields.acsPath,
    claims: {
      username: String(v.usernameClaim),
      email: String(v.emailClaim),
      groups: String(v.groupsClaim),
    },
    allowedEmailDomains: (v.allowedEmailDomains as string[] | undefined) ?? [],
    hostedDomains: [],
    graphUrl: '',
    apiUrl: undefined,
    allowedGroups: (v.allowedGroups as string[] | undefined) ?? [],
    adminGroups: (v.adminGroups as string[] | undefined) ?? [],
    audience: [fields.entityId],
    algorithms: [],
    linkByEmail: v.linkByEmail === true,
    settingsName: d.settingsName,
    saml,
  };
}
