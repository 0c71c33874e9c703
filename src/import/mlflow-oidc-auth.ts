import type { ImportPlan } from './plan.js';
import { emptyPlan } from './plan.js';
import type { SourceDb } from './source-db.js';

export async function readOidcAuth(_db: SourceDb): Promise<ImportPlan> {
  return emptyPlan('mlflow-oidc-auth');
}
