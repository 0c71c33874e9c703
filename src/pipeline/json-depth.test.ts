import { describe, expect, it } from 'vitest';
import { graphqlDepthWithin, jsonDepthWithin, MAX_JSON_DEPTH } from './json-depth.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const nested = (n: number, open = '[', close = ']') => `${open.repeat(n)}${close.repeat(n)}`;

describe('jsonDepthWithin', () => {
  it('accepts exactly the limit and refuses one more, arrays and objects alike', () => {
    expect(jsonDepthWithin(bytes(nested(MAX_JSON_DEPTH)))).toBe(true);
    expect(jsonDepthWithin(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(false);
    const objects = (n: number) => `${'{"a":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;
    expect(jsonDepthWithin(bytes(objects(MAX_JSON_DEPTH)))).toBe(true);
    expect(jsonDepthWithin(bytes(objects(MAX_JSON_DEPTH + 1)))).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const s = JSON.stringify({ filter: `${'['.repeat(500)}"\\${'{'.repeat(500)}` });
    expect(jsonDepthWithin(bytes(s))).toBe(true);
    expect(jsonDepthWithin(bytes(`{"k":"\\\\","v":${nested(MAX_JSON_DEPTH)}}`))).toBe(false);
    expect(jsonDepthWithin(bytes(`{"ü€":"[[[[","x":["{{{{"]}`))).toBe(true);
  });

  it('scans a 200,000-level bomb without recursion, in milliseconds', () => {
    const bomb = bytes(nested(200_000));
    const started = performance.now();
    expect(jsonDepthWithin(bomb)).toBe(false);
    expect(jsonDepthWithin(bytes(`${'['.repeat(200_000)}`), 1_000_000)).toBe(true); // no stack involved even when it scans all
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('siblings do not add up', () => {
    expect(jsonDepthWithin(bytes(`[${Array(10_000).fill(nested(50)).join(',')}]`))).toBe(true);
  });
});

describe('graphqlDepthWithin', () => {
  it('counts selection sets, lists and arguments', () => {
    const deep = (n: number) => `query { ${'a { '.repeat(n - 1)}b${' }'.repeat(n - 1)} }`;
    expect(graphqlDepthWithin(deep(MAX_JSON_DEPTH))).toBe(true);
    expect(graphqlDepthWithin(deep(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(graphqlDepthWithin(`query { f(x: ${nested(MAX_JSON_DEPTH)}) }`)).toBe(false);
  });

  it('ignores strings, block strings and comments', () => {
    expect(graphqlDepthWithin(`query { f(x: "${'{'.repeat(500)}\\"") }`)).toBe(true);
    expect(graphqlDepthWithin(`query { f(x: """${'['.repeat(500)}\\""" still""") }`)).toBe(true);
    expect(graphqlDepthWithin(`# ${'{'.repeat(500)}\nquery { a }`)).toBe(true);
  });
});
