import type { TestProject } from 'vitest/node';
import { startMlflow, type MlflowServer } from '../../src/devtools/mlflow.js';

// Starts the one real MLflow server of the test run and hands its URL to every test file.
let mlflow: MlflowServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  // No background job runners in tests (they cost a core's worth of CPU and no test needs them).
  mlflow = await startMlflow({ workers: 2, env: { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } });
  project.provide('mlflowUrl', mlflow.url);
  project.provide('mlflowVenv', mlflow.venv);
  project.provide('mlflowDataDir', mlflow.dataDir);
}

export async function teardown(): Promise<void> {
  await mlflow?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    mlflowUrl: string;
    mlflowVenv: string;
    mlflowDataDir: string;
  }
}
