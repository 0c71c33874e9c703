import { describe, expect, it } from 'vitest';
import { outsideRangeMessage } from './upstream-version.js';
import { version } from './version.js';

describe('the warning for an MLflow outside the tested range', () => {
  it('names the version, the range and where to read more', () => {
    const m = outsideRangeMessage(version('3.18.0'));
    expect(m).toContain('MLflow 3.18.0 is outside the range this gateway is tested with (2.9 … 3.17.x)');
    expect(m).toContain('docs/mlflow-compatibility.md');
  });
});
