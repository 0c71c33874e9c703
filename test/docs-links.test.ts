import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The README is the front door; reference material lives in docs/*.md. Every document there must be
// linked from the README, and every relative link in either must point at a file that exists.
const docs = readdirSync('docs').filter((f) => f.endsWith('.md'));

function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((l) => !/^(https?:|mailto:|#)/.test(l))
    .map((l) => l.split('#')[0]!);
}

describe('docs', () => {
  it('every docs/*.md is linked from the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(docs.filter((d) => !readme.includes(`](docs/${d}`))).toEqual([]);
  });
  it('every relative link in README.md and docs/*.md resolves', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...docs.map((d) => join('docs', d))]) {
      for (const link of relativeLinks(file)) if (!existsSync(join(dirname(file), link))) broken.push(`${file}: ${link}`);
    }
    expect(broken).toEqual([]);
  });
});
