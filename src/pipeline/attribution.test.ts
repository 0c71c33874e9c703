import { describe, expect, it } from 'vitest';
import type { User } from '../store/index.js';
import { applyAttribution } from './attribution.js';

const user = { id: 'u1', username: 'alice', subjectKey: 'https://idp#alice' } as unknown as User;
const parse = (b: Buffer | undefined) => JSON.parse(b!.toString('utf8')) as Record<string, unknown>;

describe('run attribution follows each run-creating handler\'s own body shape', () => {
  it('CreateRun: user_id and the identity tags replace whatever the client sent', () => {
    const out = parse(applyAttribution('CreateRun', { experiment_id: '1', user_id: 'mallory', tags: [{ key: 'mlflow.user', value: 'mallory' }, { key: 't', value: '1' }] }, user));
    expect(out.user_id).toBe('alice');
    expect(out.tags).toEqual([{ key: 't', value: '1' }, { key: 'mlflow.user', value: 'alice' }, { key: 'gateway.subject', value: 'https://idp#alice' }]);
  });

  it('create-promptlab-run: only user_id (its handler hands `tags` to the store unconverted), no tags added', () => {
    const out = parse(applyAttribution('serve_create_promptlab_run', { experiment_id: '1', user_id: 'mallory', prompt_template: 'x' }, user));
    expect(out).toEqual({ experiment_id: '1', user_id: 'alice', prompt_template: 'x' });
  });

  it('create-promptlab-run: identity tags a client sends are dropped', () => {
    const out = parse(applyAttribution('serve_create_promptlab_run', { experiment_id: '1', tags: [{ key: 'gateway.subject', value: 'forged' }] }, user));
    expect(out.tags).toEqual([]);
  });
});
