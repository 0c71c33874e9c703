// Input of a trust rule (API body or CLI options), checked strictly. The checks here are what
// keeps a rule from trusting more than its author meant: an identifying claim must be pinned,
// a glob on it must start with literal text, and the main IdP is not a workload issuer.
import { badRequest, oneOf, onlyFields, text, type Fields } from '../admin/input.js';
import { isLoopbackUrl } from '../config/index.js';
import { serviceAccountName } from '../service-accounts/input.js';
import type { ClaimCondition } from '../store/index.js';
import { PRESET_NAMES, PRESETS, type Preset } from './presets.js';

export interface TrustRuleInput {
  readonly name: string;
  readonly preset: string | null;
  readonly issuer: string;
  readonly jwksUrl: string | null;
  readonly audience: string;
  readonly conditions: readonly ClaimCondition[];
  readonly serviceAccount: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const CLAIM = /^[A-Za-z0-9_:.\-/]{1,200}$/;
const MAX_CONDITIONS = 20;
const MATCHERS = ['exact', 'glob'] as const;
const startsWithWildcard = (v: string) => v.startsWith('*') || v.startsWith('?');

function url(input: Fields, field: string): string {
  const v = text(input, field).trim();
  if (!URL.canParse(v)) throw badRequest(`${field} must be an absolute URL`);
  const u = new URL(v);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackUrl(v))) throw badRequest(`${field} must use https (plain http only on localhost/127.0.0.1)`);
  if (u.search || u.hash) throw badRequest(`${field} must not have a query or fragment`);
  return v;
}

function condition(raw: unknown, i: number, preset: Preset | undefined): ClaimCondition {
  const where = `conditions[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest(`${where} must be an object {claim, value, matcher?: exact|glob}`);
  const c = raw as Fields;
  onlyFields(c, ['claim', 'value', 'matcher'], where);
  const named = text(c, 'claim');
  if (!CLAIM.test(named)) throw badRequest(`${where}.claim ${JSON.stringify(named)} is not a claim name`);
  const value = text(c, 'value');
  const matcher = c.matcher === undefined ? 'exact' : oneOf(c, 'matcher', MATCHERS);
  // A preset's friendly name becomes the claim path; a real claim name passes through unchanged.
  return { claim: preset?.claims[named] ?? named, matcher, value };
}

/** The sets of claims that identify a workload for this rule: the preset's, or `sub` for a generic rule. */
function identifyingSets(preset: Preset | undefined): readonly (readonly string[])[] {
  return preset?.identifying ?? [['sub']];
}

function assertIdentifying(conditions: readonly ClaimCondition[], preset: Preset | undefined): void {
  const sets = identifyingSets(preset);
  const pinned = (claim: string) => conditions.some((c) => c.claim === claim && !(c.matcher === 'glob' && startsWithWildcard(c.value)));
  if (!sets.some((set) => set.every(pinned))) {
    const options = sets.map((s) => s.join(' + ')).join(' or ');
    throw badRequest(`A ${preset ? `${preset.name} ` : ''}trust rule must pin ${options} (exactly, or with a glob that starts with literal text such as my-org/*): otherwise tokens of other workloads of the same issuer would match`);
  }
}

/** `providerIssuers`: the gateway's own identity providers (one string, or every provider's issuer). */
export function trustRuleInput(input: Fields, providerIssuers: string | readonly string[]): TrustRuleInput {
  onlyFields(input, ['name', 'preset', 'issuer', 'jwks_url', 'audience', 'service_account', 'conditions'], 'trust rule');
  const name = text(input, 'name');
  if (!NAME.test(name)) throw badRequest('name must be 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit');
  const presetName = input.preset === undefined || input.preset === null ? null : oneOf(input, 'preset', PRESET_NAMES);
  const preset = presetName === null ? undefined : PRESETS[presetName];
  const issuer = input.issuer === undefined && preset?.issuer ? preset.issuer : url(input, 'issuer');
  const own = (typeof providerIssuers === 'string' ? [providerIssuers] : providerIssuers).map((i) => i.replace(/\/+$/, ''));
  if (own.includes(issuer.replace(/\/+$/, ''))) {
    throw badRequest('issuer is the gateway\'s own identity provider: its users sign in directly, and its client-credentials tokens are mapped with service-accounts/<name>/oauth-clients/<client_id>');
  }
  const jwksUrl = input.jwks_url === undefined || input.jwks_url === null ? null : url(input, 'jwks_url');
  const audience = text(input, 'audience');
  const serviceAccount = serviceAccountName(input, 'service_account');
  const raw = input.conditions;
  if (!Array.isArray(raw) || raw.length === 0) throw badRequest('conditions must be a non-empty list of {claim, value, matcher?: exact|glob}');
  if (raw.length > MAX_CONDITIONS) throw badRequest(`a trust rule has at most ${MAX_CONDITIONS} conditions`);
  const conditions = raw.map((c, i) => condition(c, i, preset));
  assertIdentifying(conditions, preset);
  return { name, preset: presetName, issuer, jwksUrl, audience, conditions, serviceAccount };
}
