import { inject } from 'vitest';
import { startGatewayProcess as start, type GatewayProcess } from '../../bench/load/gateway-process.js';

export type { GatewayProcess } from '../../bench/load/gateway-process.js';

/** `mlflow-oidc-gateway serve` as a child process in front of the suite's real MLflow (bench/load/gateway-process.ts). */
export function startGatewayProcess(env: Record<string, string> = {}): Promise<GatewayProcess> {
  return start(inject('mlflowUrl'), env);
}
