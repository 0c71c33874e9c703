// `trust-rules add|list|delete`: workload identity federation rules, straight on the configured store.
import type { Command } from 'commander';
import { badRequest } from '../admin/input.js';
import { addTrustRule, deleteTrustRule, findTrustRule } from '../federation/manage.js';
import { PRESET_NAMES } from '../federation/presets.js';
import { trustRuleInput } from '../federation/rule-input.js';
import { trustRulesJson } from '../federation/serialize.js';
import { withAdminContext } from './admin-context.js';
import { printJson, printTable } from './output.js';

interface AddOpts {
  name: string; preset?: string; issuer?: string; jwksUrl?: string; audience: string; serviceAccount: string;
  claim?: string[]; claimGlob?: string[]; json?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function conditions(pairs: readonly string[], matcher: 'exact' | 'glob', option: string): { claim: string; value: string; matcher: string }[] {
  return pairs.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0) throw badRequest(`${option} must look like claim=value (got ${JSON.stringify(p)})`);
    return { claim: p.slice(0, eq), value: p.slice(eq + 1), matcher };
  });
}

export function registerTrustRulesCommand(program: Command, configFile: () => string | undefined): void {
  const rules = program.command('trust-rules').description('workload identity federation: JWTs of outside issuers that act as a service account');

  rules.command('add')
    .description('trust tokens of an issuer that meet the conditions, as a service account')
    .requiredOption('--name <name>', 'a name for the rule, e.g. gh-train-main')
    .option('--preset <preset>', `${PRESET_NAMES.join(' | ')}: claim names by their short names, the public issuer filled in`)
    .option('--issuer <url>', 'the issuer (`iss`) of the tokens (default for github-actions and gitlab: the public one)')
    .option('--jwks-url <url>', 'where the issuer publishes its keys (default: from its discovery document)')
    .requiredOption('--audience <aud>', 'the audience (`aud`) the tokens must be issued for')
    .requiredOption('--service-account <name>', 'the service account the tokens act as')
    .option('--claim <claim=value>', 'a claim the token must have with exactly this value (repeatable)', collect)
    .option('--claim-glob <claim=pattern>', 'a claim that must match a glob (* and ?; repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (opts: AddOpts) => {
      const conds = [...conditions(opts.claim ?? [], 'exact', '--claim'), ...conditions(opts.claimGlob ?? [], 'glob', '--claim-glob')];
      await withAdminContext(configFile(), async ({ config, store, changes }) => {
        const input = trustRuleInput({
          name: opts.name, audience: opts.audience, service_account: opts.serviceAccount, conditions: conds,
          ...(opts.preset !== undefined ? { preset: opts.preset } : {}),
          ...(opts.issuer !== undefined ? { issuer: opts.issuer } : {}),
          ...(opts.jwksUrl !== undefined ? { jwks_url: opts.jwksUrl } : {}),
        }, config.providers.map((p) => p.issuer));
        const rule = await addTrustRule(changes, input);
        if (opts.json) printJson((await trustRulesJson(store, [rule]))[0]);
        else process.stdout.write(`added trust rule ${rule.id} (${rule.name}): tokens of ${rule.issuer} act as ${input.serviceAccount}\n`);
      });
    });

  rules.command('list')
    .description('list trust rules')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withAdminContext(configFile(), async ({ store }) => {
        const json = await trustRulesJson(store, await store.federation.rules());
        if (opts.json) printJson(json);
        else printTable(json, ['id', 'name', 'issuer', 'audience', 'conditions', 'service_account'], 'no trust rules');
      });
    });

  rules.command('delete <id-or-name>')
    .description('delete a trust rule')
    .action(async (idOrName: string) => {
      await withAdminContext(configFile(), async ({ store, changes }) => {
        const rule = await findTrustRule(store, idOrName);
        await deleteTrustRule(changes, rule);
        process.stdout.write(`deleted trust rule ${rule.id} (${rule.name})\n`);
      });
    });
}
