// The authorization decision: a pure function of who asks, what for, on what, and the facts the
// caller gathered. No I/O, no clock, no randomness, so every decision can be replayed and
// explained exactly.
//
// Precedence (first row that applies sets the base level; token limits then narrow it). For a
// child resource (run, trace, logged model, model or prompt version) `resource.parent` is set,
// and `facts` hold the grants and rules of both.
//
// | step | applies when                                        | base level                         | source          |
// |------|-----------------------------------------------------|------------------------------------|-----------------|
// | 1    | subject.isAdmin                                     | MANAGE                             | admin           |
// | D1   | a DENY grant (user or group) or DENY pattern rule   | NO_PERMISSIONS                     | deny            |
// |      | of the subject on this resource                     |                                    |                 |
// | D2   | child only: a DENY of the subject on the parent,    | NO_PERMISSIONS                     | deny            |
// |      | and no grant on the child to the subject carries    |                                    |                 |
// |      | overrideParentDeny (set by an administrator)        |                                    |                 |
// | C    | child only: steps 2–4 on the child's own grants and | as steps 2–4                       | user-grant …    |
// |      | rules; the first that applies decides               |                                    |                 |
// | 2    | a user grant on this resource for subject.userId    | that grant's level (up or down:    | user-grant      |
// |      |                                                     | it overrides every group grant)    |                 |
// | 3    | group grants on this resource for subject's groups  | NO_PERMISSIONS if any group grant  | group-grant     |
// |      |                                                     | is NO_PERMISSIONS, else the highest|                 |
// | 4    | pattern rules for this type matching resource.name  | user rules beat group rules; then  | pattern         |
// |      | (or resource.id when there is no name)              | most specific, lower level, rule id|                 |
// | 5    | nothing above                                       | facts.defaultLevel                 | default         |
// |------|-----------------------------------------------------|------------------------------------|-----------------|
// | T1   | subject.scope set and neither the resource nor its  | NO_PERMISSIONS (even for admins)   | token-scope     |
// |      | parent in it                                        |                                    |                 |
// | T2   | subject.maxLevel set and below the level so far     | subject.maxLevel (even for admins) | token-read-only |
//
// Steps 2–5 for a child run on the parent (the parent decides when the child has nothing).
// allow = level ≥ requiredLevel(action).
//
// Grants and rules in `facts` that are for another resource, resource type or principal are
// ignored: the caller is expected to pre-filter, but a sloppy query must never widen access.

import { atLeast, levelRank, minLevel, requiredLevel } from './levels.js';
import { comparePatternRules, matchesPattern, patternSpecificity, validatePattern } from './patterns.js';
import type { Action, Decision, DecisionSource, Grant, Level, PatternRule, PolicyFacts, Resource, Subject } from './types.js';

/** A grant from the facts, and what the policy made of it. */
export interface ConsideredGrant {
  readonly grant: Grant;
  /** It is for this resource and for this subject (directly or through a group). */
  readonly matched: boolean;
  /** It is the grant that set the base level. */
  readonly decisive: boolean;
  /** Why it did not match, or which step it took part in. */
  readonly note: string;
}

/** A pattern rule from the facts, and what the policy made of it. */
export interface ConsideredRule {
  readonly rule: PatternRule;
  readonly matched: boolean;
  readonly decisive: boolean;
  readonly specificity: number;
  readonly note: string;
}

export interface Explanation {
  readonly decision: Decision;
  readonly considered: {
    readonly admin: boolean;
    readonly grants: readonly ConsideredGrant[];
    /** The string pattern rules were matched against (resource.name, else resource.id). */
    readonly patternSubject: string;
    readonly patterns: readonly ConsideredRule[];
    readonly defaultLevel: Level;
    /** Where the level stood before token limits, and what the token did to it. */
    readonly beforeToken: { readonly level: Level; readonly source: DecisionSource };
    readonly token: {
      readonly scope: 'unscoped' | 'in-scope' | 'out-of-scope';
      readonly maxLevel: Level | null;
      readonly lowered: boolean;
    };
  };
}

/** Decide whether `subject` may perform `action` on `resource`. */
export function decide(subject: Subject, action: Action, resource: Resource, facts: PolicyFacts): Decision {
  return evaluate(subject, action, resource, facts).decision;
}

/** Same decision as `decide`, plus every grant and rule that was looked at, for the explain API. */
export function explain(subject: Subject, action: Action, resource: Resource, facts: PolicyFacts): Explanation {
  const ev = evaluate(subject, action, resource, facts);
  const parent = resource.parent;
  const grants = facts.grants.map((grant): ConsideredGrant => {
    const own = grantMismatch(grant, subject, resource);
    const up = own !== null && parent !== undefined ? grantMismatch(grant, subject, parent) : own;
    const miss = own === null ? null : up === null ? null : own;
    const decisive = ev.decisive === grant;
    const where = own === null || parent === undefined ? '' : ' (on the parent)';
    const note = miss ?? (decisive ? `decided the base level${where}` : `${grantRole(grant, ev.base.source)}${where}`);
    return { grant, matched: miss === null, decisive, note };
  });
  const patterns = facts.patterns.map((rule): ConsideredRule => {
    const own = ruleMismatch(rule, subject, resource, ev.patternSubject);
    const up = own !== null && parent !== undefined ? ruleMismatch(rule, subject, parent, patternSubjectOf(parent)) : own;
    const miss = own === null ? null : up === null ? null : own;
    const decisive = ev.decisive === rule;
    const where = own === null || parent === undefined ? '' : ' (on the parent)';
    const role = ev.base.source === 'pattern' ? 'outranked by a better rule' : ev.base.source === 'deny' ? 'not needed: a DENY decided' : 'not needed: an earlier step decided';
    const note = miss ?? (decisive ? `decided the base level${where}` : `${role}${where}`);
    return { rule, matched: miss === null, decisive, specificity: patternSpecificity(rule), note };
  });
  return {
    decision: ev.decision,
    considered: {
      admin: subject.isAdmin,
      grants,
      patternSubject: ev.patternSubject,
      patterns,
      defaultLevel: facts.defaultLevel,
      beforeToken: { level: ev.base.level, source: ev.base.source },
      token: {
        scope: subject.scope === undefined ? 'unscoped' : inScope(subject, resource) ? 'in-scope' : 'out-of-scope',
        maxLevel: subject.maxLevel ?? null,
        lowered: ev.decision.source === 'token-read-only',
      },
    },
  };
}

// --- evaluation -----------------------------------------------------------------------------

interface Outcome {
  readonly level: Level;
  readonly source: DecisionSource;
  readonly reason: string;
}

interface Evaluation {
  readonly decision: Decision;
  /** The level before token limits were applied. */
  readonly base: Outcome;
  /** The grant or rule that set the base level, if one did (identity, for explain). */
  readonly decisive: Grant | PatternRule | undefined;
  readonly patternSubject: string;
}

function evaluate(subject: Subject, action: Action, resource: Resource, facts: PolicyFacts): Evaluation {
  const patternSubject = patternSubjectOf(resource);
  const { outcome: base, decisive } = baseLevel(subject, resource, facts);
  const limited = applyTokenLimits(subject, resource, base);
  const required = requiredLevel(action);
  const allow = atLeast(limited.level, required);
  const reason = allow ? limited.reason : `${limited.reason}; ${action} needs ${required}`;
  return {
    decision: { allow, level: limited.level, required, source: limited.source, reason },
    base,
    decisive,
    patternSubject,
  };
}

function baseLevel(
  subject: Subject,
  resource: Resource,
  facts: PolicyFacts,
): { outcome: Outcome; decisive: Grant | PatternRule | undefined } {
  if (subject.isAdmin) {
    return { outcome: { level: 'MANAGE', source: 'admin', reason: 'administrator' }, decisive: undefined };
  }
  const own = matching(subject, resource, facts);

  // Step D1. A DENY is a veto, whoever it is for (the user, one of their groups, a rule).
  const ownDeny = denyIn(own);
  if (ownDeny !== undefined) return { outcome: denied(ownDeny, subject, resource, 'on'), decisive: ownDeny };

  const parent = resource.parent;
  if (parent === undefined) return grantSteps(subject, resource, own, facts.defaultLevel);

  // Step D2. A DENY on the parent covers its children, unless an administrator said otherwise
  // on this child (a grant to the subject with overrideParentDeny).
  const up = matching(subject, parent, facts);
  const parentDeny = denyIn(up);
  if (parentDeny !== undefined && !own.grants.some((g) => g.overrideParentDeny === true)) {
    return { outcome: denied(parentDeny, subject, parent, `on ${describeResource(resource)}'s parent`), decisive: parentDeny };
  }
  // Step C. The child's own grants and rules decide when there are any; otherwise the parent.
  const child = grantSteps(subject, resource, own, undefined);
  if (child.outcome.source !== 'default') return child;
  return grantSteps(subject, parent, up, facts.defaultLevel);
}

interface Matching {
  readonly grants: readonly Grant[];
  readonly rules: readonly PatternRule[];
}

/** The grants and rules that speak about this subject and exactly this resource. */
function matching(subject: Subject, resource: Resource, facts: PolicyFacts): Matching {
  const name = patternSubjectOf(resource);
  return {
    grants: facts.grants.filter((g) => grantMismatch(g, subject, resource) === null),
    rules: facts.patterns.filter((r) => ruleMismatch(r, subject, resource, name) === null),
  };
}

/** The DENY that decides, if any: a user grant, else a group grant (by group name), else a rule (best first). */
function denyIn(m: Matching): Grant | PatternRule | undefined {
  const grants = m.grants.filter((g) => g.level === 'DENY');
  return (
    grants.find((g) => g.principalType === 'user') ??
    byPrincipal(grants)[0] ??
    [...m.rules.filter((r) => r.level === 'DENY')].sort(comparePatternRules)[0]
  );
}

function denied(by: Grant | PatternRule, subject: Subject, where: Resource, how: string): Outcome {
  const who = by.principalType === 'user' ? `user ${subject.username}` : `group ${by.principal}`;
  const what = 'id' in by ? `pattern rule ${by.id} (${by.matcher} ${JSON.stringify(by.pattern)})` : `${by.principalType} grant`;
  const on = how === 'on' ? `on ${describeResource(where)}` : `${how} ${describeResource(where)}`;
  return { level: 'NO_PERMISSIONS', source: 'deny', reason: `DENY: ${what} denies ${who} ${on}` };
}

/**
 * Steps 2–5 on one resource. `defaultLevel` undefined: no step 5 (a child without grants of its
 * own); the returned outcome then has source 'default' and means "nothing here decided".
 */
function grantSteps(
  subject: Subject,
  resource: Resource,
  m: Matching,
  defaultLevel: Level | undefined,
): { outcome: Outcome; decisive: Grant | PatternRule | undefined } {
  const on = describeResource(resource);
  // DENY rows were handled before; what is left carries a Level.
  const grants = m.grants.filter((g): g is Grant & { level: Level } => g.level !== 'DENY');

  // Step 2. There should be at most one user grant per resource; if the store ever returns
  // several, the lowest wins (the safe reading of contradictory data), by rank then position.
  const userGrant = lowest(grants.filter((g) => g.principalType === 'user'));
  if (userGrant !== undefined) {
    return {
      outcome: { level: userGrant.level, source: 'user-grant', reason: `user grant: ${subject.username} has ${userGrant.level} on ${on}` },
      decisive: userGrant,
    };
  }

  // Step 3. An explicit NO_PERMISSIONS in any group is a deny that other groups cannot lift,
  // so a "blocked" group works even for members of a broadly privileged group.
  const groupGrants = byPrincipal(grants.filter((g) => g.principalType === 'group'));
  const deny = groupGrants.find((g) => g.level === 'NO_PERMISSIONS');
  const chosen = deny ?? highest(groupGrants);
  if (chosen !== undefined) {
    const overrides = deny !== undefined && groupGrants.some((g) => g.level !== 'NO_PERMISSIONS') ? ', overriding grants to other groups' : '';
    return {
      outcome: { level: chosen.level, source: 'group-grant', reason: `group grant: ${chosen.principal} has ${chosen.level} on ${on}${overrides}` },
      decisive: chosen,
    };
  }

  // Step 4. User rules are a statement about this person and beat any group rule; within a
  // kind, the most specific pattern is the most deliberate statement about this resource.
  const rules = m.rules.filter((r): r is PatternRule & { level: Level } => r.level !== 'DENY');
  const userRules = rules.filter((r) => r.principalType === 'user');
  const candidates = userRules.length > 0 ? userRules : rules.filter((r) => r.principalType === 'group');
  const rule = [...candidates].sort(comparePatternRules)[0];
  if (rule !== undefined) {
    const who = rule.principalType === 'user' ? `user ${subject.username}` : `group ${rule.principal}`;
    return {
      outcome: {
        level: rule.level,
        source: 'pattern',
        reason: `pattern rule ${rule.id} (${rule.matcher} ${JSON.stringify(rule.pattern)}) gives ${who} ${rule.level} on ${on}`,
      },
      decisive: rule,
    };
  }

  const level = defaultLevel ?? 'NO_PERMISSIONS';
  return { outcome: { level, source: 'default', reason: `default permission ${level}` }, decisive: undefined };
}

/**
 * Personal-token limits apply after everything else, administrators included: a token is a
 * deliberately narrowed credential, and a leaked read-only or scoped admin token must stay so.
 */
function applyTokenLimits(subject: Subject, resource: Resource, base: Outcome): Outcome {
  if (subject.scope !== undefined && !inScope(subject, resource)) {
    return { level: 'NO_PERMISSIONS', source: 'token-scope', reason: 'token is limited to other resources' };
  }
  const cap = subject.maxLevel;
  if (cap === undefined) return base;
  const level = minLevel(base.level, cap);
  if (level === base.level) return base; // the cap did not bite: the base still decided
  const what = cap === 'READ' ? `token is read-only (READ)` : `token is limited to ${cap}`;
  return { level, source: 'token-read-only', reason: `${what} instead of ${base.level} (${base.reason})` };
}

// --- matching -------------------------------------------------------------------------------

/** The string pattern rules are matched against. */
function patternSubjectOf(resource: Resource): string {
  return resource.name ?? resource.id;
}

/** Why a grant does not apply to this subject and resource, or null if it does. */
function grantMismatch(g: Grant, subject: Subject, resource: Resource): string | null {
  if (g.resourceType !== resource.type) return `for another resource type (${g.resourceType})`;
  if (g.resourceId !== resource.id) return `for another resource (${g.resourceType} ${g.resourceId})`;
  return principalMismatch(g, subject);
}

/** Why a pattern rule does not apply, or null if it does. */
function ruleMismatch(r: PatternRule, subject: Subject, resource: Resource, name: string): string | null {
  if (r.resourceType !== resource.type) return `for another resource type (${r.resourceType})`;
  const who = principalMismatch(r, subject);
  if (who !== null) return who;
  const unusable = validatePattern(r.matcher, r.pattern);
  if (unusable !== null) return `unusable pattern, never matches: ${unusable}`;
  if (!matchesPattern(r, name)) return `${r.matcher} ${JSON.stringify(r.pattern)} does not match ${JSON.stringify(name)}`;
  return null;
}

function principalMismatch(p: Pick<Grant, 'principalType' | 'principal'>, subject: Subject): string | null {
  if (p.principalType === 'user') return p.principal === subject.userId ? null : 'for another user';
  if (p.principalType === 'group') return subject.groups.includes(p.principal) ? null : `for group ${p.principal}, which the subject is not in`;
  return 'unknown principal type';
}

/** A token scoped to an experiment (or model) reaches its children too; one scoped to a child reaches only that child. */
function inScope(subject: Subject, resource: Resource): boolean {
  const direct = (subject.scope ?? []).some((s) => s.type === resource.type && s.id === resource.id);
  return direct || (resource.parent !== undefined && inScope(subject, resource.parent));
}

/** Which step a matched-but-not-decisive grant belonged to, for explain notes. */
function grantRole(g: Grant, decidedBy: DecisionSource): string {
  if (decidedBy === 'admin') return 'not needed: administrator';
  if (decidedBy === 'deny') return g.level === 'DENY' ? 'another DENY decided' : 'overridden by a DENY';
  if (g.principalType === 'group' && decidedBy === 'user-grant') return 'overridden by the user grant';
  if (g.principalType === 'group' && decidedBy === 'group-grant') return 'outranked by another group grant';
  return 'not decisive';
}

// --- helpers --------------------------------------------------------------------------------

/** `experiment 12` or `registered_model "churn"`: the name when known, since that is what people recognise. */
function describeResource(resource: Resource): string {
  return resource.name !== undefined ? `${resource.type} ${JSON.stringify(resource.name)}` : `${resource.type} ${resource.id}`;
}

// Sorted by principal so the group named in a reason does not depend on row order.
function byPrincipal<G extends Grant>(grants: readonly G[]): G[] {
  return [...grants].sort((a, b) => (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0));
}

function lowest<G extends Grant & { level: Level }>(grants: readonly G[]): G | undefined {
  let best: G | undefined;
  for (const g of grants) if (best === undefined || levelRank(g.level) < levelRank(best.level)) best = g;
  return best;
}

function highest<G extends Grant & { level: Level }>(grants: readonly G[]): G | undefined {
  let best: G | undefined;
  for (const g of grants) if (best === undefined || levelRank(g.level) > levelRank(best.level)) best = g;
  return best;
}
