import { describe, expect, it } from 'vitest';
import { evaluateMapping, firstMappedValue, MappingSyntaxError, parseMapping } from './mapping.js';

const claims = {
  sub: '42', preferred_username: 'alice', email: 'Alice@Example.com', id: 1234,
  groups: ['mlflow-admins', 'mlflow-team-a', 'other'],
  realm_access: { roles: ['offline_access', 'analyst'] },
  resource_access: { mlflow: { roles: ['editor'] } },
  'cognito:groups': ['cg'],
  'https://example.com/roles': ['a0-role'],
  csv: 'a, b,,c',
};

const val = (src: string, c: Record<string, unknown> = claims) => firstMappedValue(parseMapping(src), c);
const all = (src: string, c: Record<string, unknown> = claims) => evaluateMapping(parseMapping(src), c, { splitCommaStrings: true });

describe('claim mapping expressions', () => {
  it('picks the first alternative present, with | or , (the old list form)', () => {
    expect(val('preferred_username|email')).toBe('alice');
    expect(val('nickname | email')).toBe('Alice@Example.com');
    expect(val('nickname,preferred_username')).toBe('alice');
    expect(val('nickname')).toBeUndefined();
    expect(val('id')).toBe('1234'); // numeric ids spelled out
  });

  it('takes the local part or domain of a well-formed address only', () => {
    expect(val('localpart(email)')).toBe('Alice');
    expect(val('lower(localpart(email))')).toBe('alice');
    expect(val('domain(email)')).toBe('example.com');
    expect(val('localpart(email)|sub', { email: 'x@evil.com@example.com', sub: 's' })).toBe('s');
  });

  it('reads nested, colon and namespaced paths and joins them with +', () => {
    expect(all('realm_access.roles + resource_access.mlflow.roles')).toEqual(['offline_access', 'analyst', 'editor']);
    expect(all('cognito:groups')).toEqual(['cg']);
    expect(all('https://example.com/roles')).toEqual(['a0-role']);
    expect(all('https://example\\.com/roles')).toEqual(['a0-role']);
  });

  it('filters and rewrites groups by prefix and suffix', () => {
    expect(all('strip_prefix(groups, "mlflow-")')).toEqual(['admins', 'team-a']);
    expect(all('prefix(groups, "okta:")')).toEqual(['okta:mlflow-admins', 'okta:mlflow-team-a', 'okta:other']);
    expect(all('strip_suffix(groups, "-a")')).toEqual(['mlflow-team']);
    expect(all('suffix(cognito:groups, "@pool")')).toEqual(['cg@pool']);
    expect(all('strip_prefix(groups, "mlflow-admins")')).toEqual([]); // nothing left is not a group
  });

  it('splits a comma-separated groups string when asked', () => {
    expect(all('csv')).toEqual(['a', 'b', 'c']);
    expect(evaluateMapping(parseMapping('csv'), claims)).toEqual(['a, b,,c']);
  });

  it('falls through alternatives inside functions and parentheses', () => {
    expect(all('prefix((missing | groups), "x:")')).toHaveLength(3);
    expect(all('strip_prefix(missing|realm_access.roles, "ana")')).toEqual(['lyst']);
  });

  it.each([
    ['', /empty/],
    ['eval(groups)', /unknown function "eval"/],
    ['prefix(groups)', /needs a second argument/],
    ['prefix(groups, groups)', /quoted/],
    ['groups)', /unexpected text/],
    ['(groups', /expected "\)"/],
    ['a..b', /empty segment/],
    ['"unterminated', /unterminated/],
    ['lower(lower(lower(lower(lower(lower(lower(lower(lower(x)))))))))', /deeper/],
    ['x'.repeat(1001), /longer than/],
  ])('refuses %j', (src, message) => {
    expect(() => parseMapping(src)).toThrow(MappingSyntaxError);
    expect(() => parseMapping(src)).toThrow(message);
  });
});
