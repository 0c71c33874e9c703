import { describe, expect, it } from 'vitest';
import { routeClassOf } from './route-class.js';

describe('routeClassOf', () => {
  it.each([
    ['/api/2.0/mlflow/experiments/get', 'mlflow-api'],
    ['/ajax-api/2.0/mlflow/runs/search', 'mlflow-api'],
    ['/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/x.bin', 'mlflow-artifacts'],
    ['/get-artifact', 'mlflow-artifacts'],
    ['/graphql', 'mlflow-graphql'],
    ['/ajax-api/graphql', 'mlflow-graphql'],
    ['/', 'mlflow-ui'],
    ['/static-files/js/main.js', 'mlflow-ui'],
    ['/_gateway/login', 'gateway-auth'],
    ['/_gateway/callback', 'gateway-auth'],
    ['/_gateway/api/v1/tokens', 'gateway-api'],
    ['/_gateway/ui/', 'gateway-ui'],
    ['/_gateway/readyz', 'gateway-health'],
    ['/_gateway/metrics', 'gateway-metrics'],
    ['/whatever', 'other'],
  ])('%s → %s', (path, cls) => {
    expect(routeClassOf(path)).toBe(cls);
  });
});
