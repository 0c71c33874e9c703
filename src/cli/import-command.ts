// `import basic-auth|mlflow-oidc-auth --from <database URL> [--apply]`: carries users, groups and
// grants over from the product the gateway replaces. Dry run by default (a report of what would be
// written and what cannot be mapped); --apply writes it all in one transaction, audited like any
// grant change. The old database is only read.
import type { Command } from 'commander';
import { withAdminContext } from './admin-context.js';
import { printJson } from './output.js';

interface ImportOpts {
  from: string;
  apply?: boolean;
  json?: boolean;
  config?: string;
  serviceAccounts?: string;
}

export function registerImportCommand(program: Command, configFile: () => string | undefined): void {
  const cmd = program.command('import').description('import users, groups and grants from MLflow basic-auth or mlflow-oidc-auth (dry run unless --apply)');
  for (const source of ['basic-auth', 'mlflow-oidc-auth'] as const) {
    cmd
      .command(source)
      .description(source === 'basic-auth'
        ? "read MLflow basic-auth's database (basic_auth.ini database_uri)"
        : "read mlflow-oidc-auth's database (OIDC_USERS_DB_URI)")
      .requiredOption('--from <url>', 'the old database: sqlite:///path.db, a file path, or postgresql://… (SQLAlchemy URLs accepted)')
      .option('--apply', 'write the import (one transaction); without it nothing is written')
      .option('--config-file <file>', source === 'basic-auth' ? 'basic_auth.ini, for default_permission' : 'not used')
      .option('--service-accounts <names>', source === 'basic-auth' ? 'comma-separated usernames that are machines: they become service accounts' : 'not used')
      .option('--json', 'print the report as JSON')
      .action(async (opts: ImportOpts & { configFile?: string }) => {
        const { runImport } = await import('../import/run.js');
        await withAdminContext(configFile(), async ({ config, store, changes }) => {
          const out = await runImport(config, store, changes, source, {
            from: opts.from, apply: opts.apply === true,
            ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}),
            serviceAccounts: (opts.serviceAccounts ?? '').split(',').map((s) => s.trim()).filter(Boolean),
          });
          if (opts.json) printJson(out.json);
          else process.stdout.write(out.text);
        });
      });
  }
}
