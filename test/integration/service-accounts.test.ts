import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, type ApiAnswer } from '../support/admin-api.js';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { CLIENT_ID, startStack, type Stack } from '../support/stack.js';

// Service accounts end to end: created and granted by an administrator through the admin API,
// used by the stock MLflow Python client with their own mog_ tokens, and by OAuth clients of the
// real IdP (client-credentials grant) mapped to them. Real MLflow, real IdP.

const ETL_CLIENT = { clientId: 'etl-job', clientSecret: 'etl-client-secret-0123456789' };
const STRAY_CLIENT = { clientId: 'stray-job', clientSecret: 'stray-client-secret-0123456789' };

const LOG_RUN = `
import os, mlflow
mlflow.set_tracking_uri(os.environ["GW_URL"])
mlflow.set_experiment(os.environ["EXP_NAME"])
with mlflow.start_run() as run:
    mlflow.log_metric("loss", 0.5)
print("RUN_ID=" + run.info.run_id)
`;

describe('service accounts', () => {
  let stack: Stack;
  let admin: ApiCaller;
  let alice: ApiCaller;

  /** The admin API as `who` (a fresh IdP token per call: the suite outlives one), or anonymously. */
  const api = async (who: ApiCaller | undefined, method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const init = body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {};
    if (who) return { ...(await who.raw(method, `/_gateway/api/v1/${path}`, init)), headers: new Headers() };
    return adminApi(stack, method, path, body !== undefined ? { body } : {});
  };
  const withBearer = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const createAccount = async (body: Record<string, unknown>) => {
    const res = await api(admin, 'POST', 'service-accounts', body);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json.service_account as { name: string; groups: string[]; is_admin: boolean };
  };
  const mint = async (account: string, body: Record<string, unknown>) => {
    const res = await api(admin, 'POST', `service-accounts/${account}/tokens`, body);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json as { id: string; token: string; owner: string };
  };

  beforeAll(async () => {
    stack = await startStack({
      idp: { clients: [{ ...ETL_CLIENT, redirectUris: [], grantTypes: ['client_credentials'] }, { ...STRAY_CLIENT, redirectUris: [], grantTypes: ['client_credentials'] }] },
    });
    [admin, alice] = await Promise.all([callerFor(stack, 'admin', { freshTokens: true }), callerFor(stack, 'alice', { freshTokens: true })]);
  });
  afterAll(async () => stack?.stop());

  it('an administrator creates, lists, changes and deletes service accounts; each change is audited; nobody else may', async () => {
    const name = unique('bot');
    const created = await createAccount({ name, description: 'nightly evaluation', groups: ['team-a'] });
    expect(created).toMatchObject({ name, groups: ['team-a'], is_admin: false });
    expect((await api(admin, 'POST', 'service-accounts', { name })).status).toBe(409);
    expect((await api(admin, 'POST', 'service-accounts', { name: 'admin' })).json.gateway_code).toBe('GW_CONFLICT'); // a person's name is taken
    const bad = await api(admin, 'POST', 'service-accounts', { name: 'Bad Name' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/lower-case/);
    expect((await api(alice, 'POST', 'service-accounts', { name: unique('mine') })).status).toBe(403);
    expect((await api(alice, 'GET', 'service-accounts')).status).toBe(403);
    expect((await api(undefined, 'GET', 'service-accounts')).status).toBe(401);

    const list = await api(admin, 'GET', 'service-accounts');
    expect(list.json.service_accounts.map((a: { name: string }) => a.name)).toContain(name);
    const users = await api(admin, 'GET', `users?search=${name}`);
    expect(users.json.users).toEqual([expect.objectContaining({ username: name, kind: 'service' })]);

    const promoted = await api(admin, 'PATCH', `service-accounts/${name}`, { groups: ['mlflow-admins'], description: null });
    expect(promoted.json.service_account).toMatchObject({ groups: ['mlflow-admins'], is_admin: true, description: null });
    expect((await api(admin, 'PATCH', `service-accounts/${name}`, { disabeld: true })).json.message).toMatch(/Unknown service account field "disabeld"/);
    expect((await api(admin, 'DELETE', `service-accounts/${name}`)).json).toEqual({ deleted: true });
    expect((await api(admin, 'GET', `service-accounts/${name}`)).status).toBe(404);

    const audit = await stack.server.gateway.store.audit.list({ limit: 200 });
    expect(audit.filter((e) => e.resource === `service-account:${name}`).map((e) => `${e.actor} ${e.action}`).reverse())
      .toEqual(['admin service-account.create', 'admin service-account.update', 'admin service-account.delete']);
  });

  it('the MLflow client logs a run with a service-account token, attributed to the account; grants apply as for people', async () => {
    const name = unique('trainer');
    await createAccount({ name, description: 'training jobs' });
    const t = await mint(name, { name: 'nightly', expires_in_days: 7 });
    expect(t.token).toMatch(/^mog_/);
    expect(t.owner).toBe(name);

    const r = await runPython(LOG_RUN, { GW_URL: stack.gatewayUrl, EXP_NAME: unique('sa-run'), MLFLOW_TRACKING_TOKEN: t.token });
    expect(r.code, r.stderr).toBe(0);
    const runId = /RUN_ID=(\w+)/.exec(r.stdout)![1]!;
    const run = (await (await withBearer(t.token, 'GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).json()) as any;
    expect(run.run.info.user_id).toBe(name);

    // Someone else's experiment: nothing until an administrator grants the account READ with the grants API.
    const exp = (await alice.post('experiments/create', { name: unique('alice-exp') })).json.experiment_id as string;
    const get = () => withBearer(t.token, 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${exp}`);
    const before = await get();
    expect(before.status, `${exp} ${await before.text()}`).toBe(403);
    const grant = await api(admin, 'PUT', 'grants', { principal_type: 'user', principal: name, resource_type: 'experiment', resource_id: exp, level: 'READ' });
    expect(grant.status, JSON.stringify(grant.json)).toBe(200);
    expect((await get()).status).toBe(200);
    expect((await withBearer(t.token, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp })).status).toBe(403);

    // The Basic alternative (MLFLOW_TRACKING_USERNAME/PASSWORD): the account name and the token.
    const basic = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${exp}`, { headers: { authorization: `Basic ${Buffer.from(`${name}:${t.token}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
  });

  it('disabling an account stops its tokens at once, enabling restores them; deleting removes tokens and grants', async () => {
    const name = unique('batch');
    await createAccount({ name });
    const t = await mint(name, { name: 'batch' });
    const search = () => withBearer(t.token, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
    expect((await search()).status).toBe(200);
    expect((await api(admin, 'PATCH', `service-accounts/${name}`, { disabled: true })).json.service_account.disabled).toBe(true);
    const refused = await search();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { gateway_code: string }).gateway_code).toBe('GW_USER_DISABLED');
    await api(admin, 'PATCH', `service-accounts/${name}`, { disabled: false });
    expect((await search()).status).toBe(200);

    const user = (await stack.server.gateway.store.users.getByUsername(name))!;
    await api(admin, 'PUT', 'grants', { principal_type: 'user', principal: name, resource_type: 'experiment', resource_id: '0', level: 'READ' });
    expect((await api(admin, 'DELETE', `service-accounts/${name}`)).status).toBe(200);
    expect((await search()).status).toBe(401);
    expect(await stack.server.gateway.store.grants.listForPrincipal('user', user.id)).toEqual([]);
  });

  it('workload-mints-token: a service account cannot mint, rotate or administer tokens with its own credentials', async () => {
    const name = unique('ci');
    await createAccount({ name, groups: ['mlflow-admins'] }); // even an administrator account
    const t = await mint(name, { name: 'ci' });
    expect((await withBearer(t.token, 'POST', '/_gateway/api/v1/tokens', { name: 'child' })).status).toBe(403);
    expect((await withBearer(t.token, 'POST', `/_gateway/api/v1/service-accounts/${name}/tokens`, { name: 'child' })).status).toBe(403);
    expect((await withBearer(t.token, 'POST', `/_gateway/api/v1/tokens/${t.id}/rotate`)).status).toBe(403);
    expect(await stack.server.gateway.store.tokens.list({ userId: (await stack.server.gateway.store.users.getByUsername(name))!.id })).toHaveLength(1);
  });

  it('client-credentials: a token of a mapped OAuth client acts as its service account; an unmapped one is refused with a clear message', async () => {
    const name = unique('etl');
    await createAccount({ name, description: 'ETL pipeline' });
    const { access_token: cc } = await stack.idp.clientCredentials(ETL_CLIENT.clientId);
    const search = (token: string) => withBearer(token, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');

    const unmapped = await search(cc);
    expect(unmapped.status).toBe(401);
    expect(((await unmapped.json()) as { message: string }).message).toMatch(/client-credentials token of OAuth client "etl-job".*no service account is mapped.*map-client/);

    const map = await api(admin, 'PUT', `service-accounts/${name}/oauth-clients/${ETL_CLIENT.clientId}`);
    expect(map.json).toEqual({ client_id: ETL_CLIENT.clientId, service_account: name });
    expect((await search(cc)).status).toBe(200);
    const exp = (await (await withBearer(cc, 'POST', '/api/2.0/mlflow/experiments/create', { name: unique('etl-exp') })).json()) as { experiment_id: string };
    const run = (await (await withBearer(cc, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp.experiment_id })).json()) as any;
    expect(run.run.info.user_id).toBe(name);
    expect((await api(admin, 'GET', `service-accounts/${name}`)).json.oauth_clients).toEqual([ETL_CLIENT.clientId]);

    // Another client of the same IdP gains nothing from the mapping.
    const { access_token: stray } = await stack.idp.clientCredentials(STRAY_CLIENT.clientId);
    expect((await search(stray)).status).toBe(401);

    expect((await api(admin, 'DELETE', `service-accounts/${name}/oauth-clients/${ETL_CLIENT.clientId}`)).status).toBe(204);
    expect((await search(cc)).status).toBe(401);
    const audit = await stack.server.gateway.store.audit.list({ limit: 200, actor: 'admin' });
    expect(audit.filter((e) => e.resource === `oauth-client:${ETL_CLIENT.clientId}`).map((e) => e.action).reverse()).toEqual(['oauth-client.map', 'oauth-client.unmap']);
  });

  it('client-confusion: a person\'s token issued through a mapped client still acts as the person, never as the client\'s service account', async () => {
    const name = unique('gateway-client');
    await createAccount({ name });
    await api(admin, 'PUT', `service-accounts/${name}/oauth-clients/${CLIENT_ID}`); // the gateway's own client, which people sign in with
    try {
      const whoami = async (token: string) => (await (await withBearer(token, 'GET', '/_gateway/api/v1/whoami')).json()) as { username: string; auth_method: string };
      const person = await stack.idp.getTokens('carol');
      expect(await whoami(person.access_token)).toMatchObject({ username: 'carol', auth_method: 'jwt' });
      expect(await whoami(person.id_token)).toMatchObject({ username: 'carol', auth_method: 'jwt' });
      expect(await whoami((await stack.idp.clientCredentials(CLIENT_ID)).access_token)).toMatchObject({ username: name, auth_method: 'client' });
    } finally {
      await api(admin, 'DELETE', `service-accounts/${name}/oauth-clients/${CLIENT_ID}`);
    }
  });

  it('secret-leak-into-logs: no service-account token, client secret or client-credentials token reaches a log line or the audit trail', async () => {
    const name = unique('leak');
    await createAccount({ name });
    await api(admin, 'PUT', `service-accounts/${name}/oauth-clients/${ETL_CLIENT.clientId}`);
    const t = await mint(name, { name: 'leak' });
    const { access_token: cc } = await stack.idp.clientCredentials(ETL_CLIENT.clientId);
    const { access_token: strayCc } = await stack.idp.clientCredentials(STRAY_CLIENT.clientId);
    await withBearer(t.token, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
    await withBearer(`${t.token.slice(0, -1)}X`, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
    await withBearer(cc, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
    await withBearer(strayCc, 'GET', '/api/2.0/mlflow/experiments/search?max_results=1');
    const secrets = [t.token.slice(`mog_${t.id}_`.length), cc.split('.')[2]!, strayCc.split('.')[2]!, ETL_CLIENT.clientSecret, STRAY_CLIENT.clientSecret];
    const audit = JSON.stringify(await stack.server.gateway.store.audit.list({ limit: 1000 }));
    const logs = stack.logs.join('\n');
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});
