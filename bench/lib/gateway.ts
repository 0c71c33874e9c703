import { join } from 'node:path';
import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { HttpBrowser } from '../../src/devtools/idp/http-browser.js';
import { AUDIENCE, GATEWAY_CLIENT_ID, GATEWAY_CLIENT_SECRET } from './idp.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';

// One gateway under test: production-like settings (file-backed SQLite store, info-level JSON
// access log to a file), started as a child process in front of `upstreamUrl`.

export const GATEWAY_SECRET = 'bench-gateway-secret-0123456789-abcdefghijklmnop';
export const COOKIE_NAME = 'mlflow_gateway_session';

export interface GatewayOptions {
  /** Port chosen in advance (the IdP needs the redirect URI before the gateway starts). */
  port: number;
  upstreamUrl: string;
  issuer: string;
  workDir: string;
  /** Distinguishes the store, log and profile files of several gateways in one run. */
  name: string;
  cpuProfile?: boolean;
  /** Settings over the defaults below (the per-step cost scenario turns parts off one at a time). */
  env?: Readonly<Record<string, string>>;
}

export function gatewayUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export async function startGateway(opts: GatewayOptions): Promise<GatewayProcess> {
  return startGatewayProcess({
    logFile: join(opts.workDir, `gateway-${opts.name}.log`),
    ...(opts.cpuProfile ? { cpuProfDir: join(opts.workDir, `cpu-prof-${opts.name}`) } : {}),
    env: {
      MLFLOW_UPSTREAM_URL: opts.upstreamUrl,
      GATEWAY_PUBLIC_URL: gatewayUrl(opts.port),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(opts.port),
      GATEWAY_DATABASE_URL: `sqlite:${join(opts.workDir, `gateway-${opts.name}.db`)}`,
      GATEWAY_SECRET,
      OIDC_ISSUER: opts.issuer,
      OIDC_CLIENT_ID: GATEWAY_CLIENT_ID,
      OIDC_CLIENT_SECRET: GATEWAY_CLIENT_SECRET,
      OIDC_SCOPES: 'openid profile email groups',
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_ADMIN_GROUPS: 'mlflow-admins',
      LOG_LEVEL: 'info',
      ...(process.env.BENCH_GATEWAY_BUILD ? { BENCH_GATEWAY_BUILD: process.env.BENCH_GATEWAY_BUILD } : {}),
      ...opts.env,
    },
  });
}

/**
 * Signs a demo user in through the gateway over HTTP, as a browser does (gateway → IdP login form →
 * callback), and returns the `Cookie` header carrying only the gateway's session cookie.
 */
export async function signInCookie(url: string, username: string): Promise<string> {
  const user = DEMO_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  const browser = new HttpBrowser();
  const loginPage = await browser.follow(`${url}/`);
  const html = await loginPage.response.text();
  await browser.submitForm(loginPage.url, html, { username: user.username, password: user.password });
  const value = browser.cookie(url, COOKIE_NAME);
  if (!value) throw new Error(`sign-in of ${username} through ${url} set no ${COOKIE_NAME} cookie`);
  return `${COOKIE_NAME}=${value}`;
}
