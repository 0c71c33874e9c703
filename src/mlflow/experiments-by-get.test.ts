import { describe, expect, it } from 'vitest';
import { compareExperiments, experimentGetsPlan } from './experiments-by-get.js';
import type { MlflowExperiment } from './filtered-search.js';

const exp = (id: string, creation: number | undefined, update = 0): MlflowExperiment => ({
  experiment_id: id, name: `e${id}`, ...(creation === undefined ? {} : { creation_time: creation }), last_update_time: update,
});

describe('experimentGetsPlan: only requests per-id gets answer exactly as MLflow', () => {
  it('defaults to MLflow default order and ACTIVE_ONLY', () => {
    const plan = experimentGetsPlan({ max_results: 10 });
    expect(plan?.order).toEqual([{ key: 'creation_time', ascending: false }, { key: 'experiment_id', ascending: true }]);
    expect([...plan!.stages]).toEqual(['active']);
  });
  it('an empty filter is no filter; any other filter keeps the scan', () => {
    expect(experimentGetsPlan({ filter: '' })).toBeDefined();
    expect(experimentGetsPlan({ filter: ' ' })).toBeUndefined();
    expect(experimentGetsPlan({ filter: "name = 'a'" })).toBeUndefined();
    expect(experimentGetsPlan(new URLSearchParams('filter=name+LIKE+%27a%25%27'))).toBeUndefined();
  });
  it('numeric order keys with the experiment_id tie-breaker MLflow appends', () => {
    expect(experimentGetsPlan({ order_by: ['last_update_time desc'] })?.order).toEqual([{ key: 'last_update_time', ascending: false }, { key: 'experiment_id', ascending: true }]);
    expect(experimentGetsPlan({ order_by: ['experiment_id DESC', 'creation_time'] })?.order).toEqual([{ key: 'experiment_id', ascending: false }, { key: 'creation_time', ascending: true }]);
    expect(experimentGetsPlan(new URLSearchParams('order_by=creation_time+ASC'))?.order[0]).toEqual({ key: 'creation_time', ascending: true });
  });
  it('name order (the database collation decides), prefixed, upper-case or malformed keys keep the scan', () => {
    for (const o of ['name', 'name ASC', 'attribute.creation_time', 'CREATION_TIME', 'creation_time sideways', '`creation_time`']) expect(experimentGetsPlan({ order_by: [o] }), o).toBeUndefined();
    expect(experimentGetsPlan({ order_by: 'creation_time' })).toBeUndefined();
    expect(experimentGetsPlan({ order_by: ['creation_time', 7] })).toBeUndefined();
  });
  it('view types by name or number; anything else keeps the scan (MLflow answers it)', () => {
    expect([...experimentGetsPlan({ view_type: 'DELETED_ONLY' })!.stages]).toEqual(['deleted']);
    expect([...experimentGetsPlan({ viewType: 3 })!.stages]).toEqual(['active', 'deleted']);
    expect(experimentGetsPlan({ view_type: 'SOME' })).toBeUndefined();
    expect(experimentGetsPlan(new URLSearchParams('view_type=2'))).toBeUndefined();
    expect([...experimentGetsPlan(new URLSearchParams('view_type=ALL'))!.stages]).toEqual(['active', 'deleted']);
  });
});

describe('compareExperiments: the ORDER BY MLflow runs', () => {
  it('creation_time DESC, then experiment_id ASC numerically (not as text)', () => {
    const list = [exp('10', 5), exp('9', 5), exp('2', 7), exp('100', 1)];
    expect(list.sort(compareExperiments(experimentGetsPlan({})!)).map((e) => e.experiment_id)).toEqual(['2', '9', '10', '100']);
  });
  it('a missing timestamp sorts as the smallest value', () => {
    const list = [exp('1', undefined), exp('2', 3)];
    expect([...list].sort(compareExperiments(experimentGetsPlan({ order_by: ['creation_time ASC'] })!)).map((e) => e.experiment_id)).toEqual(['1', '2']);
    expect([...list].sort(compareExperiments(experimentGetsPlan({})!)).map((e) => e.experiment_id)).toEqual(['2', '1']);
  });
  it('int64 values sent as strings compare as numbers', () => {
    const a = { ...exp('1', 0), creation_time: '1700000000001' };
    const b = { ...exp('2', 0), creation_time: '999' };
    expect([a, b].sort(compareExperiments(experimentGetsPlan({ order_by: ['creation_time'] })!)).map((e) => e.experiment_id)).toEqual(['2', '1']);
  });
});
