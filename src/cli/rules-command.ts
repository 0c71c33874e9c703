// `protected-keys add|list|delete` and `team-defaults add|list|delete`, straight on the configured
// store (same parsing, audit and bus events as the admin API).
import type { Command } from 'commander';
import { text } from '../admin/input.js';
import { addProtectedKey, addTeamDefault, deleteProtectedKey, deleteTeamDefault } from '../admin/rule-changes.js';
import { protectedKeyInput, protectedKeyJson, teamDefaultInput, teamDefaultJson } from '../admin/rule-input.js';
import { withAdminContext } from './admin-context.js';
import { printJson, printTable } from './output.js';

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

export function registerRulesCommands(program: Command, configFile: () => string | undefined): void {
  const pk = program.command('protected-keys').description('protect aliases and tag keys: setting or deleting them needs a level and/or membership of named groups');
  pk.command('add')
    .requiredOption('--resource-type <type>', 'registered_model | prompt | model_version | prompt_version | experiment | run')
    .option('--resource-pattern <glob>', 'resource name (versions: their model; runs: their experiment)', '*')
    .requiredOption('--target <target>', 'alias | tag')
    .requiredOption('--key <glob>', 'alias or tag key, e.g. champion or "prod*"')
    .option('--required-level <level>', 'READ | USE | EDIT | MANAGE on the resource')
    .option('--allowed-groups <groups>', 'comma-separated groups whose members may write the key')
    .option('--json', 'print JSON')
    .action(async (o: { resourceType: string; resourcePattern: string; target: string; key: string; requiredLevel?: string; allowedGroups?: string; json?: boolean }) => {
      const input = protectedKeyInput({
        resource_type: o.resourceType, resource_pattern: o.resourcePattern, target: o.target, key_pattern: o.key,
        ...(o.requiredLevel !== undefined ? { required_level: o.requiredLevel } : {}), ...(o.allowedGroups !== undefined ? { allowed_groups: list(o.allowedGroups) } : {}),
      });
      await withAdminContext(configFile(), async ({ changes }) => {
        const rule = await addProtectedKey(changes, input);
        if (o.json) printJson(protectedKeyJson(rule));
        else process.stdout.write(`added protected key rule ${rule.id}\n`);
      });
    });
  pk.command('list').option('--json', 'print JSON').action(async (o: { json?: boolean }) => {
    await withAdminContext(configFile(), async ({ store }) => {
      const rows = (await store.rules.protectedKeys()).map(protectedKeyJson);
      if (o.json) printJson(rows);
      else printTable(rows.map((r) => ({ ...r, allowed_groups: (r.allowed_groups as string[]).join(',') })), ['id', 'resource_type', 'resource_pattern', 'target', 'key_pattern', 'required_level', 'allowed_groups'], 'no protected key rules');
    });
  });
  pk.command('delete <id>').action(async (raw: string) => {
    const id = text({ id: raw }, 'id');
    await withAdminContext(configFile(), async ({ changes }) => {
      const rule = await deleteProtectedKey(changes, id);
      if (!rule) {
        process.exitCode = 1;
        process.stderr.write(`no protected key rule with id ${JSON.stringify(id)}\n`);
        return;
      }
      process.stdout.write(`deleted protected key rule ${rule.id}\n`);
    });
  });

  const td = program.command('team-defaults').description('levels groups get on every new resource, beside the creator\'s MANAGE');
  td.command('add')
    .requiredOption('--resource-type <type>', 'experiment | registered_model | prompt')
    .requiredOption('--level <level>', 'READ | USE | EDIT | MANAGE')
    .option('--creator-groups', 'give it to the creator\'s groups (see --group-pattern)')
    .option('--group-pattern <glob>', 'with --creator-groups: only the creator\'s groups matching this glob')
    .option('--groups <groups>', 'give it to these groups (comma-separated)')
    .option('--creator-group <group>', 'only when the creator is in this group')
    .option('--json', 'print JSON')
    .action(async (o: { resourceType: string; level: string; creatorGroups?: boolean; groupPattern?: string; groups?: string; creatorGroup?: string; json?: boolean }) => {
      const input = teamDefaultInput({
        resource_type: o.resourceType, level: o.level, grant_to: o.groups !== undefined && !o.creatorGroups ? 'groups' : 'creator_groups',
        ...(o.groupPattern !== undefined ? { group_pattern: o.groupPattern } : {}), ...(o.groups !== undefined ? { groups: list(o.groups) } : {}),
        ...(o.creatorGroup !== undefined ? { creator_group: o.creatorGroup } : {}),
      });
      await withAdminContext(configFile(), async ({ changes }) => {
        const rule = await addTeamDefault(changes, input);
        if (o.json) printJson(teamDefaultJson(rule));
        else process.stdout.write(`added team default ${rule.id}\n`);
      });
    });
  td.command('list').option('--json', 'print JSON').action(async (o: { json?: boolean }) => {
    await withAdminContext(configFile(), async ({ store }) => {
      const rows = (await store.rules.teamDefaults()).map(teamDefaultJson);
      if (o.json) printJson(rows);
      else printTable(rows.map((r) => ({ ...r, groups: (r.groups as string[]).join(',') })), ['id', 'resource_type', 'level', 'grant_to', 'group_pattern', 'groups', 'creator_group'], 'no team defaults');
    });
  });
  td.command('delete <id>').action(async (raw: string) => {
    const id = text({ id: raw }, 'id');
    await withAdminContext(configFile(), async ({ changes }) => {
      const rule = await deleteTeamDefault(changes, id);
      if (!rule) {
        process.exitCode = 1;
        process.stderr.write(`no team default with id ${JSON.stringify(id)}\n`);
        return;
      }
      process.stdout.write(`deleted team default ${rule.id}\n`);
    });
  });
}
