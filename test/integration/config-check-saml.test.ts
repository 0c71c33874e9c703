import { writeFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { makeKeyPair, startSamlTestIdp } from '../support/saml-idp.js';
import { TEST_SECRET } from '../support/stack.js';
import { freePort } from '../../src/devtools/mlflow.js';

// `config check` with a SAML provider: the metadata is read (file or URL), must parse, name the
// configured entity id and carry a signing certificate valid now.
describe('config check: SAML metadata', () => {
  const base = (metadata: string, extra: Record<string, string> = {}) => ({
    MLFLOW_UPSTREAM_URL: inject('mlflowUrl'), GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080', GATEWAY_SECRET: TEST_SECRET,
    GATEWAY_PROVIDERS: 'corp', GATEWAY_PROVIDER_CORP_KIND: 'saml', GATEWAY_PROVIDER_CORP_SAML_METADATA: metadata, ...extra,
  });

  it('reports the IdP entity id, its signing certificate and endpoints for a metadata file', async () => {
    const idp = startSamlTestIdp();
    const run = await runCli(['config', 'check'], base(idp.metadataPath));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/✓ identity provider: SAML https:\/\/idp\.saml\.test\/metadata \(metadata .*1 signing certificate\(s\), valid until .*single logout ok\)/);
  });

  it('never prints the SP signing key (SAML_SIGNING_KEY is a secret)', async () => {
    const idp = startSamlTestIdp();
    const sp = makeKeyPair('mlflow-gateway-sp');
    const run = await runCli(['config', 'check'], base(idp.metadataPath, { GATEWAY_PROVIDER_CORP_SAML_SIGNING_KEY: sp.key, GATEWAY_PROVIDER_CORP_SAML_SIGNING_CERT: sp.cert }));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const keyBody = sp.key.split('\n')[1]!;
    expect(`${run.stdout}\n${run.stderr}`).not.toContain(keyBody);
    expect(run.stdout).toContain('"signingKey":"<set>"');
  });

  it('fails for an unreachable metadata URL and for metadata without a signing certificate', async () => {
    const port = await freePort();
    const unreachable = await runCli(['config', 'check'], base(`http://127.0.0.1:${port}/metadata`, { GATEWAY_PROVIDER_CORP_SAML_IDP_ENTITY_ID: 'urn:idp' }));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain(`✗ identity provider: SAML metadata http://127.0.0.1:${port}/metadata`);
    // A metadata URL needs the entity id pinned; a broken metadata file stops before any check (exit 2).
    const unpinned = await runCli(['config', 'check'], base(`http://127.0.0.1:${port}/metadata`));
    expect(unpinned.code).toBe(2);
    expect(unpinned.stdout + unpinned.stderr).toContain('GATEWAY_PROVIDER_CORP_SAML_IDP_ENTITY_ID');
    const idp = startSamlTestIdp();
    const noCert = `${idp.metadataPath}.nocert.xml`;
    const { readFileSync } = await import('node:fs');
    writeFileSync(noCert, readFileSync(idp.metadataPath, 'utf8').replace(/<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/, ''));
    const bad = await runCli(['config', 'check'], base(noCert));
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toContain('no signing certificate');
  });
});
