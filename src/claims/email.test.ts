import { describe, expect, it } from 'vitest';
import { emailDomainAllowed, emailVerified, parseAllowedDomain, parseEmail } from './email.js';

describe('parseEmail', () => {
  it('accepts plain addresses and lower-cases the domain only', () => {
    expect(parseEmail('Alice.Smith+ml@Example.COM')).toEqual({ local: 'Alice.Smith+ml', domain: 'example.com' });
    expect(parseEmail('bob@mail.xn--bcher-kva.example')).toEqual({ local: 'bob', domain: 'mail.xn--bcher-kva.example' });
  });

  it.each([
    ['several @', 'attacker@evil.com@example.com'],
    ['quoted local part hiding an @', '"attacker@evil.com"@example.com'],
    ['comment', 'attacker(x)@example.com'],
    ['comment after the domain', 'attacker@evil.com(@example.com)'],
    ['display-name form', 'Eve <eve@evil.com>'],
    ['empty local part', '@example.com'],
    ['no @', 'example.com'],
    ['empty domain', 'alice@'],
    ['single-label domain', 'alice@localhost'],
    ['trailing dot', 'alice@example.com.'],
    ['space', 'alice @example.com'],
    ['newline', 'alice@example.com\n'],
    ['backslash', 'a\\@b@example.com'],
    ['IP literal', 'alice@[127.0.0.1]'],
    ['non-ASCII domain (homoglyph)', 'alice@exаmple.com'],
    ['leading dot', '.alice@example.com'],
    ['double dot', 'al..ice@example.com'],
    ['not a string', 42],
  ])('refuses %s', (_why, value) => {
    expect(parseEmail(value)).toBeUndefined();
  });
});

describe('emailDomainAllowed', () => {
  it('compares the domain case-insensitively and exactly', () => {
    expect(emailDomainAllowed('alice@EXAMPLE.com', ['example.com'])).toBe(true);
    expect(emailDomainAllowed('alice@example.com', ['Example.Com'])).toBe(true);
    expect(emailDomainAllowed('alice@sub.example.com', ['example.com'])).toBe(false);
    expect(emailDomainAllowed('alice@evilexample.com', ['example.com'])).toBe(false);
    expect(emailDomainAllowed('alice@example.com.evil.com', ['example.com'])).toBe(false);
  });

  it('allows subdomains only through an explicit *. entry', () => {
    expect(emailDomainAllowed('alice@eu.example.com', ['*.example.com'])).toBe(true);
    expect(emailDomainAllowed('alice@example.com', ['*.example.com'])).toBe(false);
    expect(emailDomainAllowed('alice@evil-example.com', ['*.example.com'])).toBe(false);
  });

  it('refuses the multi-@ bypass and an empty allow-list', () => {
    expect(emailDomainAllowed('attacker@evil.com@example.com', ['example.com'])).toBe(false);
    expect(emailDomainAllowed('alice@example.com', [])).toBe(false);
    expect(parseAllowedDomain('not a domain')).toBeUndefined();
  });
});

describe('emailVerified', () => {
  it('reads booleans and the string form, and tells absent from false', () => {
    expect(emailVerified({ email_verified: true })).toBe(true);
    expect(emailVerified({ email_verified: 'true' })).toBe(true);
    expect(emailVerified({ email_verified: false })).toBe(false);
    expect(emailVerified({ email_verified: 'yes' })).toBe(false);
    expect(emailVerified({})).toBeUndefined();
  });
});
