import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { updateReadme } from '../src/config/index.js';

// The README's configuration and error-code tables are generated from the schema; fail on drift.
describe('docs/configuration.md reference tables', () => {
  it('match the schema and the error codes (run `npm run docs:config` to refresh)', () => {
    const readme = readFileSync('docs/configuration.md', 'utf8');
    expect(updateReadme(readme)).toBe(readme);
  });
});
