// `service-accounts create|list|update|delete|token|map-client|unmap-client`, straight on the
// configured store (audited as cli:<os user>, like grants and patterns).
import type { Command } from 'commander';
import { badRequest } from '../admin/input.js';
import { RESOURCE_TYPES, type ResourceType } from '../policy/index.js';
import { serviceAccountChanges, serviceAccountInput, serviceAccountName } from '../service-accounts/input.js';
import { changeServiceAccount, createServiceAccount, deleteServiceAccount, mapClient, serviceAccountByName, unmapClient } from '../service-accounts/manage.js';
import { serviceAccountJson } from '../service-accounts/serialize.js';
import { parseTokenRequest, tokenJson } from '../tokens/json.js';
import { createTokenService } from '../tokens/service.js';
import { withAdminContext } from './admin-context.js';
import { printJson, printTable } from './output.js';

interface AccountOpts { description?: string; group?: string[]; json?: boolean }
interface TokenOpts { name: string; expiresInDays?: string; readOnly?: boolean; scope?: string[]; json?: boolean }

const COLUMNS = ['name', 'groups', 'is_admin', 'disabled', 'description', 'created_by'];
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerServiceAccountsCommand(program: Command, configFile: () => string | undefined): void {
  const sa = program.command('service-accounts').description('service accounts: identities for programs, with their own grants and tokens');

  sa.command('create <name>')
    .description('create a service account (grant it permissions with `grants set --user <name>`)')
    .option('--description <text>', 'what it is for')
    .option('--group <group>', 'a group it belongs to (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: AccountOpts) => {
      const input = serviceAccountInput({ name, ...(opts.description !== undefined ? { description: opts.description } : {}), groups: opts.group ?? [] });
      await withAdminContext(configFile(), async ({ config, changes }) => {
        const account = await createServiceAccount(config, changes, input);
        if (opts.json) printJson(serviceAccountJson(account));
        else process.stdout.write(`created service account ${account.user.username}${account.user.isAdmin ? ' (administrator)' : ''}\n`);
      });
    });

  sa.command('list')
    .description('list service accounts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withAdminContext(configFile(), async ({ store }) => {
        const rows = (await store.serviceAccounts.list()).map(serviceAccountJson);
        if (opts.json) printJson(rows);
        else printTable(rows, COLUMNS, 'no service accounts');
      });
    });

  sa.command('update <name>')
    .description('change the description or groups of a service account, or disable/enable it')
    .option('--description <text>', 'new description ("" clears it)')
    .option('--group <group>', 'replace its groups (repeatable)', collect)
    .option('--no-groups', 'remove it from every group')
    .option('--disable', 'stop its tokens and trust rules from working (reversible)')
    .option('--enable', 'let it work again')
    .action(async (rawName: string, opts: { description?: string; group?: string[]; groups?: boolean; disable?: boolean; enable?: boolean }) => {
      const name = serviceAccountName({ name: rawName });
      if (opts.disable && opts.enable) throw badRequest('give --disable or --enable, not both');
      const changes = serviceAccountChanges({
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(opts.group !== undefined ? { groups: opts.group } : opts.groups === false ? { groups: [] } : {}),
        ...(opts.disable ? { disabled: true } : opts.enable ? { disabled: false } : {}),
      });
      await withAdminContext(configFile(), async ({ config, store, changes: cx }) => {
        const account = await changeServiceAccount(config, cx, await serviceAccountByName(store, name), changes);
        process.stdout.write(`updated service account ${account.user.username}${account.user.disabled ? ' (disabled)' : ''}\n`);
      });
    });

  sa.command('delete <name>')
    .description('delete a service account with its tokens, grants, trust rules and OAuth client mappings')
    .action(async (rawName: string) => {
      const name = serviceAccountName({ name: rawName });
      await withAdminContext(configFile(), async ({ store, changes }) => {
        await deleteServiceAccount(changes, await serviceAccountByName(store, name));
        process.stdout.write(`deleted service account ${name}\n`);
      });
    });

  sa.command('token <name>')
    .description('mint a token for a service account; it is printed once and never stored')
    .requiredOption('--name <token-name>', 'a name for the token, e.g. "nightly-training"')
    .option('--expires-in-days <days>', 'lifetime in days (default GATEWAY_TOKEN_DEFAULT_TTL)')
    .option('--read-only', 'the token can never write')
    .option('--scope <type:id>', 'limit the token to one resource, e.g. experiment:12 (repeatable)', collect)
    .option('--json', 'print JSON (including the token)')
    .action(async (rawName: string, opts: TokenOpts) => {
      const name = serviceAccountName({ name: rawName });
      const request = parseTokenRequest({
        name: opts.name,
        ...(opts.expiresInDays !== undefined ? { expires_in_days: Number(opts.expiresInDays) } : {}),
        ...(opts.readOnly ? { read_only: true } : {}),
        ...(opts.scope ? { scope: opts.scope.map(scopeEntry) } : {}),
      });
      await withAdminContext(configFile(), async ({ config, store, changes }) => {
        const account = await serviceAccountByName(store, name);
        const { token, record } = await createTokenService(config, store).create(account.user, request, { username: changes.actor, requestId: null, clientIp: null });
        if (opts.json) printJson({ ...tokenJson(record, account.user), token });
        else process.stdout.write(`${token}\n`);
        process.stderr.write(`token ${record.id} for ${name} expires ${record.expiresAt.toISOString()}; it is shown only this once\n`);
      });
    });

  sa.command('map-client <name> <client-id>')
    .description('let client-credentials tokens of an OAuth client of the IdP act as this service account')
    .action(async (rawName: string, clientId: string) => {
      const name = serviceAccountName({ name: rawName });
      await withAdminContext(configFile(), async ({ store, changes }) => {
        await mapClient(changes, await serviceAccountByName(store, name), clientId);
        process.stdout.write(`client-credentials tokens of ${clientId} now act as ${name}\n`);
      });
    });

  sa.command('unmap-client <name> <client-id>')
    .description('stop an OAuth client acting as this service account')
    .action(async (rawName: string, clientId: string) => {
      const name = serviceAccountName({ name: rawName });
      await withAdminContext(configFile(), async ({ store, changes }) => {
        await unmapClient(changes, await serviceAccountByName(store, name), clientId);
        process.stdout.write(`${clientId} no longer acts as ${name}\n`);
      });
    });
}

function scopeEntry(s: string): { type: ResourceType; id: string } {
  const colon = s.indexOf(':');
  const type = s.slice(0, colon);
  if (colon <= 0 || colon === s.length - 1 || !(RESOURCE_TYPES as readonly string[]).includes(type)) {
    throw badRequest(`--scope must look like experiment:12 (types: ${RESOURCE_TYPES.join(', ')})`);
  }
  return { type: type as ResourceType, id: s.slice(colon + 1) };
}
