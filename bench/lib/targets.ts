// A target is one way of reaching MLflow that a scenario measures side by side with the others:
// MLflow directly, the gateway with one credential type, or a peer (MLflow basic-auth,
// mlflow-oidc-auth) with its own credential, or the bare proxy (the gateway's HTTP stack with no
// authentication or authorization: the ceiling scenario's baseline).

export type TargetKind = 'direct' | 'gateway' | 'peer' | 'bare-proxy';

export interface Target {
  readonly id: string;
  readonly label: string;
  readonly kind: TargetKind;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The target whose figures this one's added latency is measured against (same round). */
  readonly baseline?: string;
  /** The process whose CPU time the ceiling scenario charges to this target (gateway, bare proxy). */
  readonly cpuPid?: number;
}

/** A target the run could not measure, with the reason shown in the report. */
export interface MissingTarget {
  readonly id: string;
  readonly label: string;
  readonly kind: TargetKind;
  readonly reason: string;
}
