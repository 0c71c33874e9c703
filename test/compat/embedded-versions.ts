// Embedded model versions on every MLflow version of the compat run (issue #16): a DENY on one
// version hides it wherever MLflow embeds versions in a model answer — latest_versions of
// registered-models/get (REST and ajax-api), search, update and rename, get-latest-versions — and
// an alias pointing at it is refused. Each redacted answer must be MLflow's own answer to the same
// request with exactly that version removed, on that version's server (the answer shapes of 2.x,
// 3.0 and 3.17 differ in fields, not in where versions sit). test/integration/embedded-versions.test.ts
// covers the pinned version only; this runs inside journey.test.ts's block of each version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../src/compat/index.js';
import type { MlflowServer } from '../../src/devtools/mlflow.js';
import { graphqlSchemaFor } from '../../src/pipeline/filtered/graphql/select.js';
import { callerFor, userId, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

async function direct(mlflow: MlflowServer, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const r = await fetch(`${mlflow.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const json = (await r.json()) as Record<string, any>;
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

const versionsOf = (list: unknown): string[] => ((list ?? []) as { version: string }[]).map((v) => String(v.version)).sort();

/** MLflow's model answer without version `hidden` in latest_versions (protobuf JSON drops an empty list). */
function withoutVersion(model: Record<string, any>, hidden: string): Record<string, any> {
  const kept = ((model.latest_versions ?? []) as { version: string }[]).filter((v) => String(v.version) !== hidden);
  const { latest_versions: _all, ...rest } = model;
  return kept.length > 0 ? { ...rest, latest_versions: kept } : rest;
}

export function embeddedVersions(mlflowVersion: string, server: () => MlflowServer): void {
  describe('model versions embedded in model answers follow a version DENY', () => {
    let mlflow: MlflowServer;
    let stack: Stack;
    let bob: ApiCaller;
    let name = '';
    let runId = '';
    const q = (n: string) => `name=${encodeURIComponent(n)}`;

    beforeAll(async () => {
      mlflow = server();
      stack = await startStack({ upstreamUrl: mlflow.url });
      bob = await callerFor(stack, 'bob');
      await bob.get('experiments/search', { max_results: '1' });
      name = `embedded-${mlflowVersion.replace(/\./g, '')}-${Date.now().toString(36)}`;
      const exp = await direct(mlflow, 'POST', '/api/2.0/mlflow/experiments/create', { name: `${name}-exp` });
      const run = await direct(mlflow, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp.experiment_id });
      runId = run.run.info.run_id as string;
      await direct(mlflow, 'POST', '/api/2.0/mlflow/registered-models/create', { name });
      for (let v = 0; v < 3; v++) await direct(mlflow, 'POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId });
      // One version per stage, so latest_versions lists all three on every version.
      await direct(mlflow, 'POST', '/api/2.0/mlflow/model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false });
      await direct(mlflow, 'POST', '/api/2.0/mlflow/model-versions/transition-stage', { name, version: '2', stage: 'Production', archive_existing_versions: false });
      await direct(mlflow, 'POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'champion', version: '2' });
      await direct(mlflow, 'POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'old', version: '1' });
      const bobId = await userId(stack, 'bob');
      await stack.server.gateway.store.grants.set({ principalType: 'user', principal: bobId, resourceType: 'registered_model', resourceId: name, level: 'EDIT' });
      await stack.server.gateway.store.grants.set({ principalType: 'user', principal: bobId, resourceType: 'model_version', resourceId: `${name}/2`, level: 'DENY' });
      // The run the versions came from (GraphQL run.modelVersions).
      await stack.server.gateway.store.grants.set({ principalType: 'user', principal: bobId, resourceType: 'experiment', resourceId: exp.experiment_id, level: 'READ' });
    }, 5 * 60_000);
    afterAll(async () => stack?.stop());

    it(`MLflow ${mlflowVersion}: get (REST and ajax-api), search and get-latest-versions are MLflow's answers without the denied version`, async () => {
      const model = await direct(mlflow, 'GET', `/api/2.0/mlflow/registered-models/get?${q(name)}`);
      expect(versionsOf(model.registered_model.latest_versions)).toEqual(['1', '2', '3']); // there is something to hide
      for (const base of ['/api', '/ajax-api']) {
        const got = await bob.raw('GET', `${base}/2.0/mlflow/registered-models/get?${q(name)}`);
        expect(got.status, JSON.stringify(got.json)).toBe(200);
        expect(got.json).toEqual({ registered_model: withoutVersion(model.registered_model, '2') });
      }
      const filter = `name = '${name}'`;
      const searched = await direct(mlflow, 'GET', `/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent(filter)}`);
      expect(searched.registered_models).toHaveLength(1);
      const search = await bob.get('registered-models/search', { filter });
      expect(search.status, JSON.stringify(search.json)).toBe(200);
      expect(search.json).toEqual({ registered_models: [withoutVersion(searched.registered_models[0], '2')] });
      const latest = await direct(mlflow, 'POST', '/api/2.0/mlflow/registered-models/get-latest-versions', { name });
      expect(versionsOf(latest.model_versions)).toEqual(['1', '2', '3']);
      const viaGateway = await bob.post('registered-models/get-latest-versions', { name });
      expect(viaGateway.json).toEqual({ model_versions: (latest.model_versions as { version: string }[]).filter((v) => String(v.version) !== '2') });
      expect(await bob.post('registered-models/get-latest-versions', { name, stages: ['Production'] })).toEqual({ status: 200, json: {} });
    });

    it(`MLflow ${mlflowVersion}: an alias on the denied version is refused, the other is MLflow's answer`, async () => {
      const champion = await bob.get('registered-models/alias', { name, alias: 'champion' });
      expect(champion.status).toBe(403);
      expect(champion.json.gateway_code).toBe('GW_DENIED');
      expect(JSON.stringify(champion.json)).not.toContain('Production');
      const old = await bob.get('registered-models/alias', { name, alias: 'old' });
      expect(old.json).toEqual(await direct(mlflow, 'GET', `/api/2.0/mlflow/registered-models/alias?${q(name)}&alias=old`));
      expect((await bob.get('model-versions/get', { name, version: '2' })).json.gateway_code).toBe('GW_DENIED');
    });

    // MLflow 2.9 has no GraphQL (the gateway refuses it there: select.ts).
    it.skipIf(!graphqlSchemaFor(version(mlflowVersion)))(`MLflow ${mlflowVersion}: GraphQL model versions (search, a run's modelVersions) are MLflow's answers without the denied version`, async () => {
      const query = `query { s: mlflowSearchModelVersions(input: { filter: "name = '${name}'" }) { modelVersions { name version currentStage } } r: mlflowGetRun(input: { runId: "${runId}" }) { run { modelVersions { name version } } } }`;
      const mlflowAnswer = await direct(mlflow, 'POST', '/graphql', { query });
      const all = mlflowAnswer.data.s.modelVersions as { version: string }[];
      expect(versionsOf(all)).toEqual(['1', '2', '3']);
      const got = await bob.raw('POST', '/graphql', { body: JSON.stringify({ query }), headers: { 'content-type': 'application/json' } });
      expect(got.status, JSON.stringify(got.json)).toBe(200);
      const without = (list: { version: string }[]) => list.filter((v) => String(v.version) !== '2');
      expect(got.json.data).toEqual({
        s: { modelVersions: without(all) },
        r: { run: { modelVersions: without(mlflowAnswer.data.r.run.modelVersions) } },
      });
    });

    it(`MLflow ${mlflowVersion}: update and rename answers are redacted as MLflow shapes them`, async () => {
      const updated = await bob.raw('PATCH', '/api/2.0/mlflow/registered-models/update', { body: JSON.stringify({ name, description: 'redacted?' }), headers: { 'content-type': 'application/json' } });
      expect(updated.status, JSON.stringify(updated.json)).toBe(200);
      // What MLflow answers the same update with (it re-reads the model): the gateway's answer minus version 2.
      const again = await direct(mlflow, 'PATCH', '/api/2.0/mlflow/registered-models/update', { name, description: 'redacted?' });
      const shaped = (answer: Record<string, any>) => ({ ...answer, registered_model: { ...answer.registered_model, last_updated_timestamp: 0 } });
      expect(shaped(updated.json)).toEqual(shaped({ ...again, ...(again.registered_model ? { registered_model: withoutVersion(again.registered_model, '2') } : {}) }));
      expect(versionsOf(updated.json.registered_model?.latest_versions)).not.toContain('2');
      const renamed = await bob.post('registered-models/rename', { name, new_name: `${name}-renamed` });
      expect(renamed.status, JSON.stringify(renamed.json)).toBe(200);
      expect(renamed.json.registered_model.name).toBe(`${name}-renamed`);
      expect(versionsOf(renamed.json.registered_model.latest_versions)).not.toContain('2');
      const got = await bob.get('registered-models/get', { name: `${name}-renamed` });
      const model = await direct(mlflow, 'GET', `/api/2.0/mlflow/registered-models/get?${q(`${name}-renamed`)}`);
      expect(got.json).toEqual({ registered_model: withoutVersion(model.registered_model, '2') });
      name = `${name}-renamed`;
    });
  });
}
