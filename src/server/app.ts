import { randomUUID } from 'node:crypto';
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import replyFrom from '@fastify/reply-from';
import { pino, type Logger } from 'pino';
import type { Config } from '../config/index.js';
import { GatewayError, toGatewayError } from '../errors/index.js';
import { createWorkloadFederation } from '../federation/workload.js';
import { createBearerVerifier } from '../oidc/bearer.js';
import { createProviders } from '../oidc/providers/registry.js';
import { isApiPath } from '../pipeline/steps/require-identity.js';
import { handleProxied } from '../pipeline/pipeline.js';
import { registerBackchannelLogoutRoutes } from '../oidc/backchannel-routes.js';
import { registerScimRoutes } from '../scim/routes.js';
import type { Gateway } from '../pipeline/gateway.js';
import { createUpstreamVersion } from '../compat/upstream-version.js';
import { createUserDirectory } from '../pipeline/user-directory.js';
import { createAccessControl } from '../pipeline/access.js';
import { reconcilePromptGrants } from '../permissions/prompt-reconcile.js';
import { createResolver } from '../mlflow/resolver.js';
import { createFailureLimiter } from '../tokens/failure-limiter.js';
import { createTokenService } from '../tokens/service.js';
import { createSessionManager } from '../session/manager.js';
import { createSealer } from '../session/seal.js';
import { openStore, type Store } from '../store/index.js';
import { registerAdminRoutes } from '../admin/routes.js';
import { registerAuthApiRoutes } from '../auth-api/routes.js';
import { withAuditLog } from '../audit/logged-store.js';
import { withBatchedAudit } from '../audit/batched-store.js';
import type { InvalidationBus } from '../cache/bus.js';
import { trackBus } from '../cache/bus-metrics.js';
import { withCaches } from '../cache/cached-store.js';
import { openInvalidationBus } from '../cache/open-bus.js';
import { withInvalidation } from '../cache/publishing-store.js';
import { createCacheStats } from '../cache/stats.js';
import { auditRequest } from '../audit/request-audit.js';
import { startAuditRetention } from '../audit/retention.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerUiRoutes } from './ui-static.js';
import { censorChildBindings, loggerOptions } from './logger.js';
import { errorPage, infoPage } from './pages.js';
import { loadTracing } from '../tracing/index.js';
import { metrics, routeClassOf } from '../metrics/index.js';
import { registerMetricsRoute, startMetricsListener, type MetricsListener } from '../metrics/exposition.js';
import { signInAgainHref } from './sign-in-again.js';
import { defaultBodyMemory, MemoryBudget } from '../pipeline/memory-budget.js';

export interface GatewayServer {
  readonly app: FastifyInstance;
  readonly gateway: Gateway;
  /** Listen on the configured host/port; resolves to the bound URL. */
  listen(): Promise<string>;
  /** Stop accepting requests, let in-flight ones finish, close the store. */
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Use this logger (tests capture output through it). */
  logger?: Logger;
  /** Use this store instead of opening GATEWAY_DATABASE_URL. */
  store?: Store;
  /** Use this invalidation bus instead of the configured one (tests). */
  bus?: InvalidationBus;
  /** Do not move prompt grants at start (src/permissions/prompt-reconcile.ts). */
  skipPromptReconcile?: boolean;
}

/** The composition root: builds every part from the frozen config and wires the routes. */
export async function buildServer(config: Config, opts: BuildOptions = {}): Promise<GatewayServer> {
  // Child loggers (fastify's per-request one) censor secret fields in their bindings too (./logger.ts).
  const logger = censorChildBindings(opts.logger ?? pino(loggerOptions(config.logLevel)));
  // Every audit event is also a log line (src/audit/logged-store.ts).
  const logged = withAuditLog(withBatchedAudit(opts.store ?? (await openStore(config.databaseUrl, { poolSize: config.databasePoolSize }))), logger);
  // Writes announce themselves on the bus; the hot-path reads are cached until they do (src/cache).
  const bus = opts.bus ?? (await openInvalidationBus(config, logged, logger));
  const untrackBus = trackBus(bus);
  const cacheStats = createCacheStats();
  cacheStats.onRecord((cache, outcome) => metrics.cacheLookup(cache, outcome === 'hit'));
  const store = withCaches(withInvalidation(logged, bus), bus, { recordsMs: config.cacheTtl * 1000, grantsMs: config.grantCacheTtl * 1000 }, cacheStats);
  const providers = createProviders(config.providers);
  const tracing = await loadTracing(config);
  const mlflow = createUpstreamVersion({ upstreamUrl: config.upstreamUrl, log: logger, timeoutMs: Math.min(5000, config.upstreamTimeout * 1000) });
  // Read before the first request is served, so the route table and searches match the MLflow behind.
  await mlflow.refresh();
  const gateway: Gateway = {
    config, store, providers, log: logger, bus, cacheStats, tracing, mlflow,
    memory: new MemoryBudget(config.bodyMemory ?? defaultBodyMemory()),
    bearer: createBearerVerifier(config, providers, config.cacheTtl * 1000),
    sessions: createSessionManager(config, store, providers, createSealer(config.secret, 'idp-tokens')),
    users: createUserDirectory(store, bus),
    loginSealer: createSealer(config.secret, 'login-transaction'),
    resolver: createResolver({ upstreamUrl: config.upstreamUrl, ttlMs: config.resolverCacheTtl * 1000, timeoutMs: config.upstreamTimeout * 1000, promptsAsPrompt: true, traceInfo: () => mlflow.capabilities().traceInfo }),
    access: createAccessControl(config, store),
    tokens: createTokenService(config, store),
    // With Redis, failures are counted across replicas (src/tokens/shared-failure-limiter.ts; ioredis
    // is loaded only then).
    failures: config.redisUrl !== undefined
      ? (await import('../tokens/shared-failure-limiter.js')).createSharedFailureLimiter(config.authFailureLimit, config.authFailureWindow * 1000, config.redisUrl, logger)
      : createFailureLimiter(config.authFailureLimit, config.authFailureWindow * 1000),
    federation: createWorkloadFederation(config, store),
  };
  // Grants given to prompts while they were registered models move to the prompt type (once; MLflow is asked).
  if (!opts.skipPromptReconcile) {
    void reconcilePromptGrants(config.upstreamUrl, store, config.upstreamTimeout * 1000).then(
      (r) => { if (r.moved > 0) logger.info({ event: 'prompt-grants', ...r }, `moved ${r.moved} grant(s) from registered models to the prompts they are`); },
      (err: unknown) => logger.warn({ event: 'prompt-grants', err: (err as Error).message }, 'prompt grant reconciliation skipped (MLflow unreachable); it runs again at the next start'),
    );
  }
  // Deletes and renames seen by any replica reach every replica's resolver (src/pipeline/after-response.ts).
  bus.subscribe((e) => {
    if (e.kind === 'mlflow-object') gateway.resolver.invalidate(e.resourceType, e.id);
  });
  let draining = false;
  let metricsListener: MetricsListener | undefined;

  const app = fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // Our own onResponse hook writes the one access-log line (with user and decision).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 2048 },
    forceCloseConnections: false,
  });

  // Bodies are never parsed by fastify: the raw stream goes to MLflow untouched (artifacts of any
  // size stream through), and steps that need ids read the JSON themselves.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  await app.register(replyFrom, {
    base: new URL(config.upstreamUrl).origin,
    undici: {
      connect: { timeout: config.upstreamConnectTimeout * 1000 },
      headersTimeout: config.upstreamTimeout * 1000,
      bodyTimeout: config.upstreamTimeout * 1000,
      // Below the 5 s MLflow's server (uvicorn) keeps idle connections: reusing a socket the
      // server is closing would surface as a spurious 502 under load.
      keepAliveTimeout: 4_000,
    },
    // reply-from's own lines carry the upstream URL with its query string; ours never do.
    disableRequestLogging: true,
  });

  app.setErrorHandler((error: unknown, req: FastifyRequest, reply: FastifyReply) => sendError(gateway, error, req, reply));
  app.setNotFoundHandler((req, reply) => sendError(gateway, new GatewayError('GW_NOT_FOUND', `Nothing is served at ${req.url.split('?')[0]}`), req, reply));

  // One access-log line per request, with who and why; never the query string (it can carry codes).
  const basePath = config.basePath;
  // Callback-style hooks (not async): no promise per request and hook.
  app.addHook('onResponse', (req, reply, done) => {
    const ctx = reply.locals;
    const path = ctx?.path ?? (req.url.split('?')[0] ?? '/');
    const decision = ctx?.decision;
    metrics.request(
      routeClassOf(ctx ? path : path.slice(basePath.length)),
      decision === undefined ? 'none' : decision.startsWith('allow') ? 'allow' : decision.startsWith('deny') ? 'deny' : 'none',
      reply.statusCode,
    );
    if (tracing.enabled) ctx?.trace?.end(reply.statusCode, decision === undefined ? undefined : { 'gateway.decision': decision.split(':')[0]! });
    req.log.info({
      event: 'request', method: req.method, path, status: reply.statusCode,
      user: ctx?.principal?.user.username, auth: ctx?.principal?.method, trust_rule: ctx?.principal?.trustRule, decision: ctx?.decision, decision_detail: ctx?.decisionDetail,
      route: ctx?.route?.rpc ?? ctx?.route?.path, ms: Math.round(reply.elapsedTime),
    }, 'request');
    auditRequest(gateway, req, reply);
    done();
  });
  // While draining, every answer closes its connection, so kept-alive sockets do not hold the shutdown.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  const retention = startAuditRetention(store, config.auditRetention, logger);

  registerHealthRoutes(app, gateway, () => draining);
  registerMetricsRoute(app, config);
  registerAuthRoutes(app, gateway);
  registerBackchannelLogoutRoutes(app, gateway);
  registerScimRoutes(app, gateway);
  registerAdminRoutes(app, gateway);
  // MLflow's auth REST API (AuthServiceClient), answered by the gateway; before the proxy's catch-all.
  registerAuthApiRoutes(app, gateway);
  registerUiRoutes(app, gateway);
  const proxy = (req: FastifyRequest, reply: FastifyReply) => handleProxied(gateway, req, reply);
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  if (config.basePath === '') app.route({ method: [...methods], url: '/*', handler: proxy });
  else {
    app.route({ method: [...methods], url: `${config.basePath}/*`, handler: proxy });
    app.route({ method: [...methods], url: config.basePath, handler: (_req, reply) => reply.redirect(`${config.basePath}/`, 302) });
  }

  // Graceful shutdown: readiness turns false; after the optional delay the listener stops taking
  // connections (fastify answers 503 with `Connection: close` on kept-alive ones); in-flight requests
  // and streams finish within the grace period, after which their connections are cut.
  let closing: Promise<void> | undefined;
  async function drainAndClose(): Promise<void> {
    draining = true;
    retention.stop();
    mlflow.stop();
    if (config.shutdownDelay > 0) await new Promise((r) => setTimeout(r, config.shutdownDelay * 1000));
    const cut = setTimeout(() => {
      logger.warn({ event: 'shutdown.grace_expired', grace: config.shutdownGrace }, 'shutdown grace expired; closing the remaining connections');
      app.server.closeAllConnections();
    }, config.shutdownGrace * 1000);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
    await metricsListener?.close();
    await tracing.shutdown();
    untrackBus();
    await bus.close();
    await gateway.failures.close?.();
    await store.close();
  }

  return {
    app, gateway,
    async listen() {
      const address = await app.listen({ host: config.host, port: config.port });
      mlflow.start();
      metricsListener = await startMetricsListener(config);
      if (metricsListener) logger.info({ event: 'metrics.listening', address: metricsListener.url }, 'metrics listening');
      return address;
    },
    close() {
      closing ??= drainAndClose();
      return closing;
    },
  };
}

function sendError(gw: Gateway, error: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const err = error instanceof GatewayError ? error : fromFastifyError(error);
  const ctx = reply.locals;
  if (ctx && !ctx.decision) {
    ctx.decision = `deny: ${err.code}`;
    // A denial's public message names only what the caller sent; its detail (what was looked up,
    // and the reason) is for the access log and administrators' view of the audit log.
    if (err.code === 'GW_DENIED' && err.detail) ctx.decisionDetail = err.detail;
  }
  if (ctx) ctx.error = err.message;
  if (ctx && err.named) ctx.named = err.named;
  if (err.status >= 500) req.log.error({ event: 'error', code: err.code, detail: err.detail, err: err.cause }, err.message);
  else req.log.info({ event: 'refused', code: err.code, detail: err.detail }, err.message);
  void reply.code(err.status).headers(err.headers).header('cache-control', 'no-store');
  const path = ctx?.path ?? (req.url.split('?')[0] ?? '/').slice(gw.config.basePath.length);
  const wantsHtml = req.method === 'GET' && !isApiPath(path) && String(req.headers.accept ?? '').includes('text/html');
  if (wantsHtml && err.code === 'GW_UNKNOWN_ROUTE') {
    // A person who mistyped an address gets a not-found page, not a lecture on routes (still refused).
    return reply.code(404).type('text/html; charset=utf-8').send(infoPage({
      title: 'Page not found', message: `There is nothing at ${path.slice(0, 200)}.`, requestId: req.id, action: { href: `${gw.config.basePath}/`, label: 'Open MLflow' },
    }));
  }
  if (wantsHtml) {
    const signIn = err.status === 401 || err.code === 'GW_LOGIN_FAILED' || err.code === 'GW_LOGIN_MIX_UP' || err.code === 'GW_SESSION_EXPIRED';
    return reply.type('text/html; charset=utf-8').send(errorPage({
      title: err.status === 403 ? 'Access denied' : err.status >= 500 ? 'Service unavailable' : 'Something went wrong',
      message: err.toJSON().message, code: err.code, requestId: req.id,
      ...(signIn ? { action: { href: signInAgainHref(gw.config.basePath, req), label: 'Sign in again' } } : {}),
    }));
  }
  return reply.type('application/json').send(err.mlflowText ?? err.toJSON());
}

function fromFastifyError(error: unknown): GatewayError {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 413) return new GatewayError('GW_BODY_TOO_LARGE', 'The request body is too large');
  if (status !== undefined && status >= 400 && status < 500) return new GatewayError('GW_BAD_REQUEST', (error as Error).message);
  return toGatewayError(error);
}
