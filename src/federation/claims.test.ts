import { describe, expect, it } from 'vitest';
import { claimAtPath, conditionMet, firstUnmet } from './claims.js';
import { clientCredentialsClient } from './client-credentials.js';

const k8s = {
  iss: 'https://k8s.example', sub: 'system:serviceaccount:ml-train:trainer', aud: ['mlflow'],
  'kubernetes.io': { namespace: 'ml-train', serviceaccount: { name: 'trainer', uid: 'u1' }, pod: { name: 'p-1' } },
};

describe('workload claims', () => {
  it('reads claim paths whose names contain dots (Kubernetes) and plain nested paths', () => {
    expect(claimAtPath(k8s, 'kubernetes.io.namespace')).toBe('ml-train');
    expect(claimAtPath(k8s, 'kubernetes.io.serviceaccount.name')).toBe('trainer');
    expect(claimAtPath({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(claimAtPath(k8s, 'kubernetes.namespace')).toBeUndefined();
    expect(claimAtPath({ constructor: 'x' }, 'toString')).toBeUndefined(); // own properties only
  });

  it('matches exactly or by glob, on text only', () => {
    expect(conditionMet(k8s, { claim: 'sub', matcher: 'exact', value: 'system:serviceaccount:ml-train:trainer' })).toBe(true);
    expect(conditionMet(k8s, { claim: 'kubernetes.io.namespace', matcher: 'glob', value: 'ml-*' })).toBe(true);
    expect(conditionMet(k8s, { claim: 'kubernetes.io.namespace', matcher: 'exact', value: 'ml-*' })).toBe(false);
    expect(conditionMet(k8s, { claim: 'aud', matcher: 'glob', value: '*' })).toBe(false); // arrays never match
    expect(conditionMet({ ref_protected: true }, { claim: 'ref_protected', matcher: 'exact', value: 'true' })).toBe(true);
    expect(firstUnmet(k8s, [{ claim: 'sub', matcher: 'glob', value: 'system:*' }, { claim: 'kubernetes.io.pod.name', matcher: 'exact', value: 'p-2' }]))
      .toEqual({ claim: 'kubernetes.io.pod.name', matcher: 'exact', value: 'p-2' });
  });

  it('tells client-credentials tokens (sub is the client) from a person\'s tokens of the same client', () => {
    expect(clientCredentialsClient({ sub: 'etl', client_id: 'etl', azp: 'etl' })).toBe('etl');
    expect(clientCredentialsClient({ sub: 'etl', azp: 'etl' })).toBe('etl');
    expect(clientCredentialsClient({ sub: 'user-alice', client_id: 'etl', azp: 'etl' })).toBeUndefined();
    expect(clientCredentialsClient({ sub: 'etl' })).toBeUndefined();
    expect(clientCredentialsClient({ sub: 'etl@clients', azp: 'etl', gty: 'client-credentials' })).toBe('etl'); // Auth0
    expect(clientCredentialsClient({ sub: '5f1c', oid: '5f1c', azp: 'etl', idtyp: 'app' })).toBe('etl'); // Entra ID
    expect(clientCredentialsClient({ sub: '5f1c', azp: 'etl', idtyp: 'user' })).toBeUndefined();
    // Keycloak: sub is the service-account user's id; both marks and the preset are needed.
    const kc = { sub: 'e6cf8f3d', azp: 'mlflow-ci', client_id: 'mlflow-ci', preferred_username: 'service-account-mlflow-ci' };
    expect(clientCredentialsClient(kc, 'keycloak')).toBe('mlflow-ci');
    expect(clientCredentialsClient(kc)).toBeUndefined(); // not under another preset
    expect(clientCredentialsClient({ ...kc, client_id: undefined }, 'keycloak')).toBeUndefined(); // a person who picked the username
    expect(clientCredentialsClient({ ...kc, preferred_username: 'alice' }, 'keycloak')).toBeUndefined(); // a person's token with a client_id mapper
    expect(clientCredentialsClient({ ...kc, azp: 'mlflow-gateway' }, 'keycloak')).toBeUndefined();
  });
});
