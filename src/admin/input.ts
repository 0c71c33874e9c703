// Strict parsing of admin input (API bodies and query strings, CLI options). Shared by the HTTP
// API and the CLI so both refuse exactly the same things with exactly the same messages. Every
// refusal is GW_BAD_REQUEST naming the field and what is accepted: an admin surface must never
// guess what a typo meant (a misspelt level silently becoming NO_PERMISSIONS would be a bug).
import { GatewayError } from '../errors/index.js';
import { ACTIONS, CHILD_PARENT, GRANT_LEVELS, RESOURCE_TYPES, isChildType, validatePattern, type Action, type GrantLevel, type PatternRule, type ResourceType } from '../policy/index.js';

export const PRINCIPAL_TYPES = ['user', 'group'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];
export const MATCHERS = ['glob', 'regex'] as const;

/** Longest id, name or group the admin surface accepts: far above real MLflow ids, far below abuse. */
const MAX_TEXT = 512;

export type Fields = Readonly<Record<string, unknown>>;

export function badRequest(message: string): GatewayError {
  return new GatewayError('GW_BAD_REQUEST', message);
}

/** Refuses fields the endpoint does not know (a misspelt optional field must not be ignored). */
export function onlyFields(input: Fields, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(input).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(`Unknown ${where} field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; accepted: ${allowed.join(', ')}`);
  }
}

/** A non-empty string without control characters, at most MAX_TEXT characters. */
export function text(input: Fields, field: string): string {
  const v = input[field];
  if (v === undefined || v === null || v === '') throw badRequest(`${field} is required`);
  if (typeof v !== 'string') throw badRequest(`${field} must be a string (got ${typeName(v)})`);
  if (v.length > MAX_TEXT) throw badRequest(`${field} is longer than ${MAX_TEXT} characters`);
  // Control characters in an id are never legitimate and would make audit lines misleading.
  if (/[\u0000-\u001f\u007f]/.test(v)) throw badRequest(`${field} must not contain control characters`);
  return v;
}

export function optionalText(input: Fields, field: string): string | undefined {
  return input[field] === undefined ? undefined : text(input, field);
}

/** One of a fixed list, spelled exactly (levels are upper case, types and actions lower case). */
export function oneOf<T extends string>(input: Fields, field: string, allowed: readonly T[]): T {
  const v = text(input, field);
  if (!(allowed as readonly string[]).includes(v)) {
    throw badRequest(`Unknown ${field} ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/** A whole number in [min, max], given as a number or a decimal string (query parameters). */
export function optionalInt(input: Fields, field: string, min: number, max: number): number | undefined {
  const v = input[field];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${field} must be a whole number from ${min} to ${max}`);
  return n;
}

export interface ResourceRef {
  readonly type: ResourceType;
  readonly id: string;
}

/** Who a grant or rule is for, as the caller names it (a username, not a user id). */
export interface PrincipalRef {
  readonly type: PrincipalType;
  readonly name: string;
}

export interface GrantKey {
  readonly principal: PrincipalRef;
  readonly resource: ResourceRef;
}

export interface GrantInput extends GrantKey {
  readonly level: GrantLevel;
  /** Only on a grant on a child resource, only by administrators (checked by the route). */
  readonly overrideParentDeny: boolean;
}

export interface PatternInput {
  readonly principal: PrincipalRef;
  readonly resourceType: ResourceType;
  readonly matcher: PatternRule['matcher'];
  readonly pattern: string;
  readonly level: GrantLevel;
}

interface ExplainResource {
  readonly type: ResourceType;
  readonly id: string;
  readonly name?: string;
}

export interface ExplainInput {
  readonly username: string;
  readonly action: Action;
  /** A child resource may name its parent; without one the API asks MLflow (the CLI cannot). */
  readonly resource: ExplainResource & { readonly parent?: ExplainResource };
}

export function principalRef(input: Fields): PrincipalRef {
  return { type: oneOf(input, 'principal_type', PRINCIPAL_TYPES), name: text(input, 'principal') };
}

export function resourceRef(input: Fields): ResourceRef {
  return { type: oneOf(input, 'resource_type', RESOURCE_TYPES), id: text(input, 'resource_id') };
}

const GRANT_KEY_FIELDS = ['principal_type', 'principal', 'resource_type', 'resource_id'] as const;

export function grantKey(input: Fields): GrantKey {
  onlyFields(input, GRANT_KEY_FIELDS, 'grant');
  return { principal: principalRef(input), resource: resourceRef(input) };
}

export function grantInput(input: Fields): GrantInput {
  onlyFields(input, [...GRANT_KEY_FIELDS, 'level', 'override_parent_deny'], 'grant');
  const resource = resourceRef(input);
  const level = oneOf(input, 'level', GRANT_LEVELS);
  const override = input.override_parent_deny;
  if (override !== undefined && typeof override !== 'boolean') throw badRequest(`override_parent_deny must be true or false (got ${typeName(override)})`);
  if (override === true && !isChildType(resource.type)) {
    throw badRequest(`override_parent_deny is only for grants on a child resource (run, trace, logged_model, model_version, prompt_version), not on ${resource.type}`);
  }
  if (override === true && level === 'DENY') throw badRequest('override_parent_deny lifts a DENY on the parent; it cannot be set on a DENY grant');
  return { principal: principalRef(input), resource, level, overrideParentDeny: override === true };
}

export function patternInput(input: Fields): PatternInput {
  onlyFields(input, ['principal_type', 'principal', 'resource_type', 'matcher', 'pattern', 'level'], 'pattern rule');
  const principal = principalRef(input);
  const resourceType = oneOf(input, 'resource_type', RESOURCE_TYPES);
  const matcher = oneOf(input, 'matcher', MATCHERS);
  const pattern = input.pattern;
  if (typeof pattern !== 'string') throw badRequest(`pattern must be a string (got ${typeName(pattern)})`);
  // The policy's own validator: a rule the API accepts is a rule the policy can evaluate.
  const unusable = validatePattern(matcher, pattern);
  if (unusable !== null) throw badRequest(`${matcher} pattern ${JSON.stringify(pattern)} cannot be used: ${unusable}`);
  return { principal, resourceType, matcher, pattern, level: oneOf(input, 'level', GRANT_LEVELS) };
}

/** The changes of PATCH patterns/<id>: pattern, matcher and/or level (who and which type stay). */
export function patternChanges(input: Fields, current: Pick<PatternRule, 'matcher' | 'pattern'>): Partial<Pick<PatternRule, 'matcher' | 'pattern' | 'level'>> {
  onlyFields(input, ['matcher', 'pattern', 'level'], 'pattern rule change');
  if (Object.keys(input).length === 0) throw badRequest('Nothing to change: send pattern, matcher and/or level');
  const matcher = input.matcher === undefined ? current.matcher : oneOf(input, 'matcher', MATCHERS);
  if (input.pattern !== undefined && typeof input.pattern !== 'string') throw badRequest(`pattern must be a string (got ${typeName(input.pattern)})`);
  const pattern = input.pattern === undefined ? current.pattern : (input.pattern as string);
  // The pair is checked as it will be stored: a new matcher must suit the kept pattern, and the reverse.
  const unusable = validatePattern(matcher, pattern);
  if (unusable !== null) throw badRequest(`${matcher} pattern ${JSON.stringify(pattern)} cannot be used: ${unusable}`);
  return {
    ...(input.matcher !== undefined ? { matcher } : {}),
    ...(input.pattern !== undefined ? { pattern } : {}),
    ...(input.level !== undefined ? { level: oneOf(input, 'level', GRANT_LEVELS) } : {}),
  };
}

export function explainInput(input: Fields): ExplainInput {
  onlyFields(input, ['user', 'action', 'resource'], 'explain');
  const username = text(input, 'user');
  const action = oneOf(input, 'action', ACTIONS);
  const r = input.resource;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw badRequest('resource must be an object {type, id, name?}');
  const res = r as Fields;
  onlyFields(res, ['type', 'id', 'name', 'parent'], 'resource');
  const resource = explainResource(res);
  if (res.parent === undefined) return { username, action, resource };
  if (!isChildType(resource.type)) throw badRequest(`resource.parent is only for child resources (run, trace, logged_model, model_version, prompt_version), not ${resource.type}`);
  const p = res.parent;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw badRequest('resource.parent must be an object {type, id, name?}');
  onlyFields(p as Fields, ['type', 'id', 'name'], 'resource.parent');
  const parent = explainResource(p as Fields);
  const expected = CHILD_PARENT[resource.type];
  if (parent.type !== expected) throw badRequest(`the parent of a ${resource.type} is a ${expected}, not a ${parent.type}`);
  return { username, action, resource: { ...resource, parent } };
}

function explainResource(res: Fields): ExplainResource {
  const name = optionalText(res, 'name');
  return { type: oneOf(res, 'type', RESOURCE_TYPES), id: text(res, 'id'), ...(name !== undefined ? { name } : {}) };
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
