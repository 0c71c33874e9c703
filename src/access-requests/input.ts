// Parsing of access-request bodies: strict, like the rest of the admin surface.
import { levelRank, type Level } from '../policy/index.js';
import { badRequest, oneOf, onlyFields, resourceRef, type Fields, type ResourceRef } from '../admin/input.js';

/** How long a request waits for a decision before it expires. */
export const ACCESS_REQUEST_TTL_DAYS = 14;
export const MAX_MESSAGE = 1000;
/** Levels one can ask for (NO_PERMISSIONS is not access). */
export const REQUESTABLE: readonly Level[] = ['READ', 'USE', 'EDIT', 'MANAGE'];

export interface NewRequestInput {
  readonly resource: ResourceRef;
  readonly level: Level;
  readonly message: string;
}

/** A free-text message or note: optional, bounded, line breaks allowed, other control characters not. */
export function message(input: Fields, field: string): string {
  const v = input[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  if (v.length > MAX_MESSAGE) throw badRequest(`${field} is longer than ${MAX_MESSAGE} characters`);
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(v)) throw badRequest(`${field} must not contain control characters`);
  return v.trim();
}

export function newRequestInput(input: Fields): NewRequestInput {
  onlyFields(input, ['resource_type', 'resource_id', 'level', 'message'], 'access request');
  return { resource: resourceRef(input), level: oneOf(input, 'level', REQUESTABLE), message: message(input, 'message') };
}

export function approveInput(input: Fields): { level: Level | undefined; note: string } {
  onlyFields(input, ['level', 'note'], 'approval');
  return { level: input.level === undefined ? undefined : oneOf(input, 'level', REQUESTABLE), note: message(input, 'note') };
}

export function declineInput(input: Fields): { note: string } {
  onlyFields(input, ['note'], 'decision');
  return { note: message(input, 'note') };
}

export const atLeastLevel = (held: Level, wanted: Level): boolean => levelRank(held) >= levelRank(wanted);
