import { request } from 'undici';
import { redactedConfig, type Config } from '../config/index.js';
import { GITHUB_API_URL } from '../github/api.js';
import { clientFor } from '../oidc/providers/registry.js';
import { checkSamlMetadata } from '../saml/check.js';
import { isSupported, SUPPORTED_RANGE } from '../compat/capabilities.js';
import { outsideRangeMessage, readMlflowVersion } from '../compat/upstream-version.js';

/** `config check`: the config is valid (else exit 2 earlier); now reach the IdP and MLflow. */
export async function configCheck(config: Config, notices: readonly string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('Configuration is valid:');
  for (const [k, v] of Object.entries(redactedConfig(config))) out(`  ${k} = ${JSON.stringify(v)}`);
  for (const n of notices) out(`notice: ${n}`);
  let failures = 0;
  for (const provider of config.providers) {
    const label = config.providers.length > 1 ? `identity provider ${provider.id}` : 'identity provider';
    if (provider.kind === 'saml') {
      const line = await checkSamlMetadata(provider);
      if (!line.ok) failures++;
      out(`${line.ok ? '✓' : '✗'} ${label}: ${line.text}`);
      continue;
    }
    if (provider.kind === 'github') {
      // GitHub has no discovery document: reach its REST API instead (public, no credentials).
      const api = provider.apiUrl ?? GITHUB_API_URL;
      try {
        const res = await request(api, { headersTimeout: 5000, bodyTimeout: 5000, headers: { 'user-agent': 'mlflow-oidc-gateway', accept: 'application/json' } });
        await res.body.dump();
        if (res.statusCode >= 500) throw new Error(`answered ${res.statusCode}`);
        out(`✓ ${label}: GitHub OAuth at ${provider.issuer}, API ${api} reachable (no discovery document; endpoints are fixed)`);
      } catch (err) {
        failures++;
        out(`✗ ${label}: GitHub API ${api} — ${(err as Error).message}`);
      }
      continue;
    }
    try {
      const meta = (await clientFor(provider).get()).serverMetadata();
      out(`✓ ${label}: ${meta.issuer} (authorization ${meta.authorization_endpoint ? 'ok' : 'missing'}, jwks ${meta.jwks_uri ? 'ok' : 'missing'}, end_session ${meta.end_session_endpoint ? 'ok' : 'not offered'})`);
    } catch (err) {
      failures++;
      out(`✗ ${label}: ${(err as { detail?: string }).detail ?? (err as Error).message}`);
    }
  }
  try {
    const res = await request(`${config.upstreamUrl}/health`, { headersTimeout: 5000, bodyTimeout: 5000 });
    const body = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`answered ${res.statusCode} ${body.slice(0, 100)}`);
    out(`✓ MLflow: ${config.upstreamUrl}/health answered OK`);
    const v = await readMlflowVersion(config.upstreamUrl);
    if (!v.ok) {
      failures++;
      out(`✗ MLflow version: ${v.reason}`);
    } else if (isSupported(v.version)) {
      out(`✓ MLflow version: ${v.version.text} (supported range ${SUPPORTED_RANGE.since} … ${SUPPORTED_RANGE.until}.x)`);
    } else {
      // A warning, not a failure: the gateway starts and serves with the nearest version's table.
      out(`! MLflow version: ${outsideRangeMessage(v.version)}`);
    }
  } catch (err) {
    failures++;
    out(`✗ MLflow: ${config.upstreamUrl}/health — ${(err as Error).message}`);
  }
  return failures === 0 ? 0 : 1;
}
