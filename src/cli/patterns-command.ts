// `patterns add|list|delete`: name-pattern rules, straight on the configured store.
import type { Command } from 'commander';
import { addPattern, deletePattern } from '../admin/changes.js';
import { findPatterns } from '../admin/find-patterns.js';
import { oneOf, patternInput, principalRef, text } from '../admin/input.js';
import { assertNotRoleGroup, storedPrincipal, usernameLookup } from '../admin/principals.js';
import { patternsJson } from '../admin/serialize.js';
import { RESOURCE_TYPES } from '../policy/index.js';
import { withAdminContext } from './admin-context.js';
import { principalFields } from './grants-command.js';
import { printJson, printTable } from './output.js';

interface PatternOpts {
  user?: string;
  group?: string;
  resourceType?: string;
  matcher?: string;
  pattern?: string;
  level?: string;
  json?: boolean;
}

const PATTERN_COLUMNS = ['id', 'principal_type', 'principal', 'resource_type', 'matcher', 'pattern', 'level'];

export function registerPatternsCommand(program: Command, configFile: () => string | undefined): void {
  const patterns = program.command('patterns').description('add, list and delete pattern rules (a level on every resource whose name matches)');

  patterns
    .command('add')
    .description('give a user or group a level on every resource of a type whose name matches')
    .option('--user <username>', 'the user (by username)')
    .option('--group <group>', 'the group')
    .requiredOption('--resource-type <type>', 'experiment | registered_model | prompt | gateway_endpoint | gateway_secret | gateway_model_definition | workspace | run | trace | logged_model | model_version | prompt_version')
    .option('--matcher <matcher>', 'glob (* and ?) or regex (whole-name match)', 'glob')
    .requiredOption('--pattern <pattern>', 'e.g. "team-a-*"')
    .requiredOption('--level <level>', 'DENY | NO_PERMISSIONS | READ | USE | EDIT | MANAGE (DENY beats every other grant and rule)')
    .option('--json', 'print JSON')
    .action(async (opts: PatternOpts) => {
      const input = patternInput({ ...principalFields(opts), resource_type: opts.resourceType, matcher: opts.matcher, pattern: opts.pattern, level: opts.level });
      assertNotRoleGroup(input.principal);
      await withAdminContext(configFile(), async ({ store, changes }) => {
        const principal = await storedPrincipal(store, input.principal);
        const rule = await addPattern(changes, principal, { resourceType: input.resourceType, matcher: input.matcher, pattern: input.pattern, level: input.level });
        const [json] = await patternsJson(store, [rule]);
        if (opts.json) printJson(json);
        else process.stdout.write(`added pattern rule ${rule.id}\n`);
      });
    });

  patterns
    .command('list')
    .description('list pattern rules, optionally of one resource type or one user or group')
    .option('--resource-type <type>', 'only rules for this resource type')
    .option('--user <username>', 'only rules for this user')
    .option('--group <group>', 'only rules for this group')
    .option('--json', 'print JSON')
    .action(async (opts: PatternOpts) => {
      const type = opts.resourceType === undefined ? undefined : oneOf({ resource_type: opts.resourceType }, 'resource_type', RESOURCE_TYPES);
      const ref = opts.user === undefined && opts.group === undefined ? undefined : principalRef(principalFields(opts));
      await withAdminContext(configFile(), async ({ store }) => {
        const principal = ref === undefined ? undefined : await storedPrincipal(store, ref);
        const rules = await findPatterns(store, type, principal);
        const json = await patternsJson(store, rules);
        if (opts.json) printJson(json);
        else printTable(json, PATTERN_COLUMNS, 'no pattern rules');
      });
    });

  patterns
    .command('delete <id>')
    .description('delete a pattern rule by id (see `patterns list`)')
    .action(async (rawId: string) => {
      const id = text({ id: rawId }, 'id');
      await withAdminContext(configFile(), async ({ store, changes }) => {
        const lookup = usernameLookup(store);
        const rule = await deletePattern(changes, id, (r) => lookup(r.principalType, r.principal));
        if (!rule) {
          process.exitCode = 1;
          process.stderr.write(`no pattern rule with id ${JSON.stringify(id)}\n`);
          return;
        }
        process.stdout.write(`deleted pattern rule ${rule.id}\n`);
      });
    });
}
