// Input of the service-account surface (API bodies and CLI options), checked like the rest of the
// admin input: strict, and every refusal names the field and what is accepted.
import { badRequest, onlyFields, optionalText, text, type Fields } from '../admin/input.js';

/**
 * Service-account names are usernames (they appear in grants, run attribution and as the Basic
 * username), so they are kept to characters that are unambiguous everywhere those go.
 */
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const MAX_DESCRIPTION = 500;
const MAX_GROUPS = 100;

export interface ServiceAccountInput {
  readonly name: string;
  readonly description: string | null;
  readonly groups: readonly string[];
}

export interface ServiceAccountChanges {
  readonly description?: string | null;
  readonly groups?: readonly string[];
  readonly disabled?: boolean;
}

export function serviceAccountName(input: Fields, field = 'name'): string {
  const name = text(input, field);
  if (!NAME.test(name)) throw badRequest(`${field} must be 1–63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (got ${JSON.stringify(name)})`);
  return name;
}

function description(input: Fields): string | null {
  if (input.description === null || input.description === '') return null;
  const d = optionalText(input, 'description');
  if (d !== undefined && d.length > MAX_DESCRIPTION) throw badRequest(`description is longer than ${MAX_DESCRIPTION} characters`);
  return d ?? null;
}

function groups(input: Fields): string[] {
  const v = input.groups;
  if (!Array.isArray(v)) throw badRequest('groups must be a list of group names');
  if (v.length > MAX_GROUPS) throw badRequest(`a service account belongs to at most ${MAX_GROUPS} groups`);
  const names = v.map((g, i) => text({ [`groups[${i}]`]: g }, `groups[${i}]`));
  return [...new Set(names)];
}

export function serviceAccountInput(input: Fields): ServiceAccountInput {
  onlyFields(input, ['name', 'description', 'groups'], 'service account');
  return { name: serviceAccountName(input), description: description(input), groups: input.groups === undefined ? [] : groups(input) };
}

export function serviceAccountChanges(input: Fields): ServiceAccountChanges {
  onlyFields(input, ['description', 'groups', 'disabled'], 'service account');
  if (input.disabled !== undefined && typeof input.disabled !== 'boolean') throw badRequest('disabled must be true or false');
  if (Object.keys(input).length === 0) throw badRequest('Nothing to change: send description, groups or disabled');
  return {
    ...(input.description !== undefined ? { description: description(input) } : {}),
    ...(input.groups !== undefined ? { groups: groups(input) } : {}),
    ...(typeof input.disabled === 'boolean' ? { disabled: input.disabled } : {}),
  };
}
