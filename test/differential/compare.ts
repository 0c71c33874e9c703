import { isDeepStrictEqual } from 'node:util';
import type { DriverRecord } from './run.js';

// Compares what MLflow's client saw directly with what it saw through the gateway. The ONLY
// accepted differences are the intended ones below, each with its reason (docs/mlflow-compatibility.md,
// "Intended differences from MLflow"); anything else is a mismatch the suite reports.

export type Mode = 'admin' | 'user';

/** A difference in what a value means, not in whether the call works: both sides are rewritten the same way. */
interface Rewrite {
  readonly name: string;
  readonly reason: string;
  readonly modes: readonly Mode[];
  readonly apply: (node: unknown) => unknown;
}

/** Operations whose answer differs by design in a mode. */
interface OpRule {
  readonly name: string;
  readonly reason: string;
  readonly modes: readonly Mode[];
  readonly ops: RegExp;
}

const IDENTITY_TAG = 'mlflow.user';
const GATEWAY_TAG = 'gateway.subject';

function isIdentityTag(t: unknown): boolean {
  return isObj(t) && (t.key === IDENTITY_TAG || t.key === GATEWAY_TAG);
}

/** Who created a run, as neither side's business: user_id → <user>, the identity tags dropped. */
function authorship(node: unknown): unknown {
  if (Array.isArray(node)) return node.filter((t) => !isIdentityTag(t)).map(authorship);
  if (!isObj(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === GATEWAY_TAG || k === IDENTITY_TAG) continue;
    out[k] = k === 'user_id' || k === 'userId' ? '<user>' : authorship(v);
  }
  return out;
}

export const REWRITES: readonly Rewrite[] = [
  {
    name: 'run authorship',
    reason:
      'A run records who created it: the gateway sets user_id and the mlflow.user tag to the signed-in user and adds gateway.subject, whatever the client sent (MLflow takes the client\'s word). Direct, the client sends its OS user.',
    modes: ['admin', 'user'],
    apply: authorship,
  },
];

export const OP_RULES: readonly OpRule[] = [
  {
    name: 'artifact paths that name no experiment',
    reason:
      'The artifact proxy is authorized on the experiment named by the first path segment; a path that names none (the root listing) would list every experiment\'s artifacts: administrators only.',
    modes: ['user'],
    ops: /^artifacts\.proxy\.list_root$/,
  },
  {
    name: 'webhooks are administrators only',
    reason:
      'A webhook makes the MLflow server call an arbitrary URL (an SSRF surface) and fires on every model of the server: administrators only, as in MLflow\'s own auth.',
    modes: ['user'],
    ops: /^webhooks\./,
  },
  {
    name: 'guardrails and budget writes are administrators only',
    reason:
      "Guardrail CRUD and budget writes are administrators only, as in MLflow's own auth; the reads of a budget policy that only an administrator could create (gateway.budgets.admin.*) differ with them. Budget reads themselves are open to every signed-in user, filtered per policy by its target (src/pipeline/filtered/budgets.ts), and compared.",
    modes: ['user'],
    ops: /^gateway\.(budgets\.admin|guardrails)\./,
  },
  {
    name: 'secrets configuration redacted for non-administrators',
    reason:
      'using_default_passphrase says whether stored provider keys are encrypted with the default passphrase (security posture): removed for non-administrators, as MLflow\'s own auth does (redact_secrets_config_for_non_admins).',
    modes: ['user'],
    ops: /^gateway\.secrets_config$/,
  },
];

/**
 * Differences that are not intended and not this suite's to remove: reported separately (the test
 * prints them) so that the suite is green while they are decided elsewhere. Empty today: the last
 * three (writes naming a missing experiment, an artifact-proxy listing with `../`) now get MLflow's
 * own answer from the gateway (src/pipeline/resource-check.ts). Add an entry only with its owner;
 * remove it when it starts to match.
 */
export const PENDING: readonly { readonly ops: RegExp; readonly modes: readonly Mode[]; readonly owner: string }[] = [
];

export interface Mismatch {
  readonly op: string;
  readonly direct: unknown;
  readonly gateway: unknown;
  /** First differing JSON path. */
  readonly at: string;
}

export interface Comparison {
  readonly mode: Mode;
  readonly compared: number;
  readonly mismatches: readonly Mismatch[];
  /** Operations that differ only by an intended difference, by rule name. */
  readonly intended: Readonly<Record<string, readonly string[]>>;
  /** Mismatches another part of the work removes (PENDING), by owner. */
  readonly pending: Readonly<Record<string, readonly string[]>>;
}

export function compare(mode: Mode, direct: readonly DriverRecord[], gateway: readonly DriverRecord[]): Comparison {
  const byOp = new Map(gateway.map((r) => [r.op, r]));
  const mismatches: Mismatch[] = [];
  const intended: Record<string, string[]> = {};
  const pending: Record<string, string[]> = {};
  const note = (rule: string, op: string) => (intended[rule] ??= []).push(op);
  for (const d of direct) {
    const g = byOp.get(d.op);
    if (!g) {
      mismatches.push({ op: d.op, direct: d, gateway: undefined, at: '(missing through the gateway)' });
      continue;
    }
    const dv = { outcome: d.outcome, http: d.http };
    const gv = { outcome: g.outcome, http: g.http };
    if (isDeepStrictEqual(dv, gv)) continue;
    const opRule = OP_RULES.find((r) => r.modes.includes(mode) && r.ops.test(d.op));
    if (opRule) {
      note(opRule.name, d.op);
      continue;
    }
    let dr: unknown = dv;
    let gr: unknown = gv;
    let matched: string | undefined;
    for (const rw of REWRITES.filter((r) => r.modes.includes(mode))) {
      dr = rw.apply(dr);
      gr = rw.apply(gr);
      if (isDeepStrictEqual(dr, gr)) {
        matched = rw.name;
        break;
      }
    }
    if (matched) {
      note(matched, d.op);
      continue;
    }
    const owner = PENDING.find((p) => p.modes.includes(mode) && p.ops.test(d.op))?.owner;
    if (owner) (pending[owner] ??= []).push(d.op);
    else mismatches.push({ op: d.op, direct: dr, gateway: gr, at: firstDifference(dr, gr, '') });
  }
  for (const g of gateway) if (!direct.some((d) => d.op === g.op)) mismatches.push({ op: g.op, direct: undefined, gateway: g, at: '(missing directly)' });
  return { mode, compared: direct.length, mismatches, intended, pending };
}

function firstDifference(a: unknown, b: unknown, at: string): string {
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!isDeepStrictEqual(a[k], b[k])) return firstDifference(a[k], b[k], `${at}.${k}`);
    }
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (!isDeepStrictEqual(a[i], b[i])) return firstDifference(a[i], b[i], `${at}[${i}]`);
    }
  }
  return at || '.';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One line per mismatch, short enough to read in a test failure. */
export function describeMismatch(m: Mismatch): string {
  const pick = (v: unknown): string => {
    const s = JSON.stringify(v);
    return s === undefined ? 'undefined' : s.length > 600 ? `${s.slice(0, 600)}…` : s;
  };
  return `${m.op} at ${m.at}\n    direct:  ${pick(valueAt(m.direct, m.at))}\n    gateway: ${pick(valueAt(m.gateway, m.at))}`;
}

function valueAt(v: unknown, at: string): unknown {
  let node = v;
  for (const part of at.split(/\.|\[/).filter(Boolean)) {
    if (node === undefined || node === null) return node;
    const key = part.endsWith(']') ? Number(part.slice(0, -1)) : part;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
