// Presets for the workload issuers people use most. A preset names the claims (so a rule says
// `namespace`, not `kubernetes.io.namespace`), knows the public issuer when there is one, and
// says which claims identify a workload: a rule must pin at least one of those sets, otherwise
// every repository on GitHub (anyone can get a token from GitHub's issuer) would be let in.

export interface Preset {
  readonly name: string;
  /** The issuer when it is the same for everyone (github.com, gitlab.com). */
  readonly issuer?: string;
  /** Friendly name → claim path in the token. */
  readonly claims: Readonly<Record<string, string>>;
  /** Sets of claim paths; a rule must pin every claim of at least one set. */
  readonly identifying: readonly (readonly string[])[];
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  kubernetes: {
    name: 'kubernetes',
    claims: {
      namespace: 'kubernetes.io.namespace',
      service_account: 'kubernetes.io.serviceaccount.name',
      serviceaccount: 'kubernetes.io.serviceaccount.name',
      pod: 'kubernetes.io.pod.name',
      sub: 'sub',
    },
    // `sub` is system:serviceaccount:<namespace>:<name>
    identifying: [['sub'], ['kubernetes.io.namespace', 'kubernetes.io.serviceaccount.name']],
  },
  'github-actions': {
    name: 'github-actions',
    issuer: 'https://token.actions.githubusercontent.com',
    claims: {
      repository: 'repository', repository_id: 'repository_id', repository_owner: 'repository_owner', repository_owner_id: 'repository_owner_id',
      ref: 'ref', ref_type: 'ref_type', environment: 'environment', workflow: 'workflow', workflow_ref: 'workflow_ref',
      job_workflow_ref: 'job_workflow_ref', event_name: 'event_name', actor: 'actor', sub: 'sub',
    },
    identifying: [['repository'], ['repository_id'], ['repository_owner'], ['repository_owner_id'], ['sub']],
  },
  gitlab: {
    name: 'gitlab',
    issuer: 'https://gitlab.com',
    claims: {
      project_path: 'project_path', project_id: 'project_id', namespace_path: 'namespace_path', namespace_id: 'namespace_id',
      ref: 'ref', ref_type: 'ref_type', ref_protected: 'ref_protected', environment: 'environment',
      pipeline_source: 'pipeline_source', user_login: 'user_login', sub: 'sub',
    },
    identifying: [['project_path'], ['project_id'], ['namespace_path'], ['namespace_id'], ['sub']],
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);
