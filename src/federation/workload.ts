// Workload identity federation: a bearer JWT from an outside issuer (a Kubernetes cluster, GitHub
// Actions, GitLab CI…) acts as a service account when a trust rule of that issuer accepts it.
// Nothing is stored per workload: the issuer's signature, the rule's audience and its claim
// conditions decide.
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import { describeJoseError, looksLikeJwt } from '../oidc/bearer.js';
import type { Store, TrustRule, User } from '../store/index.js';
import { firstUnmet } from './claims.js';
import { createIssuerKeys } from './keys.js';

export interface WorkloadMatch {
  readonly user: User;
  readonly rule: TrustRule;
}

export interface WorkloadFederation {
  /**
   * True when the bearer is a JWT naming an issuer other than the gateway's IdP. The unverified
   * `iss` only picks where the token is checked; the signature decides whether it is accepted.
   */
  isForeign(token: string): boolean;
  /** Verifies the token against the rules of its issuer; every refusal is GW_INVALID_TOKEN. */
  authenticate(token: string): Promise<WorkloadMatch>;
}

const invalid = (message: string, detail?: string, cause?: unknown) =>
  new GatewayError('GW_INVALID_TOKEN', message, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, ...(detail ? { detail } : {}), ...(cause ? { cause } : {}) });

function peekIssuer(token: string): string | undefined {
  if (!looksLikeJwt(token)) return undefined;
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

const audiences = (aud: JWTPayload['aud']): string[] => (aud === undefined ? [] : Array.isArray(aud) ? aud : [aud]);

/** Why a verified token does not meet a rule, or undefined when it does. */
function mismatch(rule: TrustRule, aud: readonly string[], claims: Record<string, unknown>): string | undefined {
  if (!aud.includes(rule.audience)) return `audience is not ${rule.audience}`;
  const unmet = firstUnmet(claims, rule.conditions);
  return unmet && `${unmet.claim} does not ${unmet.matcher === 'exact' ? 'equal' : 'match'} ${JSON.stringify(unmet.value)}`;
}

export function createWorkloadFederation(config: Config, store: Store): WorkloadFederation {
  const keys = createIssuerKeys(config);

  /**
   * Verifies the signature once per key source of the issuer's rules (normally one). Returns the
   * claims and the rules whose keys verified the token: only those rules may accept it.
   */
  async function verify(token: string, issuer: string, rules: readonly TrustRule[]): Promise<{ claims: JWTPayload; rules: TrustRule[] }> {
    const bySource = new Map<string | null, TrustRule[]>();
    for (const r of rules) bySource.set(r.jwksUrl, [...(bySource.get(r.jwksUrl) ?? []), r]);
    let claims: JWTPayload | undefined;
    const verifiedRules: TrustRule[] = [];
    let firstError: unknown;
    for (const [jwksUrl, group] of bySource) {
      try {
        const { payload } = await jwtVerify(token, await keys.forRule(issuer, jwksUrl), {
          issuer,
          audience: [...new Set(group.map((r) => r.audience))],
          algorithms: [...config.algorithms],
          clockTolerance: config.clockSkew,
          requiredClaims: ['exp'],
        });
        claims ??= payload;
        verifiedRules.push(...group);
      } catch (err) {
        if (err instanceof GatewayError) throw err; // the issuer's keys are unreachable: 503, not "invalid"
        firstError ??= err;
      }
    }
    if (!claims) throw invalid(describeJoseError(firstError), `workload issuer ${issuer}`, firstError);
    return { claims, rules: verifiedRules };
  }

  return {
    isForeign(token) {
      const iss = peekIssuer(token);
      return iss !== undefined && !config.providers.some((p) => p.issuer === iss);
    },

    async authenticate(token) {
      const issuer = peekIssuer(token);
      if (issuer === undefined) throw invalid('The bearer token is not a JWT or a gateway token');
      const rules = await store.federation.rules({ issuer });
      if (rules.length === 0) {
        throw invalid(`The token was issued by an untrusted issuer (${issuer.slice(0, 200)}): it is neither this gateway's identity provider nor the issuer of a workload trust rule`);
      }
      const verified = await verify(token, issuer, rules);
      const claims = verified.claims as Record<string, unknown>;
      const aud = audiences(verified.claims.aud);
      const reasons: string[] = [];
      const matched = verified.rules.filter((r) => {
        const why = mismatch(r, aud, claims);
        if (why !== undefined) reasons.push(`${r.name}: ${why}`);
        return why === undefined;
      });
      // The reasons name the rules' conditions: they go to the log only. Anyone can get a validly
      // signed token from a public issuer such as GitHub's, so the answer must not teach its
      // holder what the rules expect.
      const subject = typeof claims.sub === 'string' ? claims.sub : '(no sub)';
      if (matched.length === 0) {
        throw invalid(`The token from ${issuer} is genuine but meets no trust rule (audience and claim conditions); ask an administrator`, `sub ${subject}; ${reasons.join('; ')}`);
      }
      const accounts = [...new Set(matched.map((r) => r.serviceAccountId))];
      if (accounts.length > 1) {
        throw invalid('The token matches trust rules of several service accounts; an administrator must make the rules exclusive', `sub ${subject}; rules ${matched.map((r) => r.name).join(', ')}`);
      }
      const rule = matched[0]!;
      const user = await store.users.get(rule.serviceAccountId);
      if (!user) throw invalid('The service account of the matching trust rule no longer exists');
      return { user, rule };
    },
  };
}
