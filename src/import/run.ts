// One import, from opening the old database to the report; shared by the CLI and the tests.
import type { ChangeContext } from '../admin/changes.js';
import type { Config } from '../config/index.js';
import type { Store } from '../store/index.js';
import { accountStates, applyPlan } from './apply.js';
import { readBasicAuth } from './basic-auth.js';
import { readOidcAuth } from './mlflow-oidc-auth.js';
import { reportJson, reportText } from './report.js';
import { openSourceDb } from './source-db.js';

export interface ImportRequest {
  readonly from: string;
  readonly apply: boolean;
  readonly configFile?: string;
  readonly serviceAccounts?: readonly string[];
}

export async function runImport(config: Config, store: Store, cx: ChangeContext, source: 'basic-auth' | 'mlflow-oidc-auth', req: ImportRequest) {
  const db = await openSourceDb(req.from);
  try {
    const plan = source === 'basic-auth'
      ? await readBasicAuth(db, { ...(req.configFile !== undefined ? { configFile: req.configFile } : {}), serviceAccounts: req.serviceAccounts ?? [] })
      : await readOidcAuth(db);
    const states = await accountStates(store, plan);
    const applied = req.apply ? await applyPlan(config, store, cx, plan) : undefined;
    return { plan, json: reportJson(plan, states, applied), text: reportText(plan, states, applied), applied };
  } finally {
    await db.close();
  }
}
