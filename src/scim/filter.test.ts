import { describe, expect, it } from 'vitest';
import { compileFilter } from './filter.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const alice = {
  id: 'u-1', externalId: 'AbC-1', userName: 'Alice@Example.com', displayName: 'Alice Example', active: true, title: 'Engineer',
  name: { givenName: 'Alice', familyName: 'Example' },
  emails: [{ value: 'alice@example.com', type: 'work', primary: true }, { value: 'a@home.example', type: 'home' }],
  [ENTERPRISE]: { employeeNumber: '701', department: 'Research', manager: { value: 'u-9' } },
  meta: { created: '2026-01-02T03:04:05Z', lastModified: '2026-06-01T00:00:00.000Z', version: 'W/"3"' },
};
const bob = { id: 'u-2', userName: 'bob', active: false, emails: [{ value: 'bob@example.org', type: 'work' }], meta: { created: '2026-03-01T00:00:00Z', lastModified: '2026-03-01T00:00:00Z' } };
const group = { id: 'g-1', displayName: 'Team A', members: [{ value: 'u-1', display: 'alice' }, { value: 'u-2' }] };
const matches = async (filter: string) => [alice, bob].filter(await compileFilter(filter)).map((u) => u.id);

describe('SCIM filters (RFC 7644 §3.4.2.2)', () => {
  it('eq on userName is case-insensitive; on externalId and id it is exact (caseExact)', async () => {
    expect(await matches('userName eq "alice@example.com"')).toEqual(['u-1']);
    expect(await matches('USERNAME Eq "ALICE@EXAMPLE.COM"')).toEqual(['u-1']);
    expect(await matches('externalId eq "AbC-1"')).toEqual(['u-1']);
    expect(await matches('externalId eq "abc-1"')).toEqual([]);
    expect(await matches('id eq "U-1"')).toEqual([]);
  });

  it('ne, co, sw, ew, pr', async () => {
    expect(await matches('userName ne "bob"')).toEqual(['u-1']);
    expect(await matches('title ne "Engineer"')).toEqual(['u-2']); // missing attribute: not equal
    expect(await matches('displayName co "EXAMP"')).toEqual(['u-1']);
    expect(await matches('userName sw "Al"')).toEqual(['u-1']);
    expect(await matches('emails.value ew "@example.org"')).toEqual(['u-2']);
    expect(await matches('title pr')).toEqual(['u-1']);
    expect(await matches('externalId pr')).toEqual(['u-1']);
  });

  it('booleans compare as booleans', async () => {
    expect(await matches('active eq true')).toEqual(['u-1']);
    expect(await matches('active eq false')).toEqual(['u-2']);
  });

  it('gt, lt, ge, le on dateTimes compare instants, whatever the precision', async () => {
    expect(await matches('meta.lastModified gt "2026-05-01T00:00:00Z"')).toEqual(['u-1']);
    expect(await matches('meta.created lt "2026-02-01T00:00:00+00:00"')).toEqual(['u-1']);
    expect(await matches('meta.created ge "2026-03-01T00:00:00.000Z"')).toEqual(['u-2']);
    expect(await matches('meta.created le "2026-03-01T00:00:00Z"')).toEqual(['u-1', 'u-2']);
    await expect(matches('meta.created gt "yesterday"')).rejects.toThrow(/dateTime/);
  });

  it('and, or, not and grouping with the RFC precedence', async () => {
    expect(await matches('userName eq "bob" or userName sw "al" and active eq false')).toEqual(['u-2']);
    expect(await matches('(userName eq "bob" or userName sw "al") and active eq true')).toEqual(['u-1']);
    expect(await matches('not (active eq true)')).toEqual(['u-2']);
    expect(await matches('not (userName eq "bob") and emails.type eq "work"')).toEqual(['u-1']);
  });

  it('value paths and sub-attributes of multi-valued attributes', async () => {
    expect(await matches('emails[type eq "work" and value co "@example.com"]')).toEqual(['u-1']);
    expect(await matches('emails[type eq "home"]')).toEqual(['u-1']);
    expect(await matches('emails co "example.org"')).toEqual(['u-2']); // without sub-attribute: the values
    expect(await matches('name.familyName eq "example"')).toEqual(['u-1']);
    expect([group].filter(await compileFilter('members[value eq "u-2"]'))).toHaveLength(1);
    expect([group].filter(await compileFilter('members[value eq "U-2"]'))).toHaveLength(0);
    expect([group].filter(await compileFilter('members.value eq "u-1"'))).toHaveLength(1);
  });

  it('extension schema attributes by their full URN path', async () => {
    expect(await matches(`${ENTERPRISE}:employeeNumber eq "701"`)).toEqual(['u-1']);
    expect(await matches(`${ENTERPRISE}:manager.value eq "u-9"`)).toEqual(['u-1']);
    expect(await matches(`${ENTERPRISE}:department eq "research"`)).toEqual(['u-1']);
  });

  it('refuses malformed filters with scimType invalidFilter', async () => {
    for (const bad of ['userName eq', 'userName equals "x"', '(userName eq "x"', 'userName eq "x" and', 'x'.repeat(3000)]) {
      await expect(compileFilter(bad), bad.slice(0, 30)).rejects.toMatchObject({ status: 400, scimType: 'invalidFilter' });
    }
  });
});
