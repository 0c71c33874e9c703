// `explain`: why a user may or may not do something to a resource, from the configured store,
// through the same AccessControl the gateway uses (so the answer is the gateway's answer).
import type { Command } from 'commander';
import { explainInput } from '../admin/input.js';
import { userByUsername } from '../admin/principals.js';
import { explanationJson } from '../admin/serialize.js';
import { createAccessControl } from '../pipeline/access.js';
import { withAdminContext } from './admin-context.js';
import { printJson, printTable } from './output.js';

interface ExplainOpts {
  user: string;
  action: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  parentType?: string;
  parentId?: string;
  parentName?: string;
  json?: boolean;
}

export function registerExplainCommand(program: Command, configFile: () => string | undefined): void {
  program
    .command('explain')
    .description('explain the decision for a user, an action and a resource (every grant and rule considered)')
    .requiredOption('--user <username>', 'the user (groups as last seen at their sign-in)')
    .requiredOption('--action <action>', 'read | use | update | delete | manage')
    .requiredOption('--resource-type <type>', 'experiment | registered_model | prompt | gateway_endpoint | gateway_secret | gateway_model_definition | workspace | run | trace | logged_model | model_version | prompt_version')
    .requiredOption('--resource-id <id>', 'the resource id')
    .option('--resource-name <name>', 'the resource name, which pattern rules match (default: the id)')
    .option('--parent-type <type>', 'for a child resource (run, trace, …): its parent\'s type (experiment, registered_model, prompt)')
    .option('--parent-id <id>', 'for a child resource: its parent\'s id (experiment id, model or prompt name)')
    .option('--parent-name <name>', 'for a child resource: its parent\'s name (pattern rules; default: the id)')
    .option('--json', 'print JSON')
    .action(async (opts: ExplainOpts) => {
      const input = explainInput({
        user: opts.user, action: opts.action,
        resource: {
          type: opts.resourceType, id: opts.resourceId, ...(opts.resourceName !== undefined ? { name: opts.resourceName } : {}),
          ...(opts.parentType !== undefined || opts.parentId !== undefined
            ? { parent: { type: opts.parentType, id: opts.parentId, ...(opts.parentName !== undefined ? { name: opts.parentName } : {}) } }
            : {}),
        },
      });
      await withAdminContext(configFile(), async ({ config, store }) => {
        const access = createAccessControl(config, store);
        const user = await userByUsername(store, input.username);
        const explanation = await access.explain(access.subjectOf(user), input.action, input.resource);
        if (opts.json) {
          printJson({ user: user.username, action: input.action, resource: input.resource, ...(await explanationJson(store, explanation)) });
          return;
        }
        const d = explanation.decision;
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(`${d.allow ? 'ALLOW' : 'DENY'}: ${user.username} ${d.allow ? 'may' : 'may not'} ${input.action} ${input.resource.type} ${input.resource.id}`);
        out(`level ${d.level} (needs ${d.required}), decided by ${d.source}: ${d.reason}`);
        const c = (await explanationJson(store, explanation)).considered;
        out('\ngrants considered:');
        printTable(c.grants.map((g) => ({ ...g.grant, matched: g.matched, decisive: g.decisive, note: g.note })),
          ['principal_type', 'principal', 'level', 'matched', 'decisive', 'note'], '  (none)');
        out('\npattern rules considered:');
        printTable(c.patterns.map((p) => ({ ...p.rule, matched: p.matched, decisive: p.decisive, note: p.note })),
          ['id', 'principal_type', 'principal', 'matcher', 'pattern', 'level', 'matched', 'decisive', 'note'], '  (none)');
      });
    });
}
