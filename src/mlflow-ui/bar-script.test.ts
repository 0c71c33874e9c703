import { describe, expect, it } from 'vitest';
import { LEVEL_LABEL } from '../../ui/src/levels.js';
import { BAR_JS, BAR_LEVEL_LABEL } from './bar-script.js';

describe('the bar injected into MLflow UI', () => {
  it('names levels with the web UI\'s words, not the raw enums', () => {
    expect(BAR_LEVEL_LABEL).toEqual(LEVEL_LABEL);
    expect(BAR_JS).toContain(`var LEVEL = ${JSON.stringify(LEVEL_LABEL)};`);
  });

  it('is plain script text (the labels are inlined, nothing left to interpolate)', () => {
    expect(BAR_JS).not.toContain('${');
    expect(() => new Function(BAR_JS)).not.toThrow();
  });
});
