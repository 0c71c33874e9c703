import { describe, expect, it } from 'vitest';
import { nextLink } from './api.js';
import { claimsFromGitHub } from './claims.js';

const profile = {
  user: { id: 1, login: 'octocat', name: 'monalisa octocat', email: null },
  emails: [{ email: 'octocat@github.com', primary: true, verified: true }, { email: 'other@example.com', primary: false, verified: true }],
  orgs: [{ login: 'GitHub' }, { login: 'octo-org' }],
  teams: [{ slug: 'justice-league', organization: { login: 'GitHub' } }],
};

describe('claimsFromGitHub', () => {
  it('keys the user by numeric id and lists organisations and org/team groups, lower-cased', () => {
    expect(claimsFromGitHub('https://github.com/', profile)).toEqual({
      iss: 'https://github.com', sub: '1', login: 'octocat', preferred_username: 'octocat', name: 'monalisa octocat',
      email: 'octocat@github.com', email_verified: true, groups: ['github', 'octo-org', 'github/justice-league'],
    });
  });

  it('leaves the email out unless the primary address is verified', () => {
    const c = claimsFromGitHub('https://github.com', { ...profile, emails: [{ email: 'x@example.com', primary: true, verified: false }] });
    expect(c.email).toBeUndefined();
    expect(c.email_verified).toBeUndefined();
  });
});

describe('nextLink', () => {
  it('finds rel="next" among the links GitHub sends', () => {
    expect(nextLink('<https://api.github.com/user/orgs?page=2>; rel="next", <https://api.github.com/user/orgs?page=5>; rel="last"')).toBe('https://api.github.com/user/orgs?page=2');
    expect(nextLink('<https://api.github.com/user/orgs?page=1>; rel="prev"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});
