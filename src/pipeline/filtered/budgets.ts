import { GatewayError } from '../../errors/index.js';
import { asObject, filteredPage, MlflowSearchError, searchFailure, pageOf, type PageSource } from '../../mlflow/filtered-search.js';
import { mlflowCall } from '../../mlflow/resolver.js';
import { isObject, listField, withList } from './json.js';
import { mapLimit } from './limit.js';
import { readPageToken, writePageToken, type TokenBinding } from './page-token.js';
import { pageTokenParam } from './params.js';
import { noteDecision, queryRecord, type FilterRequest } from './request.js';
import { relaySearchError, relayUpstreamFailure, sendJson, sendMlflowError } from './send.js';

// AI-gateway budget reads for non-administrators (issue #14). MLflow 3.17.2's own auth lets any
// signed-in user read every budget policy (GetGatewayBudgetPolicy, ListGatewayBudgetPolicies,
// ListGatewayBudgetWindows: _allow_authenticated); a policy names its target, so here a caller
// sees a policy only when its target is theirs to see (MLflow's GatewayBudgetPolicy.target_scope
// and target_value, mlflow/entities/gateway_budget_policy.py):
//   USER       target_value is a username: visible to that user only (the gateway's username of
//              the caller, the name MLflow's own auth would match);
//   ENDPOINT   target_value is an endpoint id: visible when the caller may READ that endpoint
//              (a deleted endpoint is nobody's to see: hidden);
//   GLOBAL     server-wide, no target: visible to every signed-in user — it limits everyone's
//              use and names no one (MLflow's windows handler always shows GLOBAL policies too);
//   WORKSPACE  the requesting workspace's policy (MLflow's store lists only the workspace the
//              request selects, and the gateway admitted the caller to it): visible;
//   anything else (TARGET_SCOPE_UNSPECIFIED, a scope a later MLflow adds): hidden (fail closed).
// Budget writes stay administrators only, as in MLflow's own auth (routes.ts).

export type BudgetPolicy = Record<string, unknown>;

/** Whether the caller may see `policy` (see the table above). */
export async function budgetVisible(fr: FilterRequest, policy: unknown): Promise<boolean> {
  if (!isObject(policy)) return false;
  const scope = policy.target_scope;
  const target = typeof policy.target_value === 'string' ? policy.target_value : '';
  switch (scope) {
    case 'GLOBAL':
    case 'WORKSPACE':
      return true;
    case 'USER':
      return target !== '' && target === fr.subject.username;
    case 'ENDPOINT': {
      if (target === '') return false;
      const r = await fr.gw.resolver.resolve('endpoint_id', target);
      const endpoint = r.ok ? r.resources[0] : undefined;
      return endpoint !== undefined && fr.access.allowed('read', endpoint);
    }
    default:
      return false;
  }
}

/** GetGatewayBudgetPolicy (GET gateway/budgets/get?budget_policy_id=): MLflow's answer when the policy is the caller's to see. */
export async function serveGetBudgetPolicy(fr: FilterRequest): Promise<true> {
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, { query: queryRecord(fr.query), ...fr.upstreamCall });
  // MLflow's own validation and "not found" answers reach the client unchanged: they disclose nothing.
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const policy = isObject(r.json) ? r.json.budget_policy : undefined;
  if (!(await budgetVisible(fr, policy))) {
    noteDecision(fr, 'budget policy (hidden)');
    throw new GatewayError('GW_DENIED', 'This budget policy targets a user or an AI-gateway endpoint you may not see');
  }
  noteDecision(fr, 'budget policy (visible)');
  return sendJson(fr, r.json);
}

/** Largest upstream page (MLflow's SEARCH_MAX_RESULTS_THRESHOLD for list_budget_policies). */
const MAX_BUDGET_BATCH = 50_000;

/**
 * The client's max_results as MLflow reads it (`max_results or SEARCH_MAX_RESULTS_DEFAULT`: absent
 * or 0 is 1000), or undefined for anything MLflow refuses (not an integer, negative, too big).
 */
function budgetPageSize(q: URLSearchParams): number | undefined {
  const raw = (q.get('max_results') ?? '').trim();
  if (raw === '' || /^[+-]?0+$/.test(raw)) return 1000;
  if (!/^\+?\d{1,9}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= MAX_BUDGET_BATCH ? n : undefined;
}

/** ListGatewayBudgetPolicies pages at `path` (the route the client used, /api or /ajax-api). */
function budgetsSource(fr: FilterRequest, path: string): PageSource<BudgetPolicy> {
  return {
    maxBatchSize: MAX_BUDGET_BATCH,
    async fetch(pageToken, maxResults) {
      const query = { max_results: String(maxResults), ...(pageToken ? { page_token: pageToken } : {}) };
      const r = await mlflowCall(fr.gw.config.upstreamUrl, path, { query, ...fr.upstreamCall });
      if (r.kind !== 'ok') throw searchFailure(r, 'gateway/budgets/list');
      return pageOf(r.json, 'budget_policies', asObject);
    },
  };
}

/**
 * ListGatewayBudgetPolicies (GET gateway/budgets/list[?max_results=&page_token=]): full pages of the
 * visible policies in MLflow's order (by id), with the gateway's own signed page token.
 */
export async function serveListBudgetPolicies(fr: FilterRequest): Promise<true> {
  const max = budgetPageSize(fr.query);
  if (max === undefined) {
    // MLflow's own refusal, word for word (its validation names no policy).
    const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, { query: queryRecord(fr.query), ...fr.upstreamCall });
    if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
    return sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', `Invalid value ${fr.query.get('max_results') ?? ''} for parameter 'max_results' supplied`);
  }
  const binding: TokenBinding = { kind: 'budget_policies', subject: fr.subject, mode: 'scan', params: [] };
  const resume = readPageToken(fr.gw.config, pageTokenParam(fr.query), binding, MAX_BUDGET_BATCH);
  if (resume === 'invalid') return sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', 'Invalid page token: it was not issued by this gateway for this list; start again without it');
  const visible = new WeakMap<object, boolean>();
  const inner = budgetsSource(fr, fr.ctx.path);
  const source: PageSource<BudgetPolicy> = {
    maxBatchSize: MAX_BUDGET_BATCH,
    async fetch(token, n) {
      const page = await inner.fetch(token, n);
      const ok = await mapLimit(page.items, 16, (p) => budgetVisible(fr, p));
      page.items.forEach((p, i) => visible.set(p, ok[i] === true));
      return page;
    },
  };
  let page;
  try {
    page = await filteredPage({ source, readable: (p) => visible.get(p) === true, maxResults: max, resumeToken: resume, batchSize: Math.min(Math.max(max * 2, 100), 5000) });
  } catch (err) {
    return relaySearchError(fr, err);
  }
  const body: Record<string, unknown> = {};
  if (page.items.length > 0) body.budget_policies = page.items;
  if (page.next) body.next_page_token = writePageToken(fr.gw.config, page.next, binding);
  noteDecision(fr, `budget policies (${page.items.length} visible, ${page.upstreamPages} upstream pages)`);
  return sendJson(fr, body);
}

/** Every policy MLflow lists (all pages), for the windows filter. */
async function allPolicies(fr: FilterRequest, path: string): Promise<BudgetPolicy[]> {
  const source = budgetsSource(fr, path);
  const out: BudgetPolicy[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await source.fetch(token, 5000);
    out.push(...page.items);
    if (!page.nextPageToken) return out;
    token = page.nextPageToken;
  }
  throw new MlflowSearchError('too many budget policies to filter their windows', 503, 'TEMPORARILY_UNAVAILABLE', undefined);
}

/**
 * ListGatewayBudgetWindows (GET gateway/budgets/windows): the current spend of the visible policies
 * only. A window names only its policy's id, so the policies are listed first (same workspace
 * selector) and a window whose policy is not listed, or not visible, is dropped.
 */
export async function serveListBudgetWindows(fr: FilterRequest): Promise<true> {
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, { query: queryRecord(fr.query), ...fr.upstreamCall });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  let policies: BudgetPolicy[];
  try {
    policies = await allPolicies(fr, fr.ctx.path.replace(/\/budgets\/windows$/, '/budgets/list'));
  } catch (err) {
    return relaySearchError(fr, err);
  }
  const ok = await mapLimit(policies, 16, (p) => budgetVisible(fr, p));
  const visibleIds = new Set(policies.filter((_, i) => ok[i]).map((p) => p.budget_policy_id).filter((id): id is string => typeof id === 'string'));
  const windows = listField(r.json, 'windows');
  const kept = windows.filter((w) => isObject(w) && typeof w.budget_policy_id === 'string' && visibleIds.has(w.budget_policy_id));
  noteDecision(fr, `budget windows (${kept.length} of ${windows.length})`);
  return sendJson(fr, withList(r.json, 'windows', kept));
}
