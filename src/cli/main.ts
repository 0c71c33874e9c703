#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { renderConfigReference, renderErrorCodes, updateReadme } from '../config/index.js';
import { registerExplainCommand } from './explain-command.js';
import { registerGrantsCommand } from './grants-command.js';
import { registerImportCommand } from './import-command.js';
import { loadConfigOrExit } from './load-or-exit.js';
import { registerLoginCommands } from './login-command.js';
import { registerPatternsCommand } from './patterns-command.js';
import { registerRulesCommands } from './rules-command.js';
import { registerServiceAccountsCommand } from './service-accounts-command.js';
import { registerTrustRulesCommand } from './trust-rules-command.js';

const program = new Command()
  .name('mlflow-oidc-gateway')
  .description('Identity gateway for MLflow: OIDC sign-in, tokens and per-resource permissions.')
  .option('-c, --config <file>', 'YAML configuration file (environment variables override it)');

program
  .command('serve', { isDefault: true })
  .description('run the gateway with the configuration from the environment (and --config)')
  .action(async () => {
    const { config, notices } = loadConfigOrExit(process.env, program.opts<{ config?: string }>().config);
    const { serve } = await import('./serve.js'); // the server is loaded only by the commands that run it
    await serve(config, notices);
  });

const configCmd = program.command('config').description('validate or document the configuration');
configCmd
  .command('check')
  .description('validate every setting, then reach the IdP discovery document and MLflow /health')
  .action(async () => {
    const { config, notices } = loadConfigOrExit(process.env, program.opts<{ config?: string }>().config);
    const { configCheck } = await import('./config-check.js'); // its network checks are not serve's
    process.exitCode = await configCheck(config, notices);
  });
configCmd
  .command('docs')
  .description('print the configuration reference (Markdown), or rewrite it inside a README')
  .option('--write <readme>', 'replace the generated blocks in this file')
  .action((opts: { write?: string }) => {
    if (opts.write) writeFileSync(opts.write, updateReadme(readFileSync(opts.write, 'utf8')));
    else process.stdout.write(`${renderConfigReference()}\n\n${renderErrorCodes()}\n`);
  });

program
  .command('demo')
  .description('run everything on this machine: a demo OpenID Provider, a local MLflow and the gateway on SQLite')
  .option('--port <port>', 'gateway port', '8080')
  .action(async (opts: { port: string }) => {
    const { runDemo } = await import('./demo.js');
    await runDemo(Number(opts.port));
  });

// Administration, straight on the store of GATEWAY_DATABASE_URL (no running gateway needed).
const configFile = () => program.opts<{ config?: string }>().config;
registerGrantsCommand(program, configFile);
registerPatternsCommand(program, configFile);
registerRulesCommands(program, configFile);
registerExplainCommand(program, configFile);
registerServiceAccountsCommand(program, configFile);
registerTrustRulesCommand(program, configFile);
registerImportCommand(program, configFile);

// Against a running gateway, as a person at a terminal (no gateway configuration needed).
registerLoginCommands(program);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`mlflow-oidc-gateway: ${(err as Error).message}\n`);
  process.exit(1);
});
