import { describe, expect, it } from 'vitest';
import { trustRuleInput } from './rule-input.js';

const MAIN = 'https://idp.example.com';
const base = { name: 'r1', audience: 'https://mlflow.example.com', service_account: 'ci-bot' };

describe('trust rule input', () => {
  it('fills in a preset\'s issuer and claim names', () => {
    const gh = trustRuleInput({ ...base, preset: 'github-actions', conditions: [{ claim: 'repository', value: 'org/repo' }, { claim: 'ref', value: 'refs/heads/*', matcher: 'glob' }] }, MAIN);
    expect(gh).toMatchObject({ issuer: 'https://token.actions.githubusercontent.com', jwksUrl: null, preset: 'github-actions' });
    expect(gh.conditions).toEqual([{ claim: 'repository', matcher: 'exact', value: 'org/repo' }, { claim: 'ref', matcher: 'glob', value: 'refs/heads/*' }]);
    const k8s = trustRuleInput({ ...base, preset: 'kubernetes', issuer: 'https://k8s.example', conditions: [{ claim: 'namespace', value: 'ml' }, { claim: 'service_account', value: 'trainer' }] }, MAIN);
    expect(k8s.conditions.map((c) => c.claim)).toEqual(['kubernetes.io.namespace', 'kubernetes.io.serviceaccount.name']);
  });

  it('refuses rules that would trust other workloads of the same issuer', () => {
    const refused = (body: Record<string, unknown>) => expect(() => trustRuleInput({ ...base, ...body }, MAIN)).toThrow(/must pin/);
    refused({ preset: 'github-actions', conditions: [{ claim: 'ref', value: 'refs/heads/main' }] });
    refused({ preset: 'github-actions', conditions: [{ claim: 'repository', value: '*/repo', matcher: 'glob' }] });
    refused({ preset: 'kubernetes', issuer: 'https://k8s.example', conditions: [{ claim: 'namespace', value: 'ml' }] });
    refused({ issuer: 'https://issuer.example', conditions: [{ claim: 'aud_extra', value: 'x' }] });
    expect(() => trustRuleInput({ ...base, preset: 'gitlab', conditions: [] }, MAIN)).toThrow(/non-empty/);
  });

  it('refuses the main IdP, plain-http issuers off loopback, unknown presets and fields', () => {
    const cond = { conditions: [{ claim: 'sub', value: 'x' }] };
    expect(() => trustRuleInput({ ...base, ...cond, issuer: `${MAIN}/` }, MAIN)).toThrow(/own identity provider/);
    expect(() => trustRuleInput({ ...base, ...cond, issuer: 'http://issuer.example' }, MAIN)).toThrow(/https/);
    expect(trustRuleInput({ ...base, ...cond, issuer: 'http://127.0.0.1:9000' }, MAIN).issuer).toBe('http://127.0.0.1:9000');
    expect(() => trustRuleInput({ ...base, ...cond, issuer: 'https://i.example', preset: 'jenkins' }, MAIN)).toThrow(/preset/);
    expect(() => trustRuleInput({ ...base, ...cond, issuer: 'https://i.example', audiance: 'x' }, MAIN)).toThrow(/Unknown trust rule field "audiance"/);
  });
});
