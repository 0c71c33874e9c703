import { describe, expect, it } from 'vitest';
import { capabilitiesFor, version } from '../../../compat/index.js';
import { mlflowScanRefusal } from './mlflow-limits.js';

const experiment = (inner: string) => `query q { mlflowGetExperiment(input: {experimentId: "1"}) { experiment { ${inner} } } }`;
const deep = (levels: number) => {
  let inner = 'name';
  for (let i = 0; i < levels; i++) inner = `name { ${inner} }`;
  return inner;
};
const DEPTH = 'Query exceeds maximum depth of 10';
const SELECTIONS = 'Query exceeds maximum total selections of 1000';

describe("mlflowScanRefusal (MLflow's graphql_no_batching.py scan, per version)", () => {
  it('is gated by the version behind the gateway: none up to 3.1.0, fields from 3.1.1, fragments from 3.17.0', () => {
    const scan = (v: string) => capabilitiesFor(version(v)).graphqlQueryScan;
    for (const v of ['2.9.2', '2.22.5', '3.0.1', '3.1.0']) expect(scan(v), v).toBe('none');
    for (const v of ['3.1.1', '3.1.4', '3.10.1', '3.16.1']) expect(scan(v), v).toBe('fields');
    for (const v of ['3.17.0', '3.17.2']) expect(scan(v), v).toBe('fragments');
  });

  it("versions without the scan keep the gateway's own refusal", () => {
    expect(mlflowScanRefusal(experiment(deep(12)), 'none')).toBeUndefined();
  });

  for (const scan of ['fields', 'fragments'] as const) {
    it(`${scan}: a depth over 10 and more than 1000 selections get MLflow's messages; ordinary queries and unparsable text do not`, () => {
      expect(mlflowScanRefusal(experiment(deep(12)), scan)).toBe(DEPTH);
      expect(mlflowScanRefusal(experiment(deep(6)), scan)).toBeUndefined();
      expect(mlflowScanRefusal(experiment(Array.from({ length: 1002 }, (_, i) => `field_${i} { name }`).join(' ')), scan)).toBe(SELECTIONS);
      expect(mlflowScanRefusal(experiment('name experimentId'), scan)).toBeUndefined();
      expect(mlflowScanRefusal('query {', scan)).toBeUndefined();
    });
  }

  it('fields (3.1.1 … 3.16): inline fragments are not followed, fragment definitions are scanned on their own', () => {
    expect(mlflowScanRefusal(`query q { ... on Query { mlflowGetExperiment(input: {experimentId: "1"}) { experiment { ${deep(12)} } } } }`, 'fields')).toBeUndefined();
    const fragment = `query q { ...F } fragment F on Query { ${Array.from({ length: 1001 }, (_, i) => `a${i}: test(inputString: "x") { output }`).join(' ')} }`;
    expect(mlflowScanRefusal(fragment, 'fields')).toBe(SELECTIONS);
    // A fragment definition starts at depth 1 of its own, whatever the depth it is spread at.
    expect(mlflowScanRefusal(`query q { mlflowGetExperiment(input: {experimentId: "1"}) { experiment { ...E } } } fragment E on MlflowExperiment { ${deep(9)} }`, 'fields')).toBeUndefined();
  });

  it('fragments (3.17 on): inline fragments and spreads count at the level they appear at; unused fragments are not scanned', () => {
    expect(mlflowScanRefusal(`query q { ... on Query { mlflowGetExperiment(input: {experimentId: "1"}) { experiment { ${deep(12)} } } } }`, 'fragments')).toBe(DEPTH);
    expect(mlflowScanRefusal(`query q { mlflowGetExperiment(input: {experimentId: "1"}) { experiment { ...E } } } fragment E on MlflowExperiment { ${deep(9)} }`, 'fragments')).toBe(DEPTH);
    const spread = `query q { ...F } fragment F on Query { ${Array.from({ length: 1001 }, (_, i) => `a${i}: test(inputString: "x") { output }`).join(' ')} }`;
    expect(mlflowScanRefusal(spread, 'fragments')).toBe(SELECTIONS);
    expect(mlflowScanRefusal(`query q { test(inputString: "x") { output } } fragment U on MlflowExperiment { ${deep(12)} }`, 'fragments')).toBeUndefined();
    expect(mlflowScanRefusal(`query q { test(inputString: "x") { output } } fragment U on MlflowExperiment { ${deep(12)} }`, 'fields')).toBe(DEPTH);
  });
});
