import { buildSchema, type GraphQLSchema } from 'graphql';
import { inRange, PINNED_MLFLOW, version, type MlflowVersion } from '../../../compat/index.js';
import { GRAPHQL_SCHEMAS } from './schemas/index.js';

// The GraphQL schema of the MLflow behind the gateway. Each tested version's schema is generated
// (scripts/mlflow-graphql-schemas.ts → schemas/); a version uses the newest tested schema whose
// minor series is at or below its own, so an untested patch or minor release gets the nearest older
// schema: a field it added is refused (fail closed) until its schema is generated, a field it removed
// is refused by MLflow itself. Versions older than the first schema (2.9: no mlflow.server.graphql)
// have none, and their route table does not serve /graphql at all.

const built = new Map<string, GraphQLSchema>();

function schemaOf(entry: { version: string; sdl: string }): GraphQLSchema {
  let s = built.get(entry.version);
  if (!s) {
    // Custom scalars (LongString) keep graphql-js's pass-through defaults: the gateway never authorizes on them.
    s = buildSchema(entry.sdl);
    built.set(entry.version, s);
  }
  return s;
}

/** The tested version whose schema `v` uses; undefined when `v` has no GraphQL. */
export function graphqlSchemaVersion(v: MlflowVersion): string | undefined {
  let pick: string | undefined;
  for (const e of GRAPHQL_SCHEMAS) if (inRange(v, { since: e.version.split('.').slice(0, 2).join('.') })) pick = e.version;
  return pick;
}

export function graphqlSchemaFor(v: MlflowVersion): GraphQLSchema | undefined {
  const at = graphqlSchemaVersion(v);
  const entry = GRAPHQL_SCHEMAS.find((e) => e.version === at);
  return entry ? schemaOf(entry) : undefined;
}

/** The pinned version's schema (the default of every function that takes a schema). */
export const PINNED_GRAPHQL_SCHEMA: GraphQLSchema = (() => {
  const s = graphqlSchemaFor(version(PINNED_MLFLOW));
  if (!s) throw new Error(`no GraphQL schema generated for the pinned MLflow ${PINNED_MLFLOW} (run scripts/mlflow-graphql-schemas.ts)`);
  return s;
})();
