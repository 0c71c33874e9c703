import { createHash } from 'node:crypto';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GENERATED_SHA256, GRAPHQL_SCHEMAS } from './index.js';

// Only the oldest schema is stored in full; the others are rebuilt from line changes. A rebuilt
// schema that differed by a line from what its server printed would make the gateway validate
// GraphQL requests against a schema no MLflow has.
describe('stored GraphQL schemas', () => {
  it('every rebuilt schema is, byte for byte, the text the generator was given (its SHA-256)', () => {
    const rebuilt = Object.fromEntries(GRAPHQL_SCHEMAS.map((s) => [s.version, createHash('sha256').update(s.sdl, 'utf8').digest('hex')]));
    expect(rebuilt).toEqual(GENERATED_SHA256);
    expect(GRAPHQL_SCHEMAS.map((s) => s.version)).toEqual(['2.22.5', '3.0.1', '3.10.1', '3.16.1']);
  });

  it('every one is a valid GraphQL schema with the query type MLflow serves', () => {
    for (const s of GRAPHQL_SCHEMAS) expect(buildSchema(s.sdl).getQueryType()?.getFields()).toHaveProperty('mlflowGetRun');
  });
});
