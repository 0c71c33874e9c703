import { describe, expect, it } from 'vitest';
import { openStore, type AuditEvent, type Store } from '../store/index.js';
import { withBatchedAudit } from './batched-store.js';

const event = (action: string): AuditEvent => ({ time: new Date(), actor: 'alice', action, resource: null, decision: 'info', reason: null, requestId: null, clientIp: null });

/** Counts the commits the batcher makes. */
function counting(store: Store): { store: Store; batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    store: { ...store, audit: { ...store.audit, appendMany: async (events) => (batches.push(events.length), store.audit.appendMany(events)) } },
  };
}

describe('batched audit appends', () => {
  it('write events appended together in one statement, in order, and resolve each append once stored', async () => {
    const raw = await openStore('sqlite::memory:');
    const { store, batches } = counting(raw);
    const batched = withBatchedAudit(store, 5);
    await Promise.all(['a', 'b', 'c', 'd'].map((a) => batched.audit.append(event(a))));
    expect(batches).toEqual([4]);
    expect((await raw.audit.list({ limit: 10 })).map((e) => e.action)).toEqual(['d', 'c', 'b', 'a']);
    await batched.close();
  });

  it('let a read of the log see what was just appended (pending events are written first)', async () => {
    const batched = withBatchedAudit(await openStore('sqlite::memory:'), 60_000);
    void batched.audit.append(event('pending'));
    expect((await batched.audit.list({ limit: 1 })).map((e) => e.action)).toEqual(['pending']);
    await batched.close();
  });

  it('flush when a batch is full, and write what is pending on close', async () => {
    const raw = await openStore('sqlite::memory:');
    const { store, batches } = counting(raw);
    const batched = withBatchedAudit(store, 60_000, 3);
    const appends = ['a', 'b', 'c', 'd'].map((a) => batched.audit.append(event(a)));
    await Promise.all(appends.slice(0, 3));
    expect(batches).toEqual([3]);
    await batched.close(); // writes 'd', then closes the store
    await appends[3];
    expect(batches).toEqual([3, 1]);
  });

  it('reject every append of a batch whose write failed', async () => {
    const raw = await openStore('sqlite::memory:');
    const failing: Store = { ...raw, audit: { ...raw.audit, appendMany: async () => Promise.reject(new Error('disk full')) } };
    const batched = withBatchedAudit(failing, 1);
    await expect(batched.audit.append(event('x'))).rejects.toThrow('disk full');
    await raw.close();
  });
});
