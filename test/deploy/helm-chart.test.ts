import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SCHEMA } from '../../src/config/index.js';

// Checks of the Helm chart that need no helm binary: every environment variable it sets is a real
// setting, the probes hit the gateway's real health routes, and the pod's grace period covers the drain.
// Rendering and schema validation run in deploy-tools.test.ts when helm is installed.
const ROOT = resolve(import.meta.dirname, '../..');
const CHART = resolve(ROOT, 'deploy/helm/mlflow-oidc-gateway');
const read = (path: string) => readFileSync(resolve(CHART, path), 'utf8');
const KNOWN = new Set(Object.values(SCHEMA).flatMap((f) => [f.env, ...((f as { aliases?: readonly string[] }).aliases ?? [])]));

describe('deploy/helm/mlflow-oidc-gateway', () => {
  const values = parseYaml(read('values.yaml')) as {
    gateway: { shutdownGraceSeconds: number; shutdownDelaySeconds: number; extraEnv: Record<string, string> };
    probes: { liveness: { path: string }; readiness: { path: string } };
    secrets: { keys: Record<string, string> };
    podSecurityContext: { runAsNonRoot: boolean; runAsUser: number };
    securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
  };

  it('sets only environment variables the gateway knows (ConfigMap, Secret refs)', () => {
    const configMapKeys = [...read('templates/configmap.yaml').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    const secretEnv = [...read('templates/deployment.yaml').matchAll(/- name: ([A-Z][A-Z0-9_]+)\n\s+valueFrom:/g)].map((m) => m[1]!);
    expect(configMapKeys).toContain('GATEWAY_SHUTDOWN_GRACE');
    expect(configMapKeys).toContain('GATEWAY_SHUTDOWN_DELAY');
    expect(configMapKeys).toContain('GATEWAY_METRICS_PORT');
    expect(secretEnv.sort()).toEqual(['GATEWAY_DATABASE_URL', 'GATEWAY_METRICS_TOKEN', 'GATEWAY_REDIS_URL', 'GATEWAY_SECRET', 'OIDC_CLIENT_SECRET']);
    for (const name of [...configMapKeys, ...secretEnv, ...Object.values(values.secrets.keys)]) expect(KNOWN, name).toContain(name);
  });

  it('the compose stack sets only known variables too', () => {
    const compose = parseYaml(readFileSync(resolve(ROOT, 'deploy/compose/docker-compose.yml'), 'utf8')) as { services: { gateway: { environment: Record<string, string> } } };
    for (const name of Object.keys(compose.services.gateway.environment)) expect(KNOWN, name).toContain(name);
  });

  it("probes hit the gateway's liveness and readiness routes under the mount point", () => {
    const routes = readFileSync(resolve(ROOT, 'src/server/health-routes.ts'), 'utf8');
    expect(routes).toContain('app.get(`${base}/healthz`');
    expect(routes).toContain('app.get(`${base}/readyz`');
    expect(routes).toContain('const base = `${gw.config.basePath}/_gateway`');
    expect(values.probes.liveness.path).toBe('/_gateway/healthz');
    expect(values.probes.readiness.path).toBe('/_gateway/readyz');
    expect(read('templates/deployment.yaml')).toContain('printf "%s%s" $mount .Values.probes.readiness.path');
  });

  it("gives a terminating pod the gateway's shutdown delay, its drain and a margin before Kubernetes kills it", () => {
    const deployment = read('templates/deployment.yaml');
    expect(deployment).toContain('terminationGracePeriodSeconds: {{ add .Values.gateway.shutdownDelaySeconds .Values.gateway.shutdownGraceSeconds 10 }}');
    const configMap = read('templates/configmap.yaml');
    expect(configMap).toContain('GATEWAY_SHUTDOWN_DELAY: {{ printf "%ds" (int .Values.gateway.shutdownDelaySeconds) | quote }}');
    expect(configMap).toContain('GATEWAY_SHUTDOWN_GRACE: {{ printf "%ds" (int .Values.gateway.shutdownGraceSeconds) | quote }}');
    expect(values.gateway.shutdownDelaySeconds).toBe(5);
    expect(values.gateway.shutdownGraceSeconds).toBe(30);
    expect(SCHEMA.shutdownGrace.default).toBe('30s');
  });

  it('runs as a non-root user with a read-only root filesystem and no privilege escalation', () => {
    expect(values.podSecurityContext.runAsNonRoot).toBe(true);
    expect(values.podSecurityContext.runAsUser).toBe(1000);
    expect(values.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(values.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^USER 1000:1000$/m);
  });

  it('has every template the chart promises', () => {
    for (const t of ['deployment', 'service', 'ingress', 'hpa', 'pdb', 'configmap', 'servicemonitor', 'serviceaccount']) {
      expect(() => read(`templates/${t}.yaml`), t).not.toThrow();
    }
    expect(read('templates/NOTES.txt')).toContain('_gateway/callback');
    expect(read('templates/_helpers.tpl')).toContain('define "gateway.mountPath"');
    // Every top-level value is described by values.schema.json, which refuses unknown ones.
    const schema = JSON.parse(read('values.schema.json')) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(values).sort());
  });
});
