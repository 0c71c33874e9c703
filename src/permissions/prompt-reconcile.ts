// Grants given before prompts were a resource type of their own sit on `registered_model <name>`
// (and `model_version <name>/<n>`) although the object is a prompt. A store migration cannot tell
// which models are prompts — only MLflow knows — so each gateway start asks MLflow once for its
// prompts (registered models tagged mlflow.prompt.is_prompt=true) and moves such grants to
// `prompt` / `prompt_version`. Idempotent: once moved, nothing is left to move. Audited.
import { mlflowCall } from '../mlflow/resolver.js';
import type { Store } from '../store/index.js';

const PROMPTS_FILTER = "tags.`mlflow.prompt.is_prompt` = 'true'";
const MAX_PAGES = 100;

export interface ReconcileResult {
  readonly prompts: number;
  readonly moved: number;
}

export async function reconcilePromptGrants(upstreamUrl: string, store: Store, timeoutMs: number): Promise<ReconcileResult> {
  let token: string | undefined;
  let prompts = 0;
  let moved = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await mlflowCall(upstreamUrl, '/api/2.0/mlflow/registered-models/search', {
      query: { filter: PROMPTS_FILTER, max_results: '1000', page_token: token }, timeoutMs,
    });
    if (r.kind !== 'ok') throw new Error(`MLflow did not list its prompts: ${r.kind === 'http_error' ? `${r.status} ${r.message}` : r.message}`);
    const json = r.json as { registered_models?: { name?: unknown }[]; next_page_token?: unknown };
    for (const m of json.registered_models ?? []) {
      if (typeof m.name !== 'string') continue;
      prompts++;
      const n = await moveGrants(store, m.name);
      if (n > 0) {
        moved += n;
        await store.audit.append({
          time: new Date(), actor: null, action: 'grant.migrate', resource: `prompt:${m.name}`, decision: 'info',
          reason: `${n} grant(s) on registered_model ${m.name} (and its versions) moved to prompt: MLflow marks it as a prompt`, requestId: null, clientIp: null,
        });
      }
    }
    token = typeof json.next_page_token === 'string' && json.next_page_token !== '' ? json.next_page_token : undefined;
    if (!token) break;
  }
  return { prompts, moved };
}

async function moveGrants(store: Store, name: string): Promise<number> {
  const before = (await store.grants.listForResource('registered_model', name)).length;
  let moved = before > 0 ? await store.grants.moveResource({ type: 'registered_model', id: name }, { type: 'prompt', id: name }) : 0;
  for (const g of await store.grants.listForResourcePrefix('model_version', `${name}/`)) {
    if (!/^\/[^/]+$/.test(g.resourceId.slice(name.length))) continue;
    moved += await store.grants.moveResource({ type: 'model_version', id: g.resourceId }, { type: 'prompt_version', id: g.resourceId });
  }
  return moved;
}
