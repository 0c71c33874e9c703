import { loadConfig, type Config } from '../config/index.js';

/** Loads the config or prints every problem (with how to fix it) and exits 2. */
export function loadConfigOrExit(env: Record<string, string | undefined>, file?: string): { config: Config; notices: string[] } {
  const result = loadConfig(env, file);
  if (!result.ok) {
    process.stderr.write(`mlflow-oidc-gateway: the configuration has ${result.problems.length} problem(s):\n`);
    for (const p of result.problems) process.stderr.write(`  - ${p.env} ${p.message}\n`);
    process.stderr.write('See the configuration reference in docs/configuration.md, or run `mlflow-oidc-gateway config docs`.\n');
    process.exit(2);
  }
  return { config: result.config, notices: result.notices };
}
