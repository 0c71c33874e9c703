import { describe, expect, it } from 'vitest';
import { mlflowScanRefusal } from './mlflow-limits.js';

describe('mlflowScanRefusal (MLflow\'s scan_query limits)', () => {
  const experiment = (inner: string) => `query q { mlflowGetExperiment(input: {experimentId: "1"}) { experiment { ${inner} } } }`;
  it('a depth over 10 gets MLflow\'s message', () => {
    let inner = 'name';
    for (let i = 0; i < 12; i++) inner = `name { ${inner} }`;
    expect(mlflowScanRefusal(experiment(inner))).toBe('Query exceeds maximum depth of 10');
  });
  it('more than 1000 selections gets MLflow\'s message, fragments merged into their level', () => {
    const many = Array.from({ length: 1002 }, (_, i) => `field_${i} { name }`).join(' ');
    expect(mlflowScanRefusal(experiment(many))).toBe('Query exceeds maximum total selections of 1000');
    const spread = `query q { ...F } fragment F on Query { ${Array.from({ length: 1001 }, (_, i) => `a${i}: test(inputString: "x") { output }`).join(' ')} }`;
    expect(mlflowScanRefusal(spread)).toBe('Query exceeds maximum total selections of 1000');
  });
  it('ordinary queries, and text that does not parse, are not MLflow\'s scan\'s to refuse', () => {
    expect(mlflowScanRefusal(experiment('name experimentId'))).toBeUndefined();
    expect(mlflowScanRefusal('query {')).toBeUndefined();
  });
});
