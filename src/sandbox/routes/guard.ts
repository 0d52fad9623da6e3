/**
 * The checks every management API route makes before it acts: the caller is authenticated, the
 * project exists, and the caller holds the method's permission (as propagated now).
 */
import { type Principal, requireOAuth } from '../auth.js';
import { callerLacksPermission, type Rpc } from '../errors.js';
import type { RequestContext } from '../router.js';
import type { ProjectState, ServiceAccountState } from '../state.js';

export function caller(ctx: RequestContext, rpc: Rpc, acceptedScopes?: string[]): Principal {
  return requireOAuth(ctx.state, ctx.req, ctx.query, rpc, acceptedScopes);
}

/**
 * The project, or the 403 management APIs send both for a missing project and for one the caller
 * may not see (they do not reveal which).
 */
export function projectOrDeny(
  ctx: RequestContext,
  idOrNumber: string,
  permission: string,
  domain: string,
): ProjectState {
  const project = ctx.state.project(idOrNumber);
  if (project?.lifecycleState !== 'ACTIVE') {
    throw callerLacksPermission(permission, `projects/${idOrNumber}`, domain);
  }
  return project;
}

export function requirePermission(
  ctx: RequestContext,
  who: Principal,
  permission: string,
  project: ProjectState,
  resource: string,
  domain: string,
  serviceAccount?: ServiceAccountState,
): void {
  if (!ctx.state.checkPermission(who.email, permission, project, serviceAccount).granted) {
    throw callerLacksPermission(permission, resource, domain);
  }
}

/**
 * Authenticate, find the route's `{project}` (id or number), check the permission on it: the
 * common prologue of every project-scoped management route.
 */
export function authorize(
  ctx: RequestContext,
  rpc: Rpc,
  permission: string,
  acceptedScopes?: string[],
): { who: Principal; project: ProjectState } {
  const idOrNumber = ctx.params.project as string;
  const who = caller(ctx, rpc, acceptedScopes);
  const project = projectOrDeny(ctx, idOrNumber, permission, rpc.service);
  requirePermission(ctx, who, permission, project, `projects/${idOrNumber}`, rpc.service);
  return { who, project };
}
