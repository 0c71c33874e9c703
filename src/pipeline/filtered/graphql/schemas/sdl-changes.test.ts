import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, lineChanges } from './sdl-changes.js';

describe('GraphQL schema line changes', () => {
  const lines = fc.array(fc.constantFrom('type A {', '  a: String', '  b: Int', '}', '', '"""doc"""'), { maxLength: 30 }).map((l) => l.join('\n'));

  it('applying the changes between two texts gives the second, exactly', () => {
    fc.assert(fc.property(lines, lines, (from, to) => {
      expect(applyChanges(from, lineChanges(from, to))).toBe(to);
    }), { numRuns: 2000 });
  });

  it('an added field is one change that removes nothing', () => {
    expect(lineChanges('type A {\n  a: String\n}\n', 'type A {\n  a: String\n  b: Int\n}\n')).toEqual([{ at: 2, remove: 0, add: ['  b: Int'] }]);
    expect(lineChanges('x\n', 'x\n')).toEqual([]);
  });

  it('changes that do not fit the text are refused, not applied half', () => {
    expect(() => applyChanges('a\nb', [{ at: 5, remove: 0, add: ['c'] }])).toThrow(/does not fit/);
    expect(() => applyChanges('a\nb', [{ at: 1, remove: 2, add: [] }])).toThrow(/does not fit/);
    expect(() => applyChanges('a\nb\nc', [{ at: 2, remove: 0, add: ['x'] }, { at: 1, remove: 0, add: ['y'] }])).toThrow(/does not fit/);
  });
});
