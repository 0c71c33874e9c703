import { describe, expect, it } from 'vitest';
import { decodeInvalidation, encodeInvalidation } from './events.js';

describe('invalidation messages', () => {
  it('round-trip with their origin', () => {
    const text = encodeInvalidation('replica-1', { kind: 'grants', resourceType: 'experiment' });
    expect(decodeInvalidation(text)).toEqual({ origin: 'replica-1', event: { kind: 'grants', resourceType: 'experiment' } });
    expect(decodeInvalidation(encodeInvalidation('r', { kind: 'user-tokens', userId: 'u1' })).event).toEqual({ kind: 'user-tokens', userId: 'u1' });
    expect(decodeInvalidation(encodeInvalidation('r', { kind: 'mlflow-object', resourceType: 'registered_model', id: 'm' })).event).toEqual({ kind: 'mlflow-object', resourceType: 'registered_model', id: 'm' });
  });

  it('turn anything unreadable into "forget everything" (a lost invalidation must not become none)', () => {
    for (const text of ['not json', '{}', '{"o":"r","e":{"kind":"token"}}', '{"o":"r","e":{"kind":"grants","resourceType":"nope"}}', '{"o":"r","e":{"kind":"mystery"}}', '{"o":"r","e":{"kind":"mlflow-object","resourceType":"experiment"}}', 'null']) {
      expect(decodeInvalidation(text).event).toEqual({ kind: 'all' });
    }
  });
});
