import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { extractIds, extractReferences, missingRequiredField, versionOf } from '../../mlflow/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';
import { afterSuccessFor } from '../after-response.js';
import { prepareRedaction } from '../embedded-versions.js';
import { applyAttribution, rewritesBody } from '../attribution.js';
import { bodyLease, guardJsonNesting, needsJsonBody, parseJsonBody, readBody } from '../request-body.js';
import { checkResources } from '../resource-check.js';
import { assertTokenAllowsAdmin } from '../token-limits.js';
import { otlpReferences } from '../otlp-references.js';
import { checkProtectedKeys } from '../../permissions/protected-keys.js';
import { writesKeys } from '../../permissions/key-writes.js';

/**
 * Step 5: decide by the route's requirement. Unknown routes fail closed for everyone but
 * administrators; blocked routes (server-side code execution) are refused unless enabled;
 * resource routes need the action's level on every resource the request names (children
 * resolved to their parent); creation needs the creator right and grants MANAGE afterwards.
 */
export async function authorize(gw: Gateway, req: FastifyRequest, ctx: RequestContext): Promise<void> {
  const user = ctx.principal?.user;
  const route = ctx.route;
  if (user) ctx.subject = gw.access.subjectOf(user, ctx.principal?.limits);
  if (!route) {
    if (user?.isAdmin) {
      assertTokenAllowsAdmin(req.method, ctx.principal);
      ctx.decision = 'allow: administrator (route not in the table)';
      return;
    }
    throw new GatewayError('GW_UNKNOWN_ROUTE', `The gateway does not know ${ctx.path}; only administrators may call unknown MLflow routes`);
  }
  let requirement = route.requirement;
  if (requirement.kind === 'blocked') {
    const enabled = requirement.feature === 'assistant' && gw.config.enableAssistant;
    if (!enabled) throw new GatewayError('GW_ROUTE_BLOCKED', `This MLflow route (${requirement.feature}) is disabled on this gateway`);
    requirement = requirement.ifEnabled;
  }
  if (requirement.kind === 'public') {
    ctx.decision = 'allow: public';
    return;
  }
  const subject = ctx.subject;
  if (!subject || !user) throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required');

  // The body is read before any decision that depends on it, and what is checked is what is sent.
  const query = new URLSearchParams(ctx.query);
  // Routes that write tags or aliases are read too (protected keys), including creations with tags.
  if (needsJsonBody(route, req.method, query, rewritesBody(route.rpc) || writesKeys(route.rpc))) {
    ctx.body = await readBody(req, gw.config.maxJsonBody, bodyLease(gw, ctx));
    ctx.json = parseJsonBody(ctx.body);
  }
  // No nesting bomb reaches MLflow's recursive parsers, whether or not a step needed the body.
  ctx.body = await guardJsonNesting(req, route, ctx.body, gw.config.maxJsonBody, bodyLease(gw, ctx));
  // What the id, reference, version and protected-key readers see: built once per request.
  const input = { method: req.method, query, body: ctx.json, params: ctx.params ?? {}, headers: req.headers };

  switch (requirement.kind) {
    case 'authenticated':
      ctx.decision = 'allow: authenticated';
      break;
    case 'admin':
      if (!subject.isAdmin) throw new GatewayError('GW_DENIED', 'Only administrators may call this MLflow route');
      assertTokenAllowsAdmin(req.method, ctx.principal);
      ctx.decision = 'allow: administrator';
      break;
    case 'create': {
      if (!gw.access.mayCreate(subject)) {
        throw new GatewayError('GW_DENIED', `You may not create a ${requirement.resource.replace('_', ' ')} on this gateway (GATEWAY_CREATORS)`);
      }
      ctx.decision = `allow: create ${requirement.resource}`;
      if (requirement.ids || route.references?.length) {
        // What the new object is built from (an endpoint's model definitions, a model definition's
        // secret) and attached to (an artifact_location in another experiment's tree).
        const extracted = extractIds(route, input, { deferToMlflow: true });
        if (!extracted.ok) throw new GatewayError(extracted.code, extracted.message);
        const referenced = extractReferences(route, input, { deferToMlflow: true });
        if (!referenced.ok) throw new GatewayError(referenced.code, referenced.message);
        ctx.decision = `${ctx.decision}; ${await checkResources(gw, subject, extracted.ids, referenced.references)}`;
        const refuses = extracted.mlflowRefuses ?? referenced.mlflowRefuses;
        if (refuses !== undefined) ctx.decision = `${ctx.decision}; MLflow validates (${refuses})`;
      }
      const keys = await checkProtectedKeys(gw, subject, route, input);
      if (keys) ctx.decision = `${ctx.decision}; ${keys}`;
      break;
    }
    case 'resource':
    case 'filtered': {
      const extracted = extractIds(route, input, { deferToMlflow: true });
      if (!extracted.ok) throw new GatewayError(extracted.code, extracted.message);
      const referenced = extractReferences(route, input, { deferToMlflow: true });
      if (!referenced.ok) throw new GatewayError(referenced.code, referenced.message);
      const plainAdmin = subject.isAdmin && !subject.scope && !subject.maxLevel;
      const references = [...referenced.references, ...(plainAdmin ? [] : await otlpReferences(gw, req, ctx))];
      // A route on one model version checks that version (a child of its model or prompt).
      const version = versionOf(route, input);
      if (!version.ok) throw new GatewayError(version.code, version.message);
      const mlflowRefuses = extracted.mlflowRefuses ?? referenced.mlflowRefuses;
      if (mlflowRefuses !== undefined) {
        // MLflow refuses this request itself (see extractIds): every id and reference that could be
        // read is still checked, then MLflow's validation answers — its message and code, not ours.
        ctx.decision = `${await checkResources(gw, subject, extracted.ids, references, version.version)}; MLflow validates (${mlflowRefuses})`;
        // Keys in the well-formed part of the request are still protected: "MLflow refuses" is the
        // gateway's reading of MLflow, and a protected key must not depend on it.
        const keys = await checkProtectedKeys(gw, subject, route, input);
        if (keys) ctx.decision = `${ctx.decision}; ${keys}`;
        ctx.mlflowValidates = true;
        break;
      }
      // Lists of ids on filtered routes (search_runs' experiment_ids…) are narrowed to what the
      // caller may read by serveFiltered instead of refusing the whole call; single ids are checked.
      const ids = requirement.kind === 'filtered' ? extracted.ids.filter((id) => !id.many) : extracted.ids;
      // A field the handler requires is missing: MLflow refuses before any store call (RouteSpec.requires).
      const refusedFirst = missingRequiredField(route, input);
      ctx.decision = await checkResources(gw, subject, ids, references, version.version, refusedFirst);
      if (refusedFirst !== undefined) {
        ctx.decision = `${ctx.decision}; MLflow validates (no ${refusedFirst})`;
        ctx.mlflowValidates = true;
      }
      const keys = await checkProtectedKeys(gw, subject, route, input);
      if (keys) ctx.decision = `${ctx.decision}; ${keys}`;
      if (requirement.kind === 'filtered') ctx.decision = `${ctx.decision}; filtered ${requirement.filter}`;
      break;
    }
  }

  const rewritten = applyAttribution(route.rpc, ctx.json, user);
  if (rewritten) ctx.body = rewritten;
  const after = afterSuccessFor(route.rpc);
  if (after) ctx.afterSuccess = after;
  await prepareRedaction(gw, ctx, subject, route.rpc);
}

