import { describe, expect, it } from 'vitest';
import { ClaimPathError, claimAtPath, parseClaimPath } from './path.js';

describe('claim paths', () => {
  it('reads nested paths (Keycloak realm and client roles)', () => {
    const kc = { realm_access: { roles: ['r1'] }, resource_access: { mlflow: { roles: ['c1'] } } };
    expect(claimAtPath(kc, 'realm_access.roles')).toEqual(['r1']);
    expect(claimAtPath(kc, 'resource_access.mlflow.roles')).toEqual(['c1']);
    expect(claimAtPath(kc, 'resource_access.other.roles')).toBeUndefined();
  });

  it('reads names with colons (Cognito) and namespaced URL names (Auth0), escaped or not', () => {
    expect(claimAtPath({ 'cognito:groups': ['g'] }, 'cognito:groups')).toEqual(['g']);
    const auth0 = { 'https://example.com/groups': ['a0'] };
    expect(claimAtPath(auth0, 'https://example.com/groups')).toEqual(['a0']);
    expect(claimAtPath(auth0, 'https://example\\.com/groups')).toEqual(['a0']);
  });

  it('an escaped dot never splits: it names exactly one claim', () => {
    const tricky = { a: { b: 'nested' } };
    expect(claimAtPath(tricky, 'a.b')).toBe('nested');
    expect(claimAtPath(tricky, 'a\\.b')).toBeUndefined();
    expect(claimAtPath({ 'a.b': 'literal', a: { b: 'nested' } }, 'a.b')).toBe('literal'); // literal key wins
  });

  it('reads names containing dots at any level (Kubernetes)', () => {
    const k8s = { 'kubernetes.io': { namespace: 'ml', serviceaccount: { name: 'trainer' } } };
    expect(claimAtPath(k8s, 'kubernetes.io.namespace')).toBe('ml');
    expect(claimAtPath(k8s, 'kubernetes.io.serviceaccount.name')).toBe('trainer');
    expect(claimAtPath(k8s, 'kubernetes.namespace')).toBeUndefined();
  });

  it('reads own properties only', () => {
    expect(claimAtPath({}, 'constructor')).toBeUndefined();
    expect(claimAtPath({ a: 'x' }, 'a.length')).toBeUndefined();
    expect(claimAtPath({}, '__proto__')).toBeUndefined();
  });

  it('refuses malformed paths', () => {
    expect(() => parseClaimPath('a..b')).toThrow(ClaimPathError);
    expect(() => parseClaimPath('')).toThrow(ClaimPathError);
    expect(() => parseClaimPath('a\\b')).toThrow(/backslash/);
    expect(parseClaimPath('a\\\\b.c')).toEqual(['a\\b', 'c']);
  });
});
