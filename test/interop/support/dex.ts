// A real Dex (built from the Go module proxy by scripts/dex.sh) with test/interop/dex/config.yaml, for
// test/interop/dex.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/devtools/mlflow.js';
import { HttpBrowser } from '../../support/http-browser.js';
import { scriptOutput } from './availability.js';
import { startProcess, waitForUrl, type ServerProcess } from './process.js';

const SCRIPT = 'scripts/dex.sh';
const CONFIG_TEMPLATE = 'test/interop/dex/config.yaml';
export const DEX_CLIENT = { id: 'mlflow-gateway', secret: 'dex-interop-secret-0123456789' };
/** Static-password users of the config file (Dex gives them no groups). */
export const DEX_USERS = { alice: 'alice-pass', bob: 'bob-pass' } as const;
/** What Dex's mockCallback connector signs in. */
export const DEX_MOCK_USER = { email: 'kilgore@kilgore.trout', group: 'authors' } as const;

/** Why Dex cannot run here, or undefined when it can. */
export function dexMissing(): string | undefined {
  return scriptOutput(SCRIPT, ['--check']) === undefined ? `Dex is not built: run \`bash ${SCRIPT}\` once (builds it from the Go module proxy)` : undefined;
}

export interface Dex {
  readonly issuer: string;
  /** Milliseconds from spawn until the discovery document answered. */
  readonly startMs: number;
  /**
   * Tokens from Dex's authorization-code flow, driven over HTTP through Dex's own pages: a static
   * password user (`local` connector, login form) or the mock connector's user. (This Dex version has no
   * password grant.)
   */
  tokens(who: keyof typeof DEX_USERS | 'mock'): Promise<{ access_token: string; id_token: string }>;
  stop(): Promise<void>;
}

/** Starts Dex on a free loopback port; `gatewayUrl` is the gateway's public URL (its callback is registered). */
export async function startDex(gatewayUrl: string): Promise<Dex> {
  const dir = scriptOutput(SCRIPT, ['--check'])!;
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/dex`;
  const work = mkdtempSync(join(tmpdir(), 'dex-interop-'));
  const values: Record<string, string> = { DEX_PORT: String(port), DEX_WEB_DIR: join(dir, 'web'), GATEWAY_URL: gatewayUrl };
  const config = readFileSync(CONFIG_TEMPLATE, 'utf8').replace(/\$\{(\w+)\}/g, (_, k: string) => {
    if (!(k in values)) throw new Error(`${CONFIG_TEMPLATE}: unknown placeholder ${k}`);
    return values[k]!;
  });
  writeFileSync(join(work, 'config.yaml'), config);
  const started = Date.now();
  const proc: ServerProcess = startProcess(join(dir, 'bin/dex'), ['serve', join(work, 'config.yaml')], { cwd: work });
  await waitForUrl(proc, `${issuer}/.well-known/openid-configuration`, 60_000);
  const startMs = Date.now() - started;
  const redirectUri = `http://127.0.0.1:${port}/test-callback`;

  return {
    issuer, startMs,
    async tokens(who) {
      const browser = new HttpBrowser();
      const auth = new URL(`${issuer}/auth`);
      auth.search = new URLSearchParams({
        client_id: DEX_CLIENT.id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile email groups', state: 'interop-state',
      }).toString();
      const stopAt = (u: string) => u.startsWith(redirectUri);
      // Dex lists its connectors; each is a link on that page.
      const chooser = await browser.follow(auth.href, { stopAt });
      const html = await chooser.response.text();
      const link = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).find((h) => h.includes(who === 'mock' ? '/auth/mock' : '/auth/local'));
      if (!link) throw new Error(`Dex login page has no link for ${who}:\n${html}`);
      let end = await browser.follow(new URL(link, chooser.url).href, { stopAt });
      if (who !== 'mock') {
        end = await browser.submitForm(end.url, await end.response.text(), { login: `${who}@example.test`, password: DEX_USERS[who] }, { stopAt });
      }
      if (!stopAt(end.url)) throw new Error(`Dex sign-in of ${who} did not come back to the client: ${end.url} (${end.response.status})`);
      const code = new URL(end.url).searchParams.get('code');
      if (!code) throw new Error(`no code in ${end.url}`);
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${DEX_CLIENT.id}:${DEX_CLIENT.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
      });
      if (!res.ok) throw new Error(`Dex token endpoint: ${res.status} ${await res.text()}`);
      return (await res.json()) as { access_token: string; id_token: string };
    },
    async stop() {
      await proc.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
