/**
 * Pure IAM allow-policy editing: add one member to one role (optionally under a condition) while
 * keeping every other binding, condition, auditConfig, the version and the etag the policy was
 * read with; remove exactly what an earlier edit added; and a before/after diff for dry runs.
 * No I/O: the live fix applier does the read-modify-write around these functions.
 */
import type { Binding, Expr, Policy } from './iam.js';

/** One grant: a member on a role, optionally conditional. A binding is keyed by role + condition. */
export interface Grant {
  role: string;
  member: string;
  condition?: Expr;
}

export type AddOutcome = 'added-binding' | 'added-member' | 'already-present';
export type RemoveOutcome = 'removed-binding' | 'removed-member' | 'not-present';

export interface PolicyEdit<O> {
  policy: Policy;
  outcome: O;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Conditions are equal when expression, title and description all are (as IAM compares them). */
export function sameCondition(a?: Expr, b?: Expr): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.expression === b.expression &&
    (a.title ?? '') === (b.title ?? '') &&
    (a.description ?? '') === (b.description ?? '')
  );
}

function findBinding(bindings: Binding[], grant: Grant): Binding | undefined {
  return bindings.find((b) => b.role === grant.role && sameCondition(b.condition, grant.condition));
}

/**
 * The version a policy must be written with: 3 as soon as any binding has a condition (IAM
 * rejects or strips conditions otherwise), never lower than what it was read with.
 */
export function requiredVersion(policy: Policy): number {
  const conditional = (policy.bindings ?? []).some((b) => b.condition);
  return Math.max(policy.version ?? 1, conditional ? 3 : 1);
}

export function hasGrant(policy: Policy, grant: Grant): boolean {
  return findBinding(policy.bindings ?? [], grant)?.members.includes(grant.member) ?? false;
}

/** Adds the member to the role's binding (creating the binding if needed); all else untouched. */
export function addGrant(policy: Policy, grant: Grant): PolicyEdit<AddOutcome> {
  const next = clone(policy);
  next.bindings = next.bindings ?? [];
  const existing = findBinding(next.bindings, grant);
  let outcome: AddOutcome;
  if (!existing) {
    next.bindings.push({
      role: grant.role,
      members: [grant.member],
      ...(grant.condition ? { condition: clone(grant.condition) } : {}),
    });
    outcome = 'added-binding';
  } else if (existing.members.includes(grant.member)) {
    outcome = 'already-present';
  } else {
    existing.members.push(grant.member);
    outcome = 'added-member';
  }
  next.version = requiredVersion(next);
  return { policy: next, outcome };
}

/** Removes exactly this member from exactly this role + condition; never touches anything else. */
export function removeGrant(policy: Policy, grant: Grant): PolicyEdit<RemoveOutcome> {
  const next = clone(policy);
  const bindings = next.bindings ?? [];
  const existing = findBinding(bindings, grant);
  if (!existing?.members.includes(grant.member)) return { policy: next, outcome: 'not-present' };
  existing.members = existing.members.filter((m) => m !== grant.member);
  let outcome: RemoveOutcome = 'removed-member';
  if (existing.members.length === 0) {
    // IAM drops bindings without members itself; dropping it here keeps the diff honest.
    next.bindings = bindings.filter((b) => b !== existing);
    outcome = 'removed-binding';
  }
  next.version = requiredVersion(next);
  return { policy: next, outcome };
}

/** Every binding that names the member (its roles, conditional or not). */
export function bindingsOf(policy: Policy, member: string): Binding[] {
  return (policy.bindings ?? []).filter((b) => b.members.includes(member));
}

export interface PolicyDiffLine {
  op: '+' | '-';
  role: string;
  member: string;
  condition?: Expr;
}

export interface PolicyDiff {
  lines: PolicyDiffLine[];
  versionBefore?: number;
  versionAfter?: number;
  /** auditConfigs unchanged (they always should be). */
  auditConfigsKept: boolean;
}

function grantsOf(policy: Policy): Map<string, PolicyDiffLine> {
  const out = new Map<string, PolicyDiffLine>();
  for (const b of policy.bindings ?? []) {
    for (const m of b.members) {
      const key = JSON.stringify([b.role, m, b.condition?.expression ?? '', b.condition?.title ?? '']);
      out.set(key, { op: '+', role: b.role, member: m, ...(b.condition ? { condition: b.condition } : {}) });
    }
  }
  return out;
}

export function diffPolicies(before: Policy, after: Policy): PolicyDiff {
  const a = grantsOf(before);
  const b = grantsOf(after);
  const lines: PolicyDiffLine[] = [];
  for (const [k, v] of a) if (!b.has(k)) lines.push({ ...v, op: '-' });
  for (const [k, v] of b) if (!a.has(k)) lines.push({ ...v, op: '+' });
  lines.sort((x, y) => x.role.localeCompare(y.role) || x.member.localeCompare(y.member));
  return {
    lines,
    versionBefore: before.version,
    versionAfter: after.version,
    auditConfigsKept: JSON.stringify(before.auditConfigs ?? []) === JSON.stringify(after.auditConfigs ?? []),
  };
}

export interface DiffStyle {
  add: (s: string) => string;
  remove: (s: string) => string;
  dim: (s: string) => string;
}

const PLAIN: DiffStyle = { add: (s) => s, remove: (s) => s, dim: (s) => s };

/**
 * The policy as `role / member` lines with +/- marks for what changes and the unchanged grants
 * counted, like `gcloud projects get-iam-policy --flatten` output a reviewer already knows.
 */
export function renderPolicyDiff(before: Policy, after: Policy, style: DiffStyle = PLAIN): string {
  const diff = diffPolicies(before, after);
  const out: string[] = [];
  const unchanged = grantsOf(before).size - diff.lines.filter((l) => l.op === '-').length;
  for (const l of diff.lines) {
    const cond = l.condition ? ` (condition: ${l.condition.title ?? l.condition.expression})` : '';
    const text = `${l.op} ${l.role}  ${l.member}${cond}`;
    out.push(l.op === '+' ? style.add(text) : style.remove(text));
  }
  if (diff.lines.length === 0) out.push(style.dim('  (no change: the policy already holds this)'));
  out.push(
    style.dim(
      `  ${unchanged} other grant(s) unchanged; version ${diff.versionBefore ?? 1} -> ${diff.versionAfter ?? 1}; ` +
        `auditConfigs ${diff.auditConfigsKept ? 'kept' : 'CHANGED'}; etag ${after.etag ?? '(none)'}`,
    ),
  );
  return out.join('\n');
}
