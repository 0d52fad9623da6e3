/**
 * IAM evaluation for the sandbox: allow-policy bindings x role permissions, IAM Conditions on
 * `request.time`, and deny rules. Pure functions; every answer carries the per-binding record the
 * Policy Troubleshooter v3 prints, so "why was this denied" is data, not a log line.
 *
 * Conditions: `request.time` compared with `timestamp("...")`, joined by `&&` / `||`, is
 * evaluated. Any other expression is UNKNOWN and, like the real service when it lacks context,
 * the binding is treated as not granting (conservative).
 */
import type { Binding, Expr, IamRole, Policy } from '../core/iam.js';

export class RoleCatalog {
  private readonly roles = new Map<string, IamRole>();
  private readonly perms = new Map<string, Set<string>>();

  /**
   * @param complete the catalog holds every predefined role (a full roles file): only then may an
   *   unknown `roles/...` name be refused, as IAM refuses it.
   */
  constructor(
    roles: Iterable<IamRole>,
    readonly complete = false,
  ) {
    for (const r of roles) this.put(r);
  }

  put(role: IamRole): void {
    this.roles.set(role.name, role);
    this.perms.set(role.name, new Set(role.includedPermissions ?? []));
  }

  remove(name: string): void {
    this.roles.delete(name);
    this.perms.delete(name);
  }

  get(name: string): IamRole | undefined {
    return this.roles.get(name);
  }

  /** Permissions a role grants; undefined when the role is unknown (troubleshooter: UNKNOWN_INFO). */
  permissionsOf(name: string): Set<string> | undefined {
    const role = this.roles.get(name);
    if (!role || role.deleted) return role ? new Set() : undefined;
    return this.perms.get(name);
  }

  all(): IamRole[] {
    return [...this.roles.values()];
  }

  predefined(): IamRole[] {
    return [...this.roles.values()].filter((r) => r.name.startsWith('roles/'));
  }
}

export type ConditionResult = 'true' | 'false' | 'unknown';

const TIME_CMP = /^request\.time\s*(<=|>=|<|>)\s*timestamp\(\s*["']([^"']+)["']\s*\)$/;

export function evaluateCondition(expr: Expr | undefined, nowMs: number): ConditionResult {
  if (!expr) return 'true';
  const text = expr.expression.trim();
  if (text.includes('||')) {
    const parts = text.split('||').map((p) => evaluateCondition({ expression: p }, nowMs));
    if (parts.includes('true')) return 'true';
    return parts.includes('unknown') ? 'unknown' : 'false';
  }
  if (text.includes('&&')) {
    const parts = text.split('&&').map((p) => evaluateCondition({ expression: p }, nowMs));
    if (parts.includes('false')) return 'false';
    return parts.includes('unknown') ? 'unknown' : 'true';
  }
  const stripped = text.replace(/^\((.*)\)$/, '$1').trim();
  const m = TIME_CMP.exec(stripped);
  if (!m) return 'unknown';
  const at = Date.parse(m[2] as string);
  if (Number.isNaN(at)) return 'unknown';
  switch (m[1]) {
    case '<':
      return nowMs < at ? 'true' : 'false';
    case '<=':
      return nowMs <= at ? 'true' : 'false';
    case '>':
      return nowMs > at ? 'true' : 'false';
    default:
      return nowMs >= at ? 'true' : 'false';
  }
}

/** `serviceAccount:x@y` etc. Matches the principal's own member string, allUsers, allAuthenticatedUsers. */
export function memberMatches(member: string, principalMember: string): boolean {
  if (member === principalMember) return true;
  if (member === 'allUsers' || member === 'allAuthenticatedUsers') return true;
  // principal://iam.googleapis.com/projects/-/serviceAccounts/EMAIL is the v2 spelling of a SA.
  const email = principalMember.slice(principalMember.indexOf(':') + 1);
  return member === `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`;
}

export type AllowAccessState =
  | 'ALLOW_ACCESS_STATE_GRANTED'
  | 'ALLOW_ACCESS_STATE_NOT_GRANTED'
  | 'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL'
  | 'ALLOW_ACCESS_STATE_UNKNOWN_INFO';

export interface BindingExplanation {
  allowAccessState: AllowAccessState;
  role: string;
  rolePermission:
    | 'ROLE_PERMISSION_INCLUDED'
    | 'ROLE_PERMISSION_NOT_INCLUDED'
    | 'ROLE_PERMISSION_UNKNOWN_INFO';
  rolePermissionRelevance: Relevance;
  combinedMembership: { membership: Membership; relevance: Relevance };
  memberships: Record<string, { membership: Membership; relevance: Relevance }>;
  relevance: Relevance;
  condition?: Expr;
  conditionExplanation?: { value?: boolean; errors?: Array<{ code: number; message: string }> };
}

type Relevance = 'HEURISTIC_RELEVANCE_NORMAL' | 'HEURISTIC_RELEVANCE_HIGH';
type Membership = 'MEMBERSHIP_MATCHED' | 'MEMBERSHIP_NOT_MATCHED' | 'MEMBERSHIP_UNKNOWN_UNSUPPORTED';

export interface AllowExplanation {
  state: AllowAccessState;
  bindings: BindingExplanation[];
}

/** Does `policy` grant `permission` to `principalMember` at `nowMs`? With the per-binding record. */
export function explainAllow(
  policy: Policy,
  principalMember: string,
  permission: string,
  catalog: RoleCatalog,
  nowMs: number,
): AllowExplanation {
  const bindings = (policy.bindings ?? []).map((b) =>
    explainBinding(b, principalMember, permission, catalog, nowMs),
  );
  const states = bindings.map((b) => b.allowAccessState);
  const state: AllowAccessState = states.includes('ALLOW_ACCESS_STATE_GRANTED')
    ? 'ALLOW_ACCESS_STATE_GRANTED'
    : states.includes('ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL')
      ? 'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL'
      : 'ALLOW_ACCESS_STATE_NOT_GRANTED';
  return { state, bindings };
}

function explainBinding(
  b: Binding,
  principalMember: string,
  permission: string,
  catalog: RoleCatalog,
  nowMs: number,
): BindingExplanation {
  const perms = catalog.permissionsOf(b.role);
  const rolePermission =
    perms === undefined
      ? 'ROLE_PERMISSION_UNKNOWN_INFO'
      : perms.has(permission)
        ? 'ROLE_PERMISSION_INCLUDED'
        : 'ROLE_PERMISSION_NOT_INCLUDED';
  const memberships: BindingExplanation['memberships'] = {};
  let matched = false;
  for (const m of b.members) {
    const ok = memberMatches(m, principalMember);
    matched ||= ok;
    memberships[m] = {
      membership: m.startsWith('group:')
        ? 'MEMBERSHIP_UNKNOWN_UNSUPPORTED'
        : ok
          ? 'MEMBERSHIP_MATCHED'
          : 'MEMBERSHIP_NOT_MATCHED',
      relevance: ok ? 'HEURISTIC_RELEVANCE_HIGH' : 'HEURISTIC_RELEVANCE_NORMAL',
    };
  }
  const cond = evaluateCondition(b.condition, nowMs);
  const included = rolePermission === 'ROLE_PERMISSION_INCLUDED';
  let allowAccessState: AllowAccessState = 'ALLOW_ACCESS_STATE_NOT_GRANTED';
  if (included && matched) {
    allowAccessState =
      cond === 'true'
        ? 'ALLOW_ACCESS_STATE_GRANTED'
        : cond === 'unknown'
          ? 'ALLOW_ACCESS_STATE_UNKNOWN_CONDITIONAL'
          : 'ALLOW_ACCESS_STATE_NOT_GRANTED';
  }
  const out: BindingExplanation = {
    allowAccessState,
    role: b.role,
    rolePermission,
    rolePermissionRelevance: included ? 'HEURISTIC_RELEVANCE_HIGH' : 'HEURISTIC_RELEVANCE_NORMAL',
    combinedMembership: {
      membership: matched ? 'MEMBERSHIP_MATCHED' : 'MEMBERSHIP_NOT_MATCHED',
      relevance: matched ? 'HEURISTIC_RELEVANCE_HIGH' : 'HEURISTIC_RELEVANCE_NORMAL',
    },
    memberships,
    relevance: included || matched ? 'HEURISTIC_RELEVANCE_HIGH' : 'HEURISTIC_RELEVANCE_NORMAL',
  };
  if (b.condition) {
    out.condition = b.condition;
    out.conditionExplanation =
      cond === 'unknown'
        ? { errors: [{ code: 12, message: 'The sandbox evaluates only request.time conditions.' }] }
        : { value: cond === 'true' };
  }
  return out;
}

export interface DenyRuleLike {
  name?: string;
  deniedPrincipals: string[];
  deniedPermissions: string[];
  exceptionPrincipals?: string[];
}

/** `aiplatform.endpoints.predict` -> `aiplatform.googleapis.com/endpoints.predict` (deny-policy spelling). */
export function v2Permission(permission: string): string {
  const dot = permission.indexOf('.');
  return `${permission.slice(0, dot)}.googleapis.com/${permission.slice(dot + 1)}`;
}

function principalMatches(pattern: string, principalMember: string): boolean {
  if (pattern === 'principalSet://goog/public:all') return true;
  return memberMatches(pattern, principalMember);
}

/** The deny rules that deny `permission` to the principal (empty: not denied). */
export function matchingDenyRules(
  rules: DenyRuleLike[],
  principalMember: string,
  permission: string,
): DenyRuleLike[] {
  const wanted = new Set([permission, v2Permission(permission)]);
  return rules.filter(
    (r) =>
      r.deniedPermissions.some((p) => wanted.has(p)) &&
      r.deniedPrincipals.some((p) => principalMatches(p, principalMember)) &&
      !(r.exceptionPrincipals ?? []).some((p) => principalMatches(p, principalMember)),
  );
}

/** A principal email -> its IAM member string. */
export function memberOf(email: string): string {
  return email.endsWith('.gserviceaccount.com') ? `serviceAccount:${email}` : `user:${email}`;
}

/** `service.resource.verb`, the shape of every IAM permission. */
export function wellFormedPermission(permission: string): boolean {
  return /^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+){2,}$/.test(permission);
}

/** The first permission IAM would refuse in a role or a testIamPermissions request. */
export function invalidPermission(permissions: unknown[], catalog: RoleCatalog): string | undefined {
  for (const p of permissions) {
    if (typeof p !== 'string' || !wellFormedPermission(p)) return String(p);
    if (catalog.complete && !catalog.all().some((r) => r.includedPermissions?.includes(p))) return p;
  }
  return undefined;
}
