import { describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { referenceTargets } from './reference-targets.js';

// Only the artifact root is asked of the gateway here (to place plain storage paths).
const gw = (root?: string) => ({ resolver: { artifactRoot: async () => root } }) as unknown as Gateway;

describe('referenceTargets', () => {
  it('URIs become ids with the field level; gateway endpoints always need use', async () => {
    const out = await referenceTargets(gw(), [
      { kind: 'uri', values: ['models:/m/1', 'gateway:/chat', 'openai:/gpt-4'], action: 'read', from: 'body:source' },
      { kind: 'run_id', values: ['r1'], action: 'update', from: 'header:x-mlflow-run-id' },
    ]);
    expect(out).toEqual([
      { kind: 'model_name', value: 'm', action: 'read', from: 'body:source' },
      { kind: 'endpoint_name', value: 'chat', action: 'use', from: 'body:source' },
      { kind: 'run_id', value: 'r1', action: 'update', from: 'header:x-mlflow-run-id' },
    ]);
  });

  it('JSON documents: every string is read as a URI, nested JSON strings too', async () => {
    const doc = JSON.stringify({ uri: 'runs:/abc/data', judge: JSON.stringify({ model: 'gateway:///judge' }) });
    const out = await referenceTargets(gw(), [{ kind: 'json', values: [doc], action: 'read', from: 'body:serialized_scorer' }]);
    expect(out.map((t) => `${t.kind}=${t.value}:${t.action}`)).toEqual(['run_id=abc:read', 'endpoint_name=judge:use']);
  });

  it('storage paths under the artifact root name that experiment; the root and overlong documents are unsafe', async () => {
    const out = await referenceTargets(gw('/srv/mlruns'), [{ kind: 'uri', values: ['/srv/mlruns/4/x', 'file:///srv/mlruns', '/elsewhere'], action: 'update', from: 'body:artifact_location' }]);
    expect(out.map((t) => `${t.kind}=${t.value}${t.unsafe ? ' unsafe' : ''}`)).toEqual(['artifact_path=4', 'artifact_path=file:///srv/mlruns unsafe']);
    let deep = '"x"';
    for (let i = 0; i < 100; i++) deep = `[${deep}]`;
    const bomb = await referenceTargets(gw(), [{ kind: 'json', values: [deep], action: 'read', from: 'body:source' }]);
    expect(bomb).toHaveLength(1);
    expect(bomb[0]?.unsafe).toMatch(/deeper/);
  });
});
