/**
 * The resource hierarchy above the projects (organization -> folders -> projects), for the
 * org-wide APIs (Cloud Asset Inventory, billing accounts): which projects a scope holds, and
 * whether a caller holds a permission on a scope through the policies attached to it or to any
 * ancestor (IAM inheritance). The project-scoped routes keep their own project-policy check.
 */
import type { Policy } from '../core/iam.js';
import { explainAllow, memberOf } from './iam-eval.js';
import type { ScenarioFolder } from './scenario.js';
import type { ProjectState, SandboxState } from './state.js';

export type Scope =
  | { kind: 'organization'; id: string }
  | { kind: 'folder'; id: string }
  | { kind: 'project'; project: ProjectState };

/** `organizations/1`, `folders/2`, `projects/{id|number}` -> a scope of this world, or undefined. */
export function parseScope(state: SandboxState, name: string): Scope | undefined {
  const m = /^(organizations|folders|projects)\/([^/]+)$/.exec(name);
  if (!m) return undefined;
  const [, kind, id] = m as unknown as [string, string, string];
  if (kind === 'organizations') {
    return state.scenario.organization?.id === id ? { kind: 'organization', id } : undefined;
  }
  if (kind === 'folders') return folderOf(state, id) ? { kind: 'folder', id } : undefined;
  const project = state.project(id);
  return project?.lifecycleState === 'ACTIVE' ? { kind: 'project', project } : undefined;
}

export function folderOf(state: SandboxState, id: string): ScenarioFolder | undefined {
  return (state.scenario.folders ?? []).find((f) => f.id === id);
}

/** The folders (nearest first) and organization above a parent reference. */
export function ancestorsOf(
  state: SandboxState,
  parent: { type: string; id: string } | undefined,
): Array<{ kind: 'folder' | 'organization'; id: string }> {
  const out: Array<{ kind: 'folder' | 'organization'; id: string }> = [];
  let p = parent;
  for (let depth = 0; p && depth < 12; depth++) {
    if (p.type === 'organization') {
      out.push({ kind: 'organization', id: p.id });
      break;
    }
    out.push({ kind: 'folder', id: p.id });
    p = folderOf(state, p.id)?.parent;
  }
  return out;
}

function scopePolicy(state: SandboxState, kind: 'folder' | 'organization', id: string): Policy {
  if (kind === 'organization') return state.scenario.organization?.policy ?? {};
  return folderOf(state, id)?.policy ?? {};
}

/** Policies that apply to a scope: its own, then each ancestor's. */
export function effectivePolicies(state: SandboxState, scope: Scope): Policy[] {
  if (scope.kind === 'project') {
    const own = state.effectivePolicy(scope.project.policyHistory);
    return [own, ...ancestorsOf(state, scope.project.parent).map((a) => scopePolicy(state, a.kind, a.id))];
  }
  const parent =
    scope.kind === 'organization'
      ? undefined
      : (folderOf(state, scope.id)?.parent as { type: string; id: string });
  return [
    scopePolicy(state, scope.kind, scope.id),
    ...ancestorsOf(state, parent).map((a) => scopePolicy(state, a.kind, a.id)),
  ];
}

export function holdsOnScope(state: SandboxState, email: string, permission: string, scope: Scope): boolean {
  const member = memberOf(email);
  return effectivePolicies(state, scope).some(
    (policy) =>
      explainAllow(policy, member, permission, state.catalog, Date.now()).state ===
      'ALLOW_ACCESS_STATE_GRANTED',
  );
}

/** Is `project` inside `scope` (the project itself, or below the folder / organization)? */
export function inScope(state: SandboxState, scope: Scope, project: ProjectState): boolean {
  if (scope.kind === 'project') return scope.project === project;
  return ancestorsOf(state, project.parent).some((a) => a.kind === scope.kind && a.id === scope.id);
}

/** Projects of a scope, in a stable order (project number). */
export function projectsIn(state: SandboxState, scope: Scope): ProjectState[] {
  if (scope.kind === 'project') return [scope.project];
  return [...state.projects.values()]
    .filter((p) => p.lifecycleState === 'ACTIVE' && inScope(state, scope, p))
    .sort((a, b) => a.projectNumber.localeCompare(b.projectNumber));
}

/** Folders of a scope (the scope itself included when it is one). */
export function foldersIn(state: SandboxState, scope: Scope): ScenarioFolder[] {
  if (scope.kind === 'project') return [];
  return (state.scenario.folders ?? []).filter(
    (f) =>
      (scope.kind === 'folder' && f.id === scope.id) ||
      ancestorsOf(state, f.parent).some((a) => a.kind === scope.kind && a.id === scope.id),
  );
}

/** `folders/1`, ... and `organizations/2` above a project, as Cloud Asset Inventory lists them. */
export function ancestryNames(
  state: SandboxState,
  project: ProjectState,
): { folders: string[]; organization?: string } {
  const ancestors = ancestorsOf(state, project.parent);
  const org = ancestors.find((a) => a.kind === 'organization');
  return {
    folders: ancestors.filter((a) => a.kind === 'folder').map((a) => `folders/${a.id}`),
    ...(org ? { organization: `organizations/${org.id}` } : {}),
  };
}
