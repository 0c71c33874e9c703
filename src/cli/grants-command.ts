// `grants set|delete|list`: per-resource grants, straight on the configured store.
import type { Command } from 'commander';
import { deleteGrant, setGrant, type GrantTarget } from '../admin/changes.js';
import { badRequest, grantInput, grantKey, principalRef, resourceRef, type Fields, type GrantKey } from '../admin/input.js';
import { assertNotRoleGroup, storedPrincipal } from '../admin/principals.js';
import { grantsJson } from '../admin/serialize.js';
import type { Store } from '../store/index.js';
import { withAdminContext } from './admin-context.js';
import { printJson, printTable } from './output.js';

interface PrincipalOpts { user?: string; group?: string }
interface ResourceOpts { resourceType?: string; resourceId?: string }
interface GrantOpts extends PrincipalOpts, ResourceOpts { level?: string; json?: boolean }

const GRANT_COLUMNS = ['principal_type', 'principal', 'resource_type', 'resource_id', 'level'];

export function registerGrantsCommand(program: Command, configFile: () => string | undefined): void {
  const grants = program.command('grants').description('list, set and delete per-resource grants (users by username)');

  grants
    .command('set')
    .description('give a user or group a level on one resource (replaces their current grant there)')
    .option('--user <username>', 'the user (by username; they must have signed in once)')
    .option('--group <group>', 'the group (as the IdP names it)')
    .requiredOption('--resource-type <type>', 'experiment | registered_model | prompt | gateway_endpoint | gateway_secret | gateway_model_definition | workspace | run | trace | logged_model | model_version | prompt_version')
    .requiredOption('--resource-id <id>', 'the resource id (experiment id, model name, …)')
    .requiredOption('--level <level>', 'DENY | NO_PERMISSIONS | READ | USE | EDIT | MANAGE (DENY beats every other grant and rule)')
    .option('--override-parent-deny', 'on a child resource: this grant decides even under a DENY on the parent (administrator decision)')
    .option('--json', 'print JSON')
    .action(async (opts: GrantOpts & { overrideParentDeny?: boolean }) => {
      const input = grantInput({ ...principalFields(opts), ...resourceFields(opts), level: opts.level, ...(opts.overrideParentDeny ? { override_parent_deny: true } : {}) });
      await withAdminContext(configFile(), async ({ store, changes }) => {
        const target = await targetOf(store, input);
        const previous = await setGrant(changes, target, input.level, input.overrideParentDeny);
        const [grant] = await grantsJson(store, [{
          principalType: target.principal.type, principal: target.principal.key, resourceType: target.resourceType, resourceId: target.resourceId, level: input.level,
          ...(input.overrideParentDeny ? { overrideParentDeny: true } : {}),
        }]);
        if (opts.json) printJson({ grant, previous_level: previous });
        else process.stdout.write(`${target.principal.type} ${target.principal.name} now has ${input.level} on ${target.resourceType} ${target.resourceId} (${previous === null ? 'new grant' : `was ${previous}`})\n`);
      });
    });

  grants
    .command('delete')
    .description('remove the grant of a user or group on one resource')
    .option('--user <username>', 'the user (by username)')
    .option('--group <group>', 'the group')
    .requiredOption('--resource-type <type>', 'the resource type')
    .requiredOption('--resource-id <id>', 'the resource id')
    .option('--json', 'print JSON')
    .action(async (opts: GrantOpts) => {
      const key = grantKey({ ...principalFields(opts), ...resourceFields(opts) }); // validated before the store is opened
      await withAdminContext(configFile(), async ({ store, changes }) => {
        const target = await targetOf(store, key);
        const deleted = await deleteGrant(changes, target);
        if (deleted === undefined) {
          process.exitCode = 1;
          process.stderr.write(`${target.principal.type} ${target.principal.name} has no grant on ${target.resourceType} ${target.resourceId}\n`);
        }
        if (opts.json) printJson({ deleted: deleted !== undefined, previous_level: deleted?.previous ?? null });
        else if (deleted) process.stdout.write(`deleted: ${target.principal.type} ${target.principal.name} had ${deleted.previous ?? 'a grant'} on ${target.resourceType} ${target.resourceId}\n`);
      });
    });

  grants
    .command('list')
    .description('who has access to one resource (--resource-type/--resource-id), or what a user or group holds (--user/--group)')
    .option('--user <username>', 'list the grants of this user')
    .option('--group <group>', 'list the grants of this group')
    .option('--resource-type <type>', 'list the grants on this resource (with --resource-id)')
    .option('--resource-id <id>', 'the resource id')
    .option('--json', 'print JSON')
    .action(async (opts: GrantOpts) => {
      const byResource = opts.resourceType !== undefined || opts.resourceId !== undefined;
      const byPrincipal = opts.user !== undefined || opts.group !== undefined;
      if (byResource === byPrincipal) throw badRequest('Give either --resource-type and --resource-id, or one of --user / --group');
      const resource = byResource ? resourceRef(resourceFields(opts)) : undefined;
      const principal = byPrincipal ? principalRef(principalFields(opts)) : undefined;
      await withAdminContext(configFile(), async ({ store }) => {
        const rows = resource
          ? await store.grants.listForResource(resource.type, resource.id)
          : await storedPrincipal(store, principal!).then((p) => store.grants.listForPrincipal(p.type, p.key));
        const json = await grantsJson(store, rows);
        if (opts.json) printJson(json);
        // The override column only when a grant carries it (child grants lifting a parent's DENY).
        else printTable(json, json.some((g) => g.override_parent_deny) ? [...GRANT_COLUMNS, 'override_parent_deny'] : GRANT_COLUMNS, 'no grants');
      });
    });
}

/** `--user x` / `--group y` as the API's principal fields; exactly one is required. */
export function principalFields(opts: PrincipalOpts): Fields {
  if ((opts.user === undefined) === (opts.group === undefined)) throw badRequest('Give exactly one of --user <username> or --group <group>');
  return opts.user !== undefined ? { principal_type: 'user', principal: opts.user } : { principal_type: 'group', principal: opts.group };
}

function resourceFields(opts: ResourceOpts): Fields {
  return { resource_type: opts.resourceType, resource_id: opts.resourceId };
}

async function targetOf(store: Store, key: GrantKey): Promise<GrantTarget> {
  assertNotRoleGroup(key.principal);
  return { principal: await storedPrincipal(store, key.principal), resourceType: key.resource.type, resourceId: key.resource.id };
}
