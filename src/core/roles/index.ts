/**
 * Role index: permission -> least-privilege role, over a catalog in the IAM API's
 * `roles.list?view=FULL` shape. Pure: the catalog comes in as data (see ./load.ts for the file
 * reader and ./builtin.ts for the offline catalog).
 *
 * The rule: the smallest GA predefined role holding ALL the wanted permissions that is neither
 * primitive (owner/editor/viewer) nor a service-agent role. Smallest = fewest permissions, a
 * proxy for blast radius that needs no judgement per role. Roles of the permissions' own service
 * come first (roles/serviceusage.* for serviceusage.services.use): a 4-permission DLP role that
 * happens to include serviceusage.services.use is small but grants an unrelated product, and a
 * reviewer would rightly refuse it. Among roles of similar size, the role's name decides (a
 * reader / user role over a migration admin; see `weightedSize`). Every decision keeps a record
 * of what was weighed and why each near miss was turned down.
 */
import type { IamRole, IamRoleList, RoleStage } from '../iam.js';
import type { RejectedCandidate, RoleCandidate, RoleDecision, RoleRejection } from '../model.js';
import { BUILTIN_ROLES } from './builtin.js';
import { type LeastPrivilegeTable, rolesFromTable, shippedTable } from './least-privilege.js';

export type { RejectedCandidate, RoleCandidate, RoleDecision, RoleRejection };

export const PRIMITIVE_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'] as const;

export function isPrimitive(role: string): boolean {
  return (PRIMITIVE_ROLES as readonly string[]).includes(role);
}

const SERVICE_AGENT_TEXT = /service ?agent/i;

/**
 * Service-agent roles are granted by Google to its own managed identities. Granting one to a
 * workload hands it a bundle of cross-service permissions nobody reviewed for that purpose.
 * Known by name (`roles/x.serviceAgent`, `roles/x.fooServiceAgent`) or, for the few named
 * otherwise, by a title / description that says so.
 */
export function isServiceAgentRole(role: string | IamRole): boolean {
  const r = typeof role === 'string' ? { name: role } : role;
  return (
    SERVICE_AGENT_TEXT.test(r.name) ||
    SERVICE_AGENT_TEXT.test(r.title ?? '') ||
    SERVICE_AGENT_TEXT.test(r.description ?? '')
  );
}

/** `aiplatform` for `aiplatform.endpoints.predict`. */
function serviceOfPermission(permission: string): string {
  return permission.split('.')[0] ?? permission;
}

/** `aiplatform` for `roles/aiplatform.user`; undefined for primitive and custom roles. */
function serviceOfRole(role: string): string | undefined {
  return /^roles\/([a-zA-Z0-9]+)\./.exec(role)?.[1];
}

/**
 * What a role's name says it is for. Size alone is a blunt proxy: the smallest role holding
 * artifactregistry.repositories.downloadArtifacts is containerRegistryMigrationAdmin (18
 * permissions, meant for a one-off migration), where a reviewer expects artifactregistry.reader
 * (33). So roles rank by size weighted by name: one that reads as a consumer (reader, viewer,
 * user, invoker, accessor) as if 25% smaller; one that reads as administration or a one-off tool
 * (admin, migration) as if twice as large, so a consumer role up to ~2.7x larger wins on its
 * name and a much larger one does not; a legacy role (roles/storage.legacyObjectReader: a mirror
 * of the old ACLs, which Google documents the other roles in place of) as if 8x as large.
 */
const CONSUMER_NAME = /(reader|viewer|user|invoker|accessor)$/i;
const ADMINISTRATION_NAME = /admin|migration/i;
const LEGACY_NAME = /^legacy[A-Z]/;

function weightedSize(c: RoleCandidate): number {
  const name = c.role.replace(/^roles\/[a-zA-Z0-9]+\./, '');
  const weight = LEGACY_NAME.test(name)
    ? 8
    : ADMINISTRATION_NAME.test(name)
      ? 2
      : CONSUMER_NAME.test(name)
        ? 0.75
        : 1;
  return c.permissionCount * weight;
}

/** Custom roles live under a project or organization. */
export function isCustomRole(role: string): boolean {
  return /^(projects|organizations)\/[^/]+\/roles\//.test(role);
}

export interface RoleChoice extends RoleCandidate {
  /** Everything the choice weighed. */
  why: RoleDecision;
}

/** A catalog stage; a missing field is ALPHA (proto3 omits the enum's zero value). */
function stageOf(role: IamRole): RoleStage {
  return role.stage ?? 'ALPHA';
}

function rejectionOf(role: IamRole): { reason: RoleRejection; detail: string } | undefined {
  if (role.deleted) return { reason: 'deleted', detail: 'the role is deleted' };
  if (isPrimitive(role.name))
    return { reason: 'primitive', detail: 'primitive roles grant thousands of permissions across services' };
  if (isServiceAgentRole(role))
    return {
      reason: 'service-agent',
      detail: 'service-agent roles are for Google-managed service agents, never for a workload',
    };
  if (isCustomRole(role.name))
    return {
      reason: 'custom-role',
      detail: 'custom roles are proposed separately, with exactly the missing permissions',
    };
  const stage = stageOf(role);
  if (stage !== 'GA')
    return { reason: 'not-ga', detail: `launch stage ${stage}: may change or be withdrawn` };
  return undefined;
}

export class RoleIndex {
  private readonly byName = new Map<string, IamRole>();
  private readonly byPermission = new Map<string, string[]>();
  private readonly permissionSets = new Map<string, Set<string>>();

  /**
   * `sizes`: a role's permission count in the full catalog, for roles given here with only some
   * of their permissions (the least-privilege table); ranking by size uses it.
   */
  constructor(
    roles: readonly IamRole[],
    private readonly sizes: ReadonlyMap<string, number> = new Map(),
  ) {
    for (const role of roles) {
      this.byName.set(role.name, role);
      const perms = new Set(role.includedPermissions ?? []);
      this.permissionSets.set(role.name, perms);
      for (const p of perms) {
        const list = this.byPermission.get(p);
        if (list) list.push(role.name);
        else this.byPermission.set(p, [role.name]);
      }
    }
  }

  get size(): number {
    return this.byName.size;
  }

  roles(): IamRole[] {
    return [...this.byName.values()];
  }

  roleFor(name: string): IamRole | undefined {
    return this.byName.get(name);
  }

  permissionsOf(role: string): string[] {
    return [...(this.permissionSets.get(role) ?? [])].sort();
  }

  /** Roles in the catalog that hold `permission`, unfiltered (primitive and agents included). */
  rolesGranting(permission: string): string[] {
    return [...(this.byPermission.get(permission) ?? [])].sort();
  }

  /** Whether `role` holds every permission in `permissions`. */
  covers(role: string, permissions: readonly string[]): boolean {
    const set = this.permissionSets.get(role);
    return !!set && permissions.every((p) => set.has(p));
  }

  /** The full least-privilege decision for `permissions`, with the record of why. */
  decide(permissions: readonly string[]): RoleDecision {
    const wanted = [...new Set(permissions)].sort();
    const ungranted = wanted.filter((p) => !this.byPermission.has(p));
    const base = { permissions: wanted, ungranted, catalogSize: this.size };
    if (wanted.length === 0 || ungranted.length > 0) {
      return { ...base, outcome: 'no-covering-role', accepted: [], rejected: [] };
    }
    // Start from the rarest permission: its granting roles are the only possible candidates.
    const rarest = wanted.reduce((a, b) =>
      (this.byPermission.get(a)?.length ?? 0) <= (this.byPermission.get(b)?.length ?? 0) ? a : b,
    );
    const services = [...new Set(wanted.map(serviceOfPermission))];
    const accepted: RoleCandidate[] = [];
    const rejected: RejectedCandidate[] = [];
    for (const name of this.byPermission.get(rarest) ?? []) {
      if (!this.covers(name, wanted)) continue;
      const role = this.byName.get(name)!;
      const candidate: RoleCandidate = {
        role: name,
        stage: stageOf(role),
        permissionCount: Math.max(this.sizes.get(name) ?? 0, this.permissionSets.get(name)?.size ?? 0),
        sameService: services.length === 1 && serviceOfRole(name) === services[0],
        ...(role.title ? { title: role.title } : {}),
      };
      const rejection = rejectionOf(role);
      if (rejection) rejected.push({ ...candidate, ...rejection });
      else accepted.push(candidate);
    }
    const bySize = (a: RoleCandidate, b: RoleCandidate) =>
      a.permissionCount - b.permissionCount || a.role.localeCompare(b.role);
    accepted.sort(
      (a, b) =>
        Number(b.sameService) - Number(a.sameService) || weightedSize(a) - weightedSize(b) || bySize(a, b),
    );
    rejected.sort(bySize);
    const chosen = accepted[0];
    if (!chosen) {
      return {
        ...base,
        outcome: rejected.length ? 'only-unsafe-roles' : 'no-covering-role',
        accepted,
        rejected,
      };
    }
    return { ...base, outcome: 'chosen', chosen, accepted, rejected };
  }

  /** The smallest safe predefined role covering ALL `permissions`, or undefined. */
  smallestCovering(permissions: readonly string[]): RoleChoice | undefined {
    const why = this.decide(permissions);
    return why.chosen ? { ...why.chosen, why } : undefined;
  }
}

/** A set of roles that together grant a set of permissions, each chosen by `decide`. */
export interface RoleCover {
  /** One decision per role proposed; each `chosen` is a role to grant. */
  decisions: RoleDecision[];
  /** Permissions no safe predefined role grants: only a custom role covers them. */
  uncovered: string[];
  /** 'single' when one role covers all, 'split' when several smaller roles add up to less. */
  shape: 'single' | 'split' | 'none';
}

/**
 * Covers `permissions` with as few granted permissions as possible: one role when the smallest
 * covering role is no bigger than the sum of per-group roles, otherwise a greedy split (the
 * smallest role per still-uncovered permission, taking the one that covers most first). Keeps
 * e.g. predict + serviceusage.services.use from landing on a 1,000-permission data-science role.
 */
export function coverPermissions(index: RoleIndex, permissions: readonly string[]): RoleCover {
  const wanted = [...new Set(permissions)].sort();
  if (wanted.length === 0) return { decisions: [], uncovered: [], shape: 'none' };
  const whole = index.decide(wanted);
  const split: RoleDecision[] = [];
  const uncovered: string[] = [];
  let left = wanted;
  while (left.length > 0) {
    const options = left
      .map((p) => index.decide([p]).chosen)
      .filter((c): c is RoleCandidate => !!c)
      .map((c) => ({ c, covers: left.filter((p) => index.covers(c.role, [p])) }))
      .sort((a, b) => b.covers.length - a.covers.length || a.c.permissionCount - b.c.permissionCount);
    const best = options[0];
    if (!best) {
      uncovered.push(...left);
      break;
    }
    split.push(index.decide(best.covers));
    left = left.filter((p) => !best.covers.includes(p));
  }
  const splitSize = split.reduce((n, d) => n + (d.chosen?.permissionCount ?? 0), 0);
  if (whole.chosen && (whole.chosen.permissionCount <= splitSize || uncovered.length > 0)) {
    return { decisions: [whole], uncovered: [], shape: 'single' };
  }
  if (split.length === 0) return { decisions: [whole], uncovered, shape: 'none' };
  return {
    decisions: split,
    uncovered,
    shape: split.length === 1 && uncovered.length === 0 ? 'single' : 'split',
  };
}

/** Parses a catalog in the `{"roles":[...]}` shape (one roles.list page or all pages merged). */
export function parseRoleCatalog(json: string): IamRole[] {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch (err) {
    throw new Error(`role catalog is not JSON: ${(err as Error).message}`);
  }
  const roles = Array.isArray(body) ? body : (body as Partial<IamRoleList> | null)?.roles;
  if (!Array.isArray(roles)) throw new Error('role catalog must be {"roles":[...]} as roles.list returns');
  const valid = roles.filter(
    (r): r is IamRole =>
      !!r &&
      typeof r === 'object' &&
      typeof (r as IamRole).name === 'string' &&
      ((r as IamRole).includedPermissions === undefined || Array.isArray((r as IamRole).includedPermissions)),
  );
  if (valid.length === 0) throw new Error('role catalog holds no roles');
  return valid;
}

let builtin: RoleIndex | undefined;
let shipped: RoleIndex | undefined;

/** The index over the hand-written catalog (./builtin.ts), built once. */
export function builtinRoleIndex(): RoleIndex {
  builtin ??= new RoleIndex(BUILTIN_ROLES);
  return builtin;
}

/**
 * Everything the project ships, built once and only when needed (it costs tens of milliseconds):
 * the hand-written catalog plus, for every other permission of the full IAM catalog, its
 * least-privilege role (./least-privilege.data.cts), so a plan for any `service.resource.verb`
 * names a real role.
 */
export function shippedRoleIndex(): RoleIndex {
  shipped ??= withLeastPrivilege(BUILTIN_ROLES, shippedTable());
  return shipped;
}

/** The hand-written index when it knows `permission` (the common case, fast), else the shipped one. */
export function roleIndexFor(permission: string | undefined): RoleIndex {
  const small = builtinRoleIndex();
  if (!permission || small.rolesGranting(permission).length > 0) return small;
  return shippedRoleIndex();
}

/** `base` roles, each extended by the table's permissions chosen for it, plus the table's other roles. */
export function withLeastPrivilege(base: readonly IamRole[], table: LeastPrivilegeTable): RoleIndex {
  const known = new Set(base.flatMap((r) => r.includedPermissions ?? []));
  const { roles, sizes } = rolesFromTable(table);
  const byName = new Map(
    base.map((r) => [r.name, { ...r, includedPermissions: [...(r.includedPermissions ?? [])] }]),
  );
  for (const role of roles) {
    // Permissions the hand-written catalog already places keep their place there.
    const extra = (role.includedPermissions ?? []).filter((p) => !known.has(p));
    if (extra.length === 0) continue;
    const mine = byName.get(role.name);
    if (mine) mine.includedPermissions.push(...extra);
    else byName.set(role.name, { ...role, includedPermissions: extra });
  }
  return new RoleIndex([...byName.values()], sizes);
}
