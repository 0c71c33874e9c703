// The commands a person runs against a gateway from a terminal (no gateway configuration
// needed): `login`, `logout`, `whoami` and `tokens list|create|revoke`. Instructions and progress
// go to stderr; stdout carries only what a script consumes (export lines, a token, JSON).
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { CliError, gatewayApi, gatewayUrl, statusOf, type MintRequest, type TokenJson } from './remote/gateway-client.js';
import { credentialsPath, forgetToken, savedToken, saveToken, tokenInUse, writePrivateFile } from './remote/credentials.js';
import { signIn, type Flow } from './remote/idp-sign-in.js';
import { printJson, printTable } from './output.js';

interface SignInOpts { flow?: string; browser?: boolean }
interface LoginOpts extends SignInOpts { url?: string; tokenName?: string; expiresInDays?: string; writeEnv?: string; save?: boolean }
interface CreateOpts extends SignInOpts { url?: string; name: string; expiresInDays?: string; readOnly?: boolean; scope?: string[]; json?: boolean }

const say = (line: string) => process.stderr.write(`${line}\n`);
const collect = (v: string, prev: string[] = []) => [...prev, v];
const FLOWS: readonly Flow[] = ['auto', 'device', 'browser'];

/** A single-quoted shell word: safe whatever the URL contains. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function days(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(n > 0)) throw new CliError(`--expires-in-days must be a positive number (got ${JSON.stringify(raw)})`);
  return n;
}

function urlFrom(raw: string | undefined): string {
  const given = raw ?? process.env.MLFLOW_TRACKING_URI;
  if (!given) throw new CliError('Give the gateway with --url https://… (or set MLFLOW_TRACKING_URI)');
  return gatewayUrl(given);
}

/** Signs the person in at the IdP and mints a personal token with the IdP's token. */
async function mintAfterSignIn(url: string, request: MintRequest, opts: SignInOpts): Promise<TokenJson & { token: string }> {
  const flow = (opts.flow ?? 'auto') as Flow;
  if (!FLOWS.includes(flow)) throw new CliError(`--flow must be one of ${FLOWS.join(', ')}`);
  const cfg = await gatewayApi.cliConfig(url);
  say(`Signing in to ${url} with ${cfg.issuer}`);
  const idp = await signIn(cfg, { flow, openBrowser: opts.browser !== false && process.stderr.isTTY === true, say });
  try {
    return await gatewayApi.mint(url, idp.accessToken, request);
  } catch (err) {
    // Some IdPs issue CLI access tokens for another audience; the ID token is meant for the
    // CLI client, which the gateway accepts when OIDC_AUDIENCE lists it.
    if (statusOf(err) !== 401 || idp.idToken === undefined) throw err;
    try {
      return await gatewayApi.mint(url, idp.idToken, request);
    } catch {
      throw new CliError(`The gateway did not accept the identity provider's token: ${(err as Error).message}. The administrator must make the CLI client's tokens carry an audience listed in OIDC_AUDIENCE.`);
    }
  }
}

function defaultTokenName(): string {
  const host = hostname().replace(/[^\w.-]/g, '').slice(0, 40) || 'host';
  return `cli ${host} ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
}

function describeToken(t: TokenJson): string {
  return `${t.prefix} "${t.name}" of ${t.owner ?? '?'}, expires ${t.expires_at}${t.read_only ? ', read-only' : ''}${t.scope ? `, scoped to ${t.scope.map((s) => `${s.type}:${s.id}`).join(' ')}` : ''}`;
}

export function registerLoginCommands(program: Command): void {
  const signInOptions = (cmd: Command) => cmd
    .option('--flow <flow>', 'auto (device code when the IdP offers it, else browser) | device | browser', 'auto')
    .option('--no-browser', 'do not try to open a browser; just print the address');

  signInOptions(program.command('login')
    .description('sign in at the gateway\'s identity provider and get a personal access token for the MLflow client')
    .option('--url <gateway>', 'the gateway URL (default: MLFLOW_TRACKING_URI)')
    .option('--token-name <name>', 'name of the new token (default: "cli <host> <time>")')
    .option('--expires-in-days <days>', 'token lifetime (default: the gateway\'s GATEWAY_TOKEN_DEFAULT_TTL)')
    .option('--write-env <file>', 'write the export lines to this file (mode 0600) instead of printing them')
    .option('--no-save', `do not keep the token in ${credentialsPath()} for whoami/tokens/logout`))
    .action(async (opts: LoginOpts) => {
      const url = urlFrom(opts.url);
      const expires = days(opts.expiresInDays);
      const t = await mintAfterSignIn(url, { name: opts.tokenName ?? defaultTokenName(), ...(expires !== undefined ? { expires_in_days: expires } : {}) }, opts);
      if (opts.save !== false) saveToken(url, { token: t.token, token_id: t.id, username: t.owner ?? '', expires_at: t.expires_at });
      const lines = `export MLFLOW_TRACKING_URI=${shellQuote(url)}\nexport MLFLOW_TRACKING_TOKEN=${shellQuote(t.token)}\n`;
      say(`Logged in as ${t.owner}: token ${describeToken(t)}.`);
      if (opts.writeEnv) {
        writePrivateFile(opts.writeEnv, lines);
        say(`Wrote MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN to ${opts.writeEnv} (mode 0600): run  source ${opts.writeEnv}`);
      } else {
        process.stdout.write(lines);
      }
    });

  program.command('logout')
    .description('revoke the token `login` saved and forget it')
    .option('--url <gateway>', 'the gateway (default: MLFLOW_TRACKING_URI, else the latest login)')
    .action(async (opts: { url?: string }) => {
      const { url, saved } = savedToken(opts.url === undefined ? undefined : gatewayUrl(opts.url));
      await gatewayApi.revoke(url, saved.token, saved.token_id).catch((err: unknown) => {
        if (statusOf(err) !== 401) throw err; // already revoked or expired: nothing left to revoke
      });
      forgetToken(url);
      say(`Revoked token mog_${saved.token_id} and forgot it.`);
    });

  program.command('whoami')
    .description('who the MLflow client acts as here: MLFLOW_TRACKING_TOKEN when set, else the saved token; and which token it is')
    .option('--url <gateway>', 'the gateway (default: MLFLOW_TRACKING_URI, else the latest login)')
    .option('--json', 'print JSON')
    .action(async (opts: { url?: string; json?: boolean }) => {
      const { url, token, source } = tokenInUse(opts.url === undefined ? undefined : gatewayUrl(opts.url));
      const me = await gatewayApi.whoami(url, token).catch((err: unknown) => {
        throw statusOf(err) === 401 && source === 'MLFLOW_TRACKING_TOKEN' ? new CliError(`MLFLOW_TRACKING_TOKEN is not accepted by ${url} (expired, revoked or not a token of this gateway): ${(err as Error).message}`) : err;
      });
      if (opts.json) return printJson({ ...me, credential_source: source });
      process.stdout.write(`${me.username}${me.is_admin ? ' (administrator)' : ''} at ${url}\n`);
      process.stdout.write(`groups: ${me.groups.join(', ') || '(none)'}\n`);
      if (me.token) process.stdout.write(`token:  ${describeToken(me.token)}${source === 'MLFLOW_TRACKING_TOKEN' ? ' (from MLFLOW_TRACKING_TOKEN)' : ''}\n`);
    });

  const tokens = program.command('tokens').description('your personal access tokens on a gateway');

  tokens.command('list')
    .description('list your active tokens (never their secrets), with MLFLOW_TRACKING_TOKEN when set, else the saved token')
    .option('--url <gateway>', 'the gateway (default: MLFLOW_TRACKING_URI, else the latest login)')
    .option('--json', 'print JSON')
    .action(async (opts: { url?: string; json?: boolean }) => {
      const { url, token, tokenId } = tokenInUse(opts.url === undefined ? undefined : gatewayUrl(opts.url));
      const { tokens: list } = await gatewayApi.list(url, token);
      if (opts.json) return printJson(list);
      printTable(list.map((t) => ({ ...t, current: t.id === tokenId ? '*' : '' })), ['id', 'name', 'expires_at', 'last_used_at', 'read_only', 'scope', 'current'], 'no active tokens');
    });

  signInOptions(tokens.command('create')
    .description('create another token (a token cannot mint tokens, so this signs you in again); prints it once')
    .requiredOption('--name <name>', 'a name for the token, e.g. "training cluster"')
    .option('--url <gateway>', 'the gateway (default: MLFLOW_TRACKING_URI)')
    .option('--expires-in-days <days>', 'lifetime in days')
    .option('--read-only', 'the token can never write')
    .option('--scope <type:id>', 'limit the token to one resource, e.g. experiment:12 (repeatable)', collect)
    .option('--json', 'print JSON (including the token)'))
    .action(async (opts: CreateOpts) => {
      const url = urlFrom(opts.url);
      const expires = days(opts.expiresInDays);
      const scope = opts.scope?.map((s) => {
        const colon = s.indexOf(':');
        if (colon <= 0) throw new CliError(`--scope must look like experiment:12 (got ${JSON.stringify(s)})`);
        return { type: s.slice(0, colon), id: s.slice(colon + 1) };
      });
      const t = await mintAfterSignIn(url, { name: opts.name, ...(expires !== undefined ? { expires_in_days: expires } : {}), ...(opts.readOnly ? { read_only: true } : {}), ...(scope ? { scope } : {}) }, opts);
      say(`Created ${describeToken(t)}. It is shown only this once.`);
      if (opts.json) printJson(t);
      else process.stdout.write(`${t.token}\n`);
    });

  tokens.command('revoke <id>')
    .description('revoke one of your tokens by id (see `tokens list`); it stops working at once')
    .option('--url <gateway>', 'the gateway (default: MLFLOW_TRACKING_URI, else the latest login)')
    .action(async (rawId: string, opts: { url?: string }) => {
      const id = rawId.replace(/^mog_/, '');
      const { url, saved } = savedToken(opts.url === undefined ? undefined : gatewayUrl(opts.url));
      await gatewayApi.revoke(url, saved.token, id);
      if (id === saved.token_id) forgetToken(url);
      say(`Revoked token mog_${id}${id === saved.token_id ? ' (the saved one: log in again to get a new one)' : ''}.`);
    });
}
