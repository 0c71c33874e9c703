import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { available, scriptOutput } from '../interop/support/availability.js';
import { scimToken } from '../support/scim.js';
import { startStack, type Stack } from '../support/stack.js';

const run = promisify(execFile);
const python = scriptOutput('scripts/scim-venv.sh', ['--check']);

// A SCIM client nobody here wrote: python-scim's scim2-client (PyPI, installed by
// scripts/scim-venv.sh) discovers the service provider, validates every answer against its
// scim2-models, and runs a provisioning job's calls (create, filter, get, group, patch, stale
// replace refused, replace, delete).
describe.runIf(available('scim2-client', python === undefined ? 'no scim2-client venv: run `bash scripts/scim-venv.sh`' : undefined))('SCIM with scim2-client (Python)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('provisions, finds, patches, replaces and deletes through the real client, its payload checks on', async () => {
    const { token } = await scimToken(stack, { name: 'scim2-client' });
    const { stdout } = await run(python!, ['test/support/scim_client_check.py', `${stack.gatewayUrl}/_gateway/scim/v2`, token], { timeout: 60_000 });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(seen.models).toEqual(['Group', 'User']);
    expect(seen.created.version).toBe('W/"1"');
    expect(seen.found).toEqual([seen.created.user_name]); // userName eq is case-insensitive
    expect(seen.group_members).toEqual([seen.created.id]);
    expect(seen.patched_active).toBe(false);
    expect(seen.stale_replace).toBe('InvalidVersionException');
    expect(seen.replaced).toMatchObject({ display_name: 'Py Client Renamed', active: true, version: 'W/"3"' });
    expect(seen.after_delete).toBe(0);
    // What the client did is in the audit log, by the token's name.
    const audit = await stack.server.gateway.store.audit.list({ limit: 50, actor: 'scim:scim2-client' });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['scim.user.create', 'scim.deprovision', 'scim.reactivate', 'scim.group.create']));
  });
});
