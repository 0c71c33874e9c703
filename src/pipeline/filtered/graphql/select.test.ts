import { describe, expect, it } from 'vitest';
import { PINNED_MLFLOW, TESTED_MLFLOW, version } from '../../../compat/index.js';
import { ROUTE_VERSIONS } from '../../../mlflow/route-versions.js';
import { graphqlRequestOf, prepareOperation } from './document.js';
import { graphqlSchemaFor, graphqlSchemaVersion, PINNED_GRAPHQL_SCHEMA } from './select.js';

const prepare = (v: string, query: string) => prepareOperation(graphqlRequestOf({ query }), graphqlSchemaFor(version(v)));

describe('the GraphQL schema follows the MLflow version behind the gateway', () => {
  it('every tested version that serves /graphql has a schema, the others none (as the route table says)', () => {
    const since = ROUTE_VERSIONS['POST /graphql']?.since ?? '0.0';
    for (const v of TESTED_MLFLOW) {
      const served = version(v).major * 1000 + version(v).minor >= version(since).major * 1000 + version(since).minor;
      expect(graphqlSchemaFor(version(v)) !== undefined, v).toBe(served);
    }
  });
  it('the pinned version uses its schema', () => {
    // 3.17.2's schema is the same as 3.16.1's: one entry serves both.
    expect(graphqlSchemaVersion(version(PINNED_MLFLOW))).toBe('3.16.1');
    expect(graphqlSchemaFor(version(PINNED_MLFLOW))).toBe(PINNED_GRAPHQL_SCHEMA);
  });
  it('an untested release uses the nearest older tested schema; a newer one the newest', () => {
    expect(graphqlSchemaVersion(version('3.5.0'))).toBe('3.0.1');
    expect(graphqlSchemaVersion(version('2.22.0'))).toBe('2.22.5');
    expect(graphqlSchemaVersion(version('9.0.0'))).toBe(graphqlSchemaVersion(version(PINNED_MLFLOW)));
    expect(graphqlSchemaVersion(version('2.9.2'))).toBeUndefined();
  });
  it('a field a version lacks is refused before MLflow (mlflowSearchRuns is a Query field only since 3.10)', () => {
    const query = '{ mlflowSearchRuns(input: {experimentIds: ["1"]}) { runs { info { runId } } } }';
    expect(() => prepare('3.0.1', query)).toThrow(expect.objectContaining({ code: 'GW_BAD_REQUEST' }));
    expect(() => prepare(PINNED_MLFLOW, query)).not.toThrow();
    // The 3.0 run outputs are unknown to 2.22's schema.
    const outputs = 'mutation { mlflowSearchRuns(input: {experimentIds: ["1"]}) { runs { outputs { modelOutputs { modelId } } } } }';
    expect(() => prepare('2.22.5', outputs)).toThrow(expect.objectContaining({ code: 'GW_BAD_REQUEST' }));
    expect(() => prepare('3.0.1', outputs)).not.toThrow();
  });
});
