import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { checkEmailDomain, checkHostedDomain } from './restrictions.js';

function code(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
}

describe('checkEmailDomain', () => {
  it('does nothing without an allow-list', () => {
    expect(code(() => checkEmailDomain(null, {}, []))).toBeUndefined();
  });

  it('admits a verified address at an allowed domain, case-insensitively', () => {
    expect(code(() => checkEmailDomain('alice@Example.com', { email_verified: true }, ['example.com']))).toBeUndefined();
    expect(code(() => checkEmailDomain('alice@example.com', {}, ['example.com']))).toBeUndefined(); // provider sends no flag
  });

  it('refuses a missing, malformed, unverified or foreign address', () => {
    expect(code(() => checkEmailDomain(undefined, {}, ['example.com']))).toBe('GW_FORBIDDEN_DOMAIN');
    expect(code(() => checkEmailDomain('eve@evil.com@example.com', {}, ['example.com']))).toBe('GW_FORBIDDEN_DOMAIN');
    expect(code(() => checkEmailDomain('alice@example.com', { email_verified: false }, ['example.com']))).toBe('GW_FORBIDDEN_DOMAIN');
    expect(code(() => checkEmailDomain('alice@example.com', { email_verified: 'false' }, ['example.com']))).toBe('GW_FORBIDDEN_DOMAIN');
    expect(code(() => checkEmailDomain('eve@evil.com', { email_verified: true }, ['example.com']))).toBe('GW_FORBIDDEN_DOMAIN');
  });
});

describe('checkHostedDomain', () => {
  it('checks the hd claim of the ID token', () => {
    expect(code(() => checkHostedDomain({ hd: 'Example.com' }, ['example.com']))).toBeUndefined();
    expect(code(() => checkHostedDomain({ hd: 'other.com' }, ['example.com']))).toBe('GW_FORBIDDEN_DOMAIN');
    expect(code(() => checkHostedDomain({}, ['example.com']))).toBe('GW_FORBIDDEN_DOMAIN'); // consumer account
    expect(code(() => checkHostedDomain({}, []))).toBeUndefined();
  });
});
