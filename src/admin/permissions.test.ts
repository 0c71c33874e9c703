import { describe, expect, it } from 'vitest';
import type { Caller } from './caller.js';
import { assertNoSelfEscalation } from './permissions.js';
import type { StoredPrincipal } from './principals.js';

// The pure part of the no-self-escalation rule: what a non-admin manager may do to grants that
// reach themselves. The integration side (the policy computing `own`) is in
// test/security/no-self-escalation.test.ts.
const alice = { user: { id: 'u-alice', username: 'alice', groups: ['team-a'], isAdmin: false }, limits: {} } as unknown as Caller;
const teamA: StoredPrincipal = { type: 'group', key: 'team-a', name: 'team-a' };
const self: StoredPrincipal = { type: 'user', key: 'u-alice', name: 'alice' };
const refused = (f: () => void, msg: RegExp) => expect(f).toThrow(msg);

describe('assertNoSelfEscalation', () => {
  it('allows sharing with an own group up to the own level when the own level does not rise', () => {
    expect(() => assertNoSelfEscalation(alice, teamA, null, 'EDIT', { before: 'MANAGE', after: 'MANAGE' })).not.toThrow();
    expect(() => assertNoSelfEscalation(alice, teamA, 'READ', 'MANAGE', { before: 'MANAGE', after: 'MANAGE' })).not.toThrow();
  });

  it('no self-escalation: refuses a group share above the own level', () => {
    refused(() => assertNoSelfEscalation(alice, teamA, null, 'MANAGE', { before: 'EDIT', after: 'MANAGE' }), /at most at your own level \(EDIT\), not MANAGE/);
  });

  it('no self-escalation: refuses a group share that would raise the own effective level', () => {
    refused(() => assertNoSelfEscalation(alice, teamA, 'NO_PERMISSIONS', 'READ', { before: 'READ', after: 'EDIT' }), /would raise your own level \(READ → EDIT\)/);
  });

  it('no self-escalation: without the policy simulation a group share is refused as before', () => {
    refused(() => assertNoSelfEscalation(alice, teamA, null, 'READ'), /only an administrator may create the grant of group team-a/);
  });

  it('no self-escalation: never creates or raises a personal grant, whatever the levels', () => {
    refused(() => assertNoSelfEscalation(alice, self, null, 'READ', { before: 'MANAGE', after: 'MANAGE' }), /only an administrator may create your own grant/);
    refused(() => assertNoSelfEscalation(alice, self, 'READ', 'EDIT', { before: 'MANAGE', after: 'MANAGE' }), /lower your own grant but not raise it/);
  });

  it('allows lowering, and deleting only at MANAGE', () => {
    expect(() => assertNoSelfEscalation(alice, teamA, 'EDIT', 'READ')).not.toThrow();
    expect(() => assertNoSelfEscalation(alice, teamA, 'MANAGE', 'delete')).not.toThrow();
    refused(() => assertNoSelfEscalation(alice, teamA, 'NO_PERMISSIONS', 'delete'), /set it to NO_PERMISSIONS instead/);
    refused(() => assertNoSelfEscalation(alice, self, 'READ', 'delete', { before: 'MANAGE', after: 'MANAGE' }), /deleting your own grant \(READ\)/);
  });

  it('allows un-sharing with an own group when the own level does not rise, and refuses it when it would', () => {
    expect(() => assertNoSelfEscalation(alice, teamA, 'EDIT', 'delete', { before: 'MANAGE', after: 'MANAGE' })).not.toThrow();
    refused(() => assertNoSelfEscalation(alice, teamA, 'NO_PERMISSIONS', 'delete', { before: 'READ', after: 'EDIT' }), /could raise your own level/);
  });
});
