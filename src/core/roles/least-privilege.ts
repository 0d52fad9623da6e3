/**
 * The least-privilege role for every permission of the full IAM catalog, as compact data, so that
 * plans work for any `service.resource.verb` permission offline, not only for the roles the
 * hand-written builtin catalog holds. The table is produced by this project's own role index
 * (`RoleIndex.decide` over the IAM API's `roles.list?view=FULL` catalog) with
 * `node scripts/role-index.mjs CATALOG.json.gz`; the catalog itself is not shipped.
 *
 * Shape: `roles` lists each chosen role once as [name, title, permission count in the full
 * catalog]; `permissions` maps a service to `resource.verb=roleIndex` pairs joined by `,`.
 */
import { createRequire } from 'node:module';
import type { IamRole } from '../iam.js';
import type { RoleIndex } from './index.js';

export interface LeastPrivilegeTable {
  /** The catalog the table was computed from: its size and the date it was generated. */
  catalogRoles: number;
  generated: string;
  roles: Array<[name: string, title: string, permissionCount: number]>;
  permissions: Record<string, string>;
}

/**
 * The table this package ships (./least-privilege.data.cts), loaded when first asked for: most
 * plans never need it, and loading it with the engine cost every start ~10 ms.
 */
export function shippedTable(): LeastPrivilegeTable {
  const json = createRequire(import.meta.url)('./least-privilege.data.cjs') as string;
  return JSON.parse(json) as LeastPrivilegeTable;
}

/** The table for every permission some safe predefined role grants (pure). */
export function leastPrivilegeTable(index: RoleIndex, generated: string): LeastPrivilegeTable {
  const all = new Set<string>();
  for (const role of index.roles()) for (const p of role.includedPermissions ?? []) all.add(p);
  const roles: LeastPrivilegeTable['roles'] = [];
  const roleAt = new Map<string, number>();
  const byService = new Map<string, string[]>();
  for (const permission of [...all].sort()) {
    const chosen = index.decide([permission]).chosen;
    if (!chosen) continue;
    let at = roleAt.get(chosen.role);
    if (at === undefined) {
      at = roles.length;
      roleAt.set(chosen.role, at);
      roles.push([chosen.role, chosen.title ?? '', chosen.permissionCount]);
    }
    const dot = permission.indexOf('.');
    const service = permission.slice(0, dot);
    const pairs = byService.get(service) ?? [];
    pairs.push(`${permission.slice(dot + 1)}=${at}`);
    byService.set(service, pairs);
  }
  return {
    catalogRoles: index.size,
    generated,
    roles,
    permissions: Object.fromEntries([...byService].map(([s, pairs]) => [s, pairs.join(',')])),
  };
}

/**
 * The table back as roles: each chosen role with the permissions it was chosen for, plus its true
 * size in the full catalog (the role index ranks by size).
 */
export function rolesFromTable(t: LeastPrivilegeTable): { roles: IamRole[]; sizes: Map<string, number> } {
  const perms: string[][] = t.roles.map(() => []);
  for (const [service, pairs] of Object.entries(t.permissions)) {
    for (const pair of pairs.split(',')) {
      const eq = pair.lastIndexOf('=');
      perms[Number(pair.slice(eq + 1))]?.push(`${service}.${pair.slice(0, eq)}`);
    }
  }
  const sizes = new Map<string, number>();
  const roles = t.roles.map(([name, title, count], i): IamRole => {
    sizes.set(name, count);
    return { name, ...(title ? { title } : {}), stage: 'GA', includedPermissions: perms[i] ?? [] };
  });
  return { roles, sizes };
}
