import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unique, userId } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue #16 as the stock MLflow Python client sees it, one test per part: child grants, DENY,
// prompts of their own, protected aliases, team defaults. alice (team-a) owns everything; bob
// (no group unless a test gives him one) and carol (team-a, team-b) are the others.

const SETUP = `
import os, json
os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"  # the traces exist when the script ends
import mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri(os.environ["GW_URL"])
c = MlflowClient()
exp = mlflow.set_experiment(os.environ["EXP_NAME"])
runs = []
for i in range(3):
    with mlflow.start_run(run_name="r%d" % i) as run:
        mlflow.log_metric("loss", 0.1 * i)
    runs.append(run.info.run_id)
p = mlflow.genai.register_prompt(name=os.environ["PROMPT"], template="Hello {{name}}")
c.create_registered_model(os.environ["MODEL"])
v = c.create_model_version(os.environ["MODEL"], source="runs:/%s/model" % runs[0], run_id=runs[0])
traces = []
for i in range(3):
    with mlflow.start_span(name="t%d" % i) as span:
        span.set_inputs({"i": i})
    traces.append(mlflow.get_last_active_trace_id())
logged = [c.create_logged_model(exp.experiment_id, name="lm%d" % i).model_id for i in range(3)]
print(json.dumps({"exp": exp.experiment_id, "runs": runs, "prompt_version": p.version, "model_version": v.version, "traces": traces, "logged": logged}))
`;

// Each probe prints ok or the gateway's code the client received.
const PROBE = `
import os, json, mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
mlflow.set_tracking_uri(os.environ["GW_URL"])
c = MlflowClient()
ids = json.loads(os.environ["IDS"])
def probe(fn):
    try:
        r = fn()
        return r if isinstance(r, (int, list)) else "ok"
    except MlflowException as e:
        body = getattr(e, "json", None) or {}
        return body.get("gateway_code") or body.get("error_code") or str(e)
checks = {
  "get_run_0": lambda: c.get_run(ids["runs"][0]),
  "get_run_1": lambda: c.get_run(ids["runs"][1]),
  "search_runs": lambda: [r.info.run_id for r in c.search_runs([ids["exp"]])],
  "log_run_0": lambda: c.log_metric(ids["runs"][0], "x", 1.0),
  "get_experiment": lambda: c.get_experiment(ids["exp"]),
  "load_prompt": lambda: mlflow.genai.load_prompt("prompts:/%s/1" % os.environ["PROMPT"]),
  "search_prompts": lambda: [p.name for p in mlflow.genai.search_prompts(filter_string="name = '%s'" % os.environ["PROMPT"])],
  "get_model": lambda: c.get_registered_model(os.environ["MODEL"]),
  "search_models": lambda: [m.name for m in c.search_registered_models(filter_string="name = '%s'" % os.environ["MODEL"])],
  "set_champion": lambda: c.set_registered_model_alias(os.environ["MODEL"], "champion", ids["model_version"]),
  "set_staging": lambda: c.set_registered_model_alias(os.environ["MODEL"], "staging", ids["model_version"]),
  "search_traces": lambda: sorted(t.info.trace_id for t in c.search_traces(experiment_ids=[ids["exp"]], include_spans=False)),
  "search_traces_spans": lambda: sorted(t.info.trace_id for t in c.search_traces(experiment_ids=[ids["exp"]]) if t.data.spans),
  "get_trace_0": lambda: c.get_trace(ids["traces"][0]),
  "get_trace_1": lambda: c.get_trace(ids["traces"][1]),
  "search_logged_models": lambda: sorted(m.model_id for m in c.search_logged_models([ids["exp"]])),
  "get_logged_model_1": lambda: c.get_logged_model(ids["logged"][1]),
}
only = os.environ.get("ONLY")
print(json.dumps({k: probe(f) for k, f in checks.items() if not only or k in only.split(",")}))
`;

describe('permission model with the MLflow Python client (issue #16)', { timeout: 240_000 }, () => {
  let stack: Stack;
  let ids: { exp: string; runs: string[]; prompt_version: number; model_version: string; traces: string[]; logged: string[] };
  const names = { exp: unique('pm-exp'), prompt: unique('pm-prompt'), model: unique('pm-model') };
  const store = () => stack.server.gateway.store;
  const tokenOf = async (u: string) => (await stack.idp.getTokens(u)).access_token;
  const py = async (user: string, code: string, env: Record<string, string> = {}) => {
    const r = await runPython(code, {
      GW_URL: stack.gatewayUrl, MLFLOW_TRACKING_TOKEN: await tokenOf(user), EXP_NAME: names.exp, PROMPT: names.prompt, MODEL: names.model,
      IDS: JSON.stringify(ids ?? {}), ...env,
    });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  };
  const probe = (user: string, only: string) => py(user, PROBE, { ONLY: only });

  beforeAll(async () => {
    stack = await startStack();
    ids = (await py('alice', SETUP)) as typeof ids;
    await probe('bob', 'get_experiment'); // bob's user row, for user grants
  });
  afterAll(async () => stack?.stop());

  it('1. a run grant opens that one run and nothing else of its experiment', async () => {
    const bob = await userId(stack, 'bob');
    await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'run', resourceId: ids.runs[0]!, level: 'READ' });
    expect(await probe('bob', 'get_run_0,get_run_1,search_runs,log_run_0,get_experiment')).toEqual({
      get_run_0: 'ok', get_run_1: 'GW_DENIED', search_runs: [ids.runs[0]], log_run_0: 'GW_DENIED', get_experiment: 'GW_DENIED',
    });
    await store().grants.delete('user', bob, 'run', ids.runs[0]!);
  });

  it('2. DENY beats group and pattern grants', async () => {
    const bob = await userId(stack, 'bob');
    stack.idp.setUserGroups('bob', ['team-b']);
    try {
      await store().grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: ids.exp, level: 'EDIT' });
      const rule = await store().grants.addPattern({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', matcher: 'glob', pattern: 'pm-exp-*', level: 'MANAGE' });
      expect(await probe('bob', 'get_run_1,log_run_0')).toEqual({ get_run_1: 'ok', log_run_0: 'ok' });
      await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'experiment', resourceId: ids.exp, level: 'DENY' });
      expect(await probe('bob', 'get_run_1,log_run_0,search_runs,get_experiment')).toEqual({
        get_run_1: 'GW_DENIED', log_run_0: 'GW_DENIED', search_runs: [], get_experiment: 'GW_DENIED',
      });
      // A DENY on one run leaves the others to the group grant.
      await store().grants.delete('user', bob, 'experiment', ids.exp);
      await store().grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'run', resourceId: ids.runs[1]!, level: 'DENY' });
      const seen = await probe('bob', 'get_run_0,get_run_1,search_runs');
      expect(seen).toMatchObject({ get_run_0: 'ok', get_run_1: 'GW_DENIED' });
      expect([...(seen.search_runs as string[])].sort()).toEqual([ids.runs[0], ids.runs[2]].sort());
      await store().grants.deletePattern(rule.id);
      await store().grants.delete('group', 'team-b', 'experiment', ids.exp);
      await store().grants.delete('group', 'team-b', 'run', ids.runs[1]!);
    } finally {
      stack.idp.setUserGroups('bob', []);
    }
  });

  it('3. prompt and model grants never cross; the prompt marker tag cannot be changed by a non-admin', async () => {
    const bob = await userId(stack, 'bob');
    // alice created the prompt: her creator grant is on the prompt type.
    const aliceId = await userId(stack, 'alice');
    expect(await store().grants.listForResource('prompt', names.prompt)).toEqual([expect.objectContaining({ principal: aliceId, level: 'MANAGE' })]);
    // A registered_model grant under the prompt's name opens nothing of the prompt.
    await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'registered_model', resourceId: names.prompt, level: 'READ' });
    expect(await probe('bob', 'load_prompt,search_prompts')).toEqual({ load_prompt: 'GW_DENIED', search_prompts: [] });
    await store().grants.delete('user', bob, 'registered_model', names.prompt);
    await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'prompt', resourceId: names.prompt, level: 'READ' });
    expect(await probe('bob', 'load_prompt,search_prompts,get_model,search_models')).toEqual({
      load_prompt: 'ok', search_prompts: [names.prompt], get_model: 'GW_DENIED', search_models: [],
    });
    // And a prompt grant under the model's name opens nothing of the model.
    await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'prompt', resourceId: names.model, level: 'READ' });
    expect(await probe('bob', 'get_model,search_models')).toEqual({ get_model: 'GW_DENIED', search_models: [] });
    // alice (MANAGE on her prompt) still may not turn it into a model. (The Python client refuses
    // registry calls on prompts itself, so this one goes over REST, as any other client could.)
    for (const [method, path, body] of [
      ['DELETE', 'registered-models/delete-tag', { name: names.prompt, key: 'mlflow.prompt.is_prompt' }],
      ['POST', 'registered-models/set-tag', { name: names.prompt, key: 'mlflow.prompt.is_prompt', value: 'false' }],
      ['POST', 'registered-models/set-tag', { name: names.model, key: 'mlflow.prompt.is_prompt', value: 'true' }],
    ] as const) {
      const res = await fetch(`${stack.gatewayUrl}/ajax-api/2.0/mlflow/${path}`, {
        method, headers: { authorization: `Bearer ${await tokenOf('alice')}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { gateway_code?: string }).gateway_code).toBe('GW_PROTECTED_KEY');
    }
  });

  it('4. alias champion: refused to an editor, allowed to the named group', async () => {
    const bob = await userId(stack, 'bob');
    await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'registered_model', resourceId: names.model, level: 'EDIT' });
    const rule = await store().rules.addProtectedKey({
      resourceType: 'registered_model', resourcePattern: 'pm-model-*', target: 'alias', keyPattern: 'champion', requiredLevel: null, allowedGroups: ['release-managers'], createdBy: 'test',
    });
    try {
      expect(await probe('bob', 'set_champion,set_staging')).toEqual({ set_champion: 'GW_PROTECTED_KEY', set_staging: 'ok' });
      stack.idp.setUserGroups('bob', ['release-managers']);
      expect(await probe('bob', 'set_champion')).toEqual({ set_champion: 'ok' });
    } finally {
      stack.idp.setUserGroups('bob', []);
      await store().rules.deleteProtectedKey(rule.id);
    }
  });

  it('5. a team default gives the creator\'s team EDIT on what a member creates', async () => {
    const rule = await store().rules.addTeamDefault({
      resourceType: 'experiment', creatorGroup: null, grantTo: 'creator_groups', groupPattern: 'team-*', groups: [], level: 'EDIT', createdBy: 'test',
    });
    try {
      const made = await py('alice', 'import os, json, mlflow\nmlflow.set_tracking_uri(os.environ["GW_URL"])\nprint(json.dumps({"exp": mlflow.create_experiment(os.environ["NEW"])}))', { NEW: unique('pm-team') });
      const exp = made.exp as string;
      expect((await store().grants.listForResource('experiment', exp)).map((g) => `${g.principalType}:${g.level}`).sort()).toEqual(['group:EDIT', 'user:MANAGE']);
      const write = 'import os, json, mlflow\nfrom mlflow.exceptions import MlflowException\nmlflow.set_tracking_uri(os.environ["GW_URL"])\ntry:\n    mlflow.MlflowClient().create_run(os.environ["EXP"]); print(json.dumps({"r": "ok"}))\nexcept MlflowException as e:\n    print(json.dumps({"r": (e.json or {}).get("gateway_code")}))';
      expect(await py('carol', write, { EXP: exp })).toEqual({ r: 'ok' }); // team-a member
      expect(await py('bob', write, { EXP: exp })).toEqual({ r: 'GW_DENIED' });
    } finally {
      await store().rules.deleteTeamDefault(rule.id);
    }
  });

  it('6. a trace or logged-model grant shows that one in search_traces / search_logged_models, a DENY hides one', async () => {
    const bob = await userId(stack, 'bob');
    await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'trace', resourceId: ids.traces[0]!, level: 'READ' });
    await store().grants.set({ principalType: 'user', principal: bob, resourceType: 'logged_model', resourceId: ids.logged[0]!, level: 'READ' });
    expect(await probe('bob', 'search_traces,search_traces_spans,get_trace_0,get_trace_1,search_logged_models,get_logged_model_1')).toEqual({
      search_traces: [ids.traces[0]], search_traces_spans: [ids.traces[0]], get_trace_0: 'ok', get_trace_1: 'GW_DENIED',
      search_logged_models: [ids.logged[0]], get_logged_model_1: 'GW_DENIED',
    });
    await store().grants.delete('user', bob, 'trace', ids.traces[0]!);
    await store().grants.delete('user', bob, 'logged_model', ids.logged[0]!);
    // carol reads the experiment through team-b; a DENY on one trace and one logged model hides them.
    const carol = await userId(stack, 'carol');
    await store().grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: ids.exp, level: 'READ' });
    await store().grants.set({ principalType: 'user', principal: carol, resourceType: 'trace', resourceId: ids.traces[1]!, level: 'DENY' });
    await store().grants.set({ principalType: 'user', principal: carol, resourceType: 'logged_model', resourceId: ids.logged[1]!, level: 'DENY' });
    try {
      expect(await probe('carol', 'search_traces,get_trace_1,search_logged_models,get_logged_model_1')).toEqual({
        search_traces: [ids.traces[0], ids.traces[2]].sort(), get_trace_1: 'GW_DENIED',
        search_logged_models: [ids.logged[0], ids.logged[2]].sort(), get_logged_model_1: 'GW_DENIED',
      });
    } finally {
      await store().grants.delete('group', 'team-b', 'experiment', ids.exp);
      await store().grants.delete('user', carol, 'trace', ids.traces[1]!);
      await store().grants.delete('user', carol, 'logged_model', ids.logged[1]!);
    }
  });
});
