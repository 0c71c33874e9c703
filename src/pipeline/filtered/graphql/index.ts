import { print } from 'graphql';
import { mlflowCall } from '../../../mlflow/resolver.js';
import { GatewayError } from '../../../errors/index.js';
import { jsonObjectBody } from '../body.js';
import { isObject } from '../json.js';
import { noteDecision, type FilterRequest } from '../request.js';
import { forwardRewritten, relaySearchError, relayUpstreamFailure, sendJson } from '../send.js';
import { childFacts } from '../child-scoped.js';
import { checkRootFields } from './checks.js';
import { graphqlRequestOf, prepareOperation } from './document.js';
import { mlflowScanRefusal } from './mlflow-limits.js';
import { filterModelVersions, finalDocument } from './post-filter.js';
import { rootFields } from './root-fields.js';
import { fillRunPages, runPlanner, type RunPaging } from './run-pages.js';
import { graphqlSchemaFor } from './select.js';

/**
 * POST /graphql for a caller who may not read everything: validate and normalise the operation
 * (document.ts), authorize or narrow every root field (checks.ts), then send MLflow the checked
 * operation. When model versions may appear in the answer and the caller does not read every
 * registered model, or runs when the caller holds run grants or rules, the answer is fetched,
 * run lists filled to full pages (run-pages.ts), post-filtered (post-filter.ts) and sent;
 * otherwise it streams back through the normal proxy path.
 */
export async function serveGraphql(fr: FilterRequest): Promise<true> {
  // MLflow reads GraphQL from the JSON body only, and a GET body never reaches it through the proxy.
  if (fr.method !== 'POST') throw new GatewayError('GW_BAD_REQUEST', 'Send GraphQL requests with POST and a JSON body');
  // Validated against the schema of the MLflow version behind the gateway (read from /version).
  const schema = graphqlSchemaFor(fr.gw.mlflow.current());
  if (!schema) throw new GatewayError('GW_UNKNOWN_ROUTE', `MLflow ${fr.gw.mlflow.current().text} has no GraphQL API`);
  const request = graphqlRequestOf(await jsonObjectBody(fr.gw, fr.req, fr.ctx));
  let prepared: ReturnType<typeof prepareOperation>;
  let fields: ReturnType<typeof rootFields>;
  try {
    prepared = prepareOperation(request, schema);
    fields = rootFields(prepared.document, prepared.operation, schema);
  } catch (err) {
    // A query the gateway refuses anyway (schema validation, its own root-field bound) that this
    // MLflow version's own size scan refuses first: MLflow's answer, by the scan of the version
    // behind the gateway (mlflow-limits.ts). Nothing is forwarded.
    const scan = fr.gw.mlflow.capabilities().graphqlQueryScan;
    const limit = err instanceof GatewayError && err.code === 'GW_BAD_REQUEST' ? mlflowScanRefusal(request.query, scan) : undefined;
    if (limit === undefined) throw err;
    noteDecision(fr, `graphql refused by MLflow's own query limits (${limit})`);
    return sendJson(fr, { data: null, errors: [limit] });
  }
  const [allExperiments, allModels] = await Promise.all([
    fr.gw.access.readsEverything(fr.subject, 'experiment'),
    fr.gw.access.readsEverything(fr.subject, 'registered_model'),
  ]);
  // Run grants or rules (issue #16): run lists are planned as runs/search plans them, post-filtered
  // and filled to full pages with the gateway's tokens (run-pages.ts).
  const runs = fr.subject.isAdmin ? undefined : await childFacts(fr.gw, fr.subject, 'run');
  const planner = runs?.any ? runPlanner(fr, runs) : undefined;
  const rewrites = await checkRootFields(fr.access, fields, { allExperiments, ...(planner ? { planRuns: planner.planRuns } : {}) });
  const pagings = planner?.pagings ?? new Map<string, RunPaging>();
  const pagedRuns = new Set([...pagings.values()].flatMap((p) => p.fields.map((f) => f.node)));
  const { document, nonce } = finalDocument(prepared.document, fields, rewrites, !allModels, planner !== undefined, schema, { pagedRuns });
  const upstreamBody = { query: print(document), ...(prepared.operationName ? { operationName: prepared.operationName } : {}) };
  noteDecision(fr, `graphql (${fields.map((f) => f.name).join(', ')}${nonce ? '; post-filtered' : ''})`);
  if (!nonce) return forwardRewritten(fr, upstreamBody);

  const r = await mlflowCall(fr.gw.config.upstreamUrl, '/graphql', { method: 'POST', body: upstreamBody, ...fr.upstreamCall });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const answer = isObject(r.json) ? r.json : {};
  const experimentOf = async (id: string) => {
    const e = await fr.gw.resolver.resolve('experiment_id', id);
    return e.ok ? e.resources[0] : undefined;
  };
  let data: unknown;
  try {
    data = await fillRunPages({ fr, document: prepared.document, operation: prepared.operation, schema, nonce, filterModels: !allModels }, pagings, answer.data);
  } catch (err) {
    return relaySearchError(fr, err);
  }
  return sendJson(fr, { ...answer, data: await filterModelVersions(fr.access, data, nonce, experimentOf) }, r.status);
}
