import { mlflowCall } from '../../mlflow/resolver.js';
import type { Resource } from '../../policy/index.js';
import { isObject, listField, withList } from './json.js';
import { keepAllowed } from './readable.js';
import { noteDecision, type FilterRequest } from './request.js';
import { relayUpstreamFailure, sendJson } from './send.js';

// The AI gateway's listings. Both are small, unpaginated lists of every endpoint on the server
// (store.list_gateway_endpoints), so the gateway asks MLflow for the list and keeps what the
// caller may see: cost = one upstream call + one memoised check per endpoint.

const ENDPOINTS_LIST = '/api/3.0/mlflow/gateway/endpoints/list';

function endpointResource(e: unknown): Resource | undefined {
  if (!isObject(e) || typeof e.endpoint_id !== 'string' || e.endpoint_id === '') return undefined;
  return { type: 'gateway_endpoint', id: e.endpoint_id, ...(typeof e.name === 'string' ? { name: e.name } : {}) };
}

/** ListGatewayEndpoints (GET gateway/endpoints/list[?provider=]): endpoints the caller may read. */
export async function serveListGatewayEndpoints(fr: FilterRequest): Promise<true> {
  const provider = fr.query.get('provider') ?? undefined;
  const r = await mlflowCall(fr.gw.config.upstreamUrl, ENDPOINTS_LIST, { query: { provider }, ...fr.upstreamCall });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const endpoints = listField(r.json, 'endpoints');
  const kept = await keepAllowed(fr.access, 'read', endpoints, endpointResource);
  noteDecision(fr, `gateway endpoints (${kept.length} of ${endpoints.length})`);
  return sendJson(fr, withList(r.json, 'endpoints', kept));
}

/**
 * The OpenAI-style model list (GET /gateway/mlflow/v1/models): `data[].id` is an endpoint NAME,
 * and only endpoints the caller may USE (invoke) are listed. Names are mapped to endpoint ids with
 * one endpoints/list call (grants are on ids); a name that maps to nothing is not listed.
 */
export async function serveListGatewayModels(fr: FilterRequest): Promise<true> {
  const upstream = fr.gw.config.upstreamUrl;
  const [models, list] = await Promise.all([
    mlflowCall(upstream, '/gateway/mlflow/v1/models', fr.upstreamCall),
    mlflowCall(upstream, ENDPOINTS_LIST, fr.upstreamCall),
  ]);
  if (models.kind !== 'ok') return relayUpstreamFailure(fr, models);
  if (list.kind !== 'ok') return relayUpstreamFailure(fr, list);
  const byName = new Map<string, Resource>();
  for (const e of listField(list.json, 'endpoints')) {
    const res = endpointResource(e);
    if (res?.name !== undefined) byName.set(res.name, res);
  }
  const data = listField(models.json, 'data');
  const kept = await keepAllowed(fr.access, 'use', data, (m) => (isObject(m) && typeof m.id === 'string' ? byName.get(m.id) : undefined));
  noteDecision(fr, `gateway models (${kept.length} of ${data.length})`);
  // Not protobuf JSON: OpenAI's list shape keeps `data` even when empty.
  return sendJson(fr, { ...(isObject(models.json) ? models.json : { object: 'list' }), data: kept });
}

/**
 * The AI gateway's secrets configuration (GET ajax-api/3.0/mlflow/gateway/secrets/config), which
 * MLflow's UI reads before showing endpoints. Non-administrators get it as MLflow's own auth gives
 * it to them (auth.redact_secrets_config_for_non_admins): `using_default_passphrase` is a
 * security-posture signal (are the stored provider keys encrypted with the default passphrase?)
 * and is removed; the rest carries no secret.
 */
export async function serveSecretsConfig(fr: FilterRequest): Promise<true> {
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, fr.upstreamCall);
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const { using_default_passphrase: _posture, ...rest } = isObject(r.json) ? r.json : {};
  noteDecision(fr, 'secrets config (redacted for non-administrators)');
  return sendJson(fr, rest);
}

/** A listed secret or model definition as the resource it is (id + name for pattern rules). */
function gatewayObject(type: 'gateway_secret' | 'gateway_model_definition', idKey: string, nameKey: string) {
  return (o: unknown): Resource | undefined => {
    if (!isObject(o) || typeof o[idKey] !== 'string' || o[idKey] === '') return undefined;
    const name = o[nameKey];
    return { type, id: o[idKey] as string, ...(typeof name === 'string' ? { name } : {}) };
  };
}

/** ListGatewaySecretInfos (GET gateway/secrets/list[?provider=]): the secrets the caller may read (values masked by MLflow). */
export async function serveListGatewaySecrets(fr: FilterRequest): Promise<true> {
  const provider = fr.query.get('provider') ?? undefined;
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, { query: { provider }, ...fr.upstreamCall });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const secrets = listField(r.json, 'secrets');
  const kept = await keepAllowed(fr.access, 'read', secrets, gatewayObject('gateway_secret', 'secret_id', 'secret_name'));
  noteDecision(fr, `gateway secrets (${kept.length} of ${secrets.length})`);
  return sendJson(fr, withList(r.json, 'secrets', kept));
}

/** ListGatewayModelDefinitions (GET gateway/model-definitions/list[?provider=&secret_id=]): the readable ones. */
export async function serveListGatewayModelDefinitions(fr: FilterRequest): Promise<true> {
  const query = { provider: fr.query.get('provider') ?? undefined, secret_id: fr.query.get('secret_id') ?? fr.query.get('secretId') ?? undefined };
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, { query, ...fr.upstreamCall });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const defs = listField(r.json, 'model_definitions');
  const kept = await keepAllowed(fr.access, 'read', defs, gatewayObject('gateway_model_definition', 'model_definition_id', 'name'));
  noteDecision(fr, `gateway model definitions (${kept.length} of ${defs.length})`);
  return sendJson(fr, withList(r.json, 'model_definitions', kept));
}
