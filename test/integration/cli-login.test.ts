import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CODE_GRANT } from '../../src/devtools/idp/provider-config.js';
import { HttpBrowser, extractForm } from '../support/http-browser.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

// `mlflow-oidc-gateway login` as a person runs it: the CLI is a child process, the gateway and the
// IdP are real, and the person approves the sign-in over HTTP with the IdP's own pages (the device
// flow's code-entry page, or the login page the loopback flow sends the browser to).
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const CLI_CLIENT = 'mlflow-cli';

interface Running {
  /** Resolves with the first match of `re` in what the CLI wrote to stderr so far or later. */
  waitFor(re: RegExp): Promise<RegExpExecArray>;
  done: Promise<{ code: number; stdout: string; stderr: string }>;
}

describe('CLI login', { timeout: 240_000 }, () => {
  let stack: Stack;
  const home = mkdtempSync(join(tmpdir(), 'gateway-cli-login-'));
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  const credentialsFile = join(home, '.config', 'mlflow-oidc-gateway', 'credentials.json');
  const outputs: string[] = [];

  const start = (...args: string[]): Running => startWith({}, ...args);
  const startWith = (extraEnv: Record<string, string>, ...args: string[]): Running => {
    const child = spawn(TSX, ['src/cli/main.ts', ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      for (const w of [...waiters]) {
        const m = w.re.exec(stderr);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolveDone) => {
      child.on('exit', (code) => {
        outputs.push(stdout, stderr);
        resolveDone({ code: code ?? -1, stdout, stderr });
      });
    });
    return {
      done,
      waitFor: (re) => new Promise((resolveMatch, reject) => {
        const m = re.exec(stderr);
        if (m) return resolveMatch(m);
        waiters.push({ re, resolve: resolveMatch });
        void done.then((r) => reject(new Error(`the CLI exited (${r.code}) before printing ${re}:\n${r.stderr}`)));
      }),
    };
  };
  const run = (...args: string[]) => start(...args).done;

  /** What the person does in a browser: open the verification page, type the code, sign in. */
  async function approveDevice(verificationUri: string, userCode: string, username: string): Promise<void> {
    const browser = new HttpBrowser();
    const input = await browser.follow(verificationUri);
    const confirm = await browser.submitForm(input.url, extractForm(await input.response.text()), { user_code: userCode });
    const confirmHtml = await confirm.response.text();
    expect(confirmHtml).toContain('Confirm device');
    const login = await browser.submitForm(confirm.url, confirmHtml);
    const done = await browser.submitForm(login.url, await login.response.text(), { username, password: `${username}-pass` });
    expect(await done.response.text()).toContain('Device connected');
  }
  const deviceLogin = async (args: string[], username: string) => {
    const cli = start(...args, '--flow', 'device');
    const [, uri, code] = await cli.waitFor(/open (http\S+)\s+and enter the code\s+(\S+)/);
    await approveDevice(uri!, code!, username);
    return cli.done;
  };

  beforeAll(async () => {
    stack = await startStack({
      env: { OIDC_CLI_CLIENT_ID: CLI_CLIENT },
      idp: { clients: [{ clientId: CLI_CLIENT, public: true, applicationType: 'native', redirectUris: ['http://127.0.0.1/callback'], grantTypes: ['authorization_code', DEVICE_CODE_GRANT] }] },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('the gateway tells the CLI how to sign in (public, no secrets)', async () => {
    const res = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/cli-config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      gateway_url: stack.gatewayUrl, issuer: stack.idp.issuer, client_id: CLI_CLIENT, scopes: ['openid', 'profile', 'email', 'groups'],
      token_default_days: 90, token_max_days: 365,
    });
  });

  it('login with the device flow writes the export lines to a 0600 file; the MLflow client works with them; whoami and tokens list use the saved token', async () => {
    const envFile = join(home, 'mlflow.env');
    const r = await deviceLogin(['login', '--url', stack.gatewayUrl, '--write-env', envFile, '--token-name', 'laptop', '--expires-in-days', '7'], 'alice');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Waiting for you to approve the sign-in in the browser/);
    expect(r.stderr).toMatch(/Logged in as alice/);
    expect(r.stdout).toBe(''); // everything went to the file
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    const lines = readFileSync(envFile, 'utf8');
    expect(lines).toMatch(new RegExp(`^export MLFLOW_TRACKING_URI='${stack.gatewayUrl}'\nexport MLFLOW_TRACKING_TOKEN='mog_\\w{12}_\\w{43}'\n$`));
    const token = /MLFLOW_TRACKING_TOKEN='([^']+)'/.exec(lines)![1]!;

    const py = await runPython('import mlflow; print(len(mlflow.search_experiments(max_results=1)) >= 0)', { MLFLOW_TRACKING_URI: stack.gatewayUrl, MLFLOW_TRACKING_TOKEN: token });
    expect(py.code, py.stderr).toBe(0);

    const who = await run('whoami', '--url', stack.gatewayUrl);
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toMatch(/^alice at /);
    expect(who.stdout).toMatch(/token: +mog_\w{12} "laptop" of alice/);
    const list = await run('tokens', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'laptop', owner: 'alice' })]);
    expect(list.stdout).not.toContain(token.slice(-43));

    // MLFLOW_TRACKING_TOKEN overrides the saved login for the MLflow client, so for whoami and tokens list too.
    const bob = (await stack.server.gateway.store.users.getByUsername('bob')) ?? (await stack.server.gateway.store.users.createAhead('bob', new Date())).user;
    const { token: bobToken } = await stack.server.gateway.tokens.create(bob, { name: 'from-env' }, { username: 'bob', requestId: null, clientIp: null });
    const fromEnv = { MLFLOW_TRACKING_TOKEN: bobToken, MLFLOW_TRACKING_URI: stack.gatewayUrl };
    const whoEnv = await startWith(fromEnv, 'whoami').done;
    expect(whoEnv.code, whoEnv.stderr).toBe(0);
    expect(whoEnv.stdout).toMatch(/^bob at /);
    expect(whoEnv.stdout).toMatch(/token: +mog_\w{12} "from-env" of bob.*\(from MLFLOW_TRACKING_TOKEN\)/);
    const listEnv = await startWith(fromEnv, 'tokens', 'list', '--json').done;
    expect(JSON.parse(listEnv.stdout)).toEqual([expect.objectContaining({ name: 'from-env', owner: 'bob' })]);
    const bad = await startWith({ ...fromEnv, MLFLOW_TRACKING_TOKEN: `${bobToken.slice(0, -1)}x` }, 'whoami').done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/MLFLOW_TRACKING_TOKEN is not accepted by/);
  });

  it('tokens create signs in again (a token cannot mint tokens) and prints the new token once; tokens revoke stops it', async () => {
    const r = await deviceLogin(['tokens', 'create', '--url', stack.gatewayUrl, '--name', 'ci', '--read-only', '--json'], 'alice');
    expect(r.code, r.stderr).toBe(0);
    const created = JSON.parse(r.stdout) as { id: string; token: string; read_only: boolean };
    expect(created.read_only).toBe(true);
    const search = () => fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${created.token}` } });
    expect((await search()).status).toBe(200);
    const revoke = await run('tokens', 'revoke', created.id);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect((await search()).status).toBe(401);
  });

  it('login with the browser flow: PKCE and a one-shot listener on 127.0.0.1 receive the IdP\'s redirect; export lines go to stdout', async () => {
    const cli = start('login', '--url', stack.gatewayUrl, '--flow', 'browser', '--no-browser', '--no-save');
    const [address] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/auth\?\S+/);
    expect(address).toMatch(/code_challenge_method=S256/);
    expect(address).toMatch(/redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcallback/);
    const browser = new HttpBrowser();
    const page = await browser.follow(address);
    const back = await browser.submitForm(page.url, await page.response.text(), { username: 'bob', password: 'bob-pass' });
    expect(await back.response.text()).toContain('You can close this tab');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^export MLFLOW_TRACKING_URI='[^']+'\nexport MLFLOW_TRACKING_TOKEN='mog_\w+'\n$/);
    expect(r.stderr).toMatch(/Logged in as bob/);
  });

  it('logout revokes the saved token and forgets it; clear messages when not logged in or when CLI login is off', async () => {
    const saved = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { gateways: Record<string, { token: string }> };
    const token = saved.gateways[stack.gatewayUrl]!.token;
    const out = await run('logout');
    expect(out.code, out.stderr).toBe(0);
    expect((await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const who = await run('whoami', '--url', stack.gatewayUrl);
    expect(who.code).toBe(1);
    expect(who.stderr).toMatch(/Not logged in to .*: run `mlflow-oidc-gateway login --url <gateway URL>` first/);
    expect(existsSync(credentialsFile)).toBe(true);

    const off = await startStack();
    try {
      const r = await run('login', '--url', off.gatewayUrl);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/CLI login is not enabled on this gateway: an administrator sets OIDC_CLI_CLIENT_ID/);
    } finally {
      await off.stop();
    }
  });

  it('secret-leak-into-logs: no token the CLI obtained or minted reaches the gateway\'s log lines or stderr', async () => {
    const minted = outputs.join('\n').match(/mog_\w{12}_\w{43}/g) ?? [];
    expect(minted.length).toBeGreaterThan(0);
    const logs = stack.logs.join('\n');
    for (const t of new Set(minted)) expect(logs).not.toContain(t.slice(-43));
    // The CLI prints tokens only to stdout (or the file), never in its messages.
    for (let i = 1; i < outputs.length; i += 2) expect(outputs[i]).not.toMatch(/mog_\w{12}_\w{43}/);
    // The IdP tokens the CLI used carry the issuer's signature; none of the gateway's log lines holds a JWT.
    expect(logs).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });
});
