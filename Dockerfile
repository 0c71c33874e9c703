# syntax=docker/dockerfile:1
# mlflow-oidc-gateway container image.
#   docker build -t mlflow-oidc-gateway .
#   docker run -p 8080:8080 -e GATEWAY_PUBLIC_URL=… -e MLFLOW_UPSTREAM_URL=… -e OIDC_ISSUER=… \
#     -e OIDC_CLIENT_ID=… -e OIDC_CLIENT_SECRET=… -e GATEWAY_SECRET=… mlflow-oidc-gateway
# The build stage uses the Debian-based Node image; the runtime stage is the same Debian release with only
# the node binary copied in (no npm, no C headers, no yarn: image layers never shrink when a later layer
# deletes files, so they are left out instead). better-sqlite3's native module built (or fetched prebuilt)
# in the build stage loads in the runtime stage: same glibc, same Node ABI.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---- build: compile and bundle the TypeScript (dist/bundle/) and the admin UI (ui/dist/) with the devDependencies ----
FROM ${NODE_IMAGE} AS build
# A C++ toolchain for node-gyp, used only when no prebuilt better-sqlite3 binary matches this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY src ./src
COPY ui ./ui
# Then drop the devDependencies, and everything of better-sqlite3 but its compiled module (its C sources
# and object files are ~26 MB).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release \
 && mv /tmp/better_sqlite3.node build/Release/

# ---- runtime: Debian slim, the node binary, the compiled code and the production dependencies ----
FROM ${RUNTIME_IMAGE} AS runtime
COPY --from=build /usr/local/bin/node /usr/local/bin/node
# The "node" user (uid 1000) of the Node images, numeric below so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && mkdir -p /data \
 && chown 1000:1000 /data
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
# Only the bundle (scripts/bundle.mjs): the entry loads dist/bundle/main.js, not tsc's module tree.
COPY --from=build /src/dist/bundle ./dist/bundle
COPY --from=build /src/ui/dist ./ui/dist
COPY bin/mlflow-oidc-gateway.js ./bin/mlflow-oidc-gateway.js
COPY deploy/docker/healthcheck.mjs ./bin/healthcheck.mjs
# Listen on every interface of the container; SQLite on the /data volume unless GATEWAY_DATABASE_URL
# points at PostgreSQL (the choice for more than one replica).
# NODE_OPTIONS: V8's young generation capped at 2 MiB per semi-space (default 16): idle RSS 87 → 81 MiB and
# ~20 MiB less under load, with no measurable cost in GC time per request (docs/benchmarks.md, "V8 settings").
# The old generation capped at 192 MiB: RSS under the 200-client soak stays at 134–148 MiB instead of growing
# past 200 (V8 sizes the heap from the machine's memory otherwise). Safe because bodies held at once are
# bounded by GATEWAY_BODY_MEMORY, by default half of this heap: one 32 MiB JSON body still fits
# (docs/benchmarks.md, "RSS under load"). A larger container may raise both.
# The bench runs its gateway with the same options (bench/lib/image-node-options.ts reads them from here).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=192" \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080 \
    GATEWAY_DATABASE_URL=sqlite:/data/gateway.db
# The application files stay owned by root: the process cannot change its own code.
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8080
# Liveness: <mount>/_gateway/healthz (the mount is GATEWAY_PUBLIC_URL's path). Readiness for load
# balancers and Kubernetes: <mount>/_gateway/readyz (store, IdP and MLflow reachable; 503 while draining).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "/app/bin/healthcheck.mjs"]
# Node is PID 1 and handles SIGTERM itself (drains in-flight requests, then exits).
ENTRYPOINT ["node", "/app/bin/mlflow-oidc-gateway.js"]
CMD ["serve"]
