/**
 * IAM v1 (roles, custom roles, service accounts and their allow policies) and IAM Credentials
 * `generateAccessToken` (impersonation). Role lists are paged as roles.list pages them:
 * `pageSize` (default 300, max 1000), an opaque `nextPageToken`, BASIC view without permissions.
 */
import { randomBytes } from 'node:crypto';
import type { IamRole, Policy } from '../../core/iam.js';
import { errorInfo, GoogleApiError, invalidArgument, notFound, type Rpc } from '../errors.js';
import { invalidPermission } from '../iam-eval.js';
import { signJwt } from '../jwt.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { ProjectState, ServiceAccountState } from '../state.js';
import { CLOUD_PLATFORM_SCOPE, IAM_SCOPE, uniqueIdFor } from '../state.js';
import { authorize, caller } from './guard.js';

const IAM = 'iam.googleapis.com';
const IAM_SCOPES = [CLOUD_PLATFORM_SCOPE, IAM_SCOPE];
const rpc = (method: string) => ({ service: IAM, method: `google.iam.admin.v1.IAM.${method}` });
const credentialsRpc = (method: string) => ({
  service: 'iamcredentials.googleapis.com',
  method: `google.iam.credentials.v1.IAMCredentials.${method}`,
});

/** A page of `items`; pageSize / pageToken from the query string, or from a POST body. */
function pageOf<T>(
  items: T[],
  ctx: RequestContext,
  body?: Record<string, unknown>,
): { page: T[]; next?: string } {
  const size = Math.min(1000, Math.max(1, Number(body?.pageSize ?? ctx.query.get('pageSize') ?? 300) || 300));
  const token = (body?.pageToken as string | undefined) || ctx.query.get('pageToken');
  let start = 0;
  if (token) {
    start = Number(
      Buffer.from(token, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(start) || start < 0) throw invalidArgument('Invalid page token.');
  }
  const page = items.slice(start, start + size);
  const next =
    start + size < items.length ? Buffer.from(`offset:${start + size}`).toString('base64url') : undefined;
  return next ? { page, next } : { page };
}

function roleView(role: IamRole, view: string | null): IamRole {
  const out: IamRole = { name: role.name };
  if (role.title !== undefined) out.title = role.title;
  if (role.description !== undefined) out.description = role.description;
  if (view === 'FULL') out.includedPermissions = role.includedPermissions ?? [];
  out.stage = role.stage ?? 'GA';
  out.etag = role.etag ?? 'AA==';
  if (role.deleted) out.deleted = true;
  return out;
}

export function saJson(sa: ServiceAccountState) {
  const out: Record<string, unknown> = {
    name: `projects/${sa.projectId}/serviceAccounts/${sa.email}`,
    projectId: sa.projectId,
    uniqueId: sa.uniqueId,
    email: sa.email,
    etag: 'MDEwMjE5MjA=',
    oauth2ClientId: sa.uniqueId,
  };
  if (sa.displayName) out.displayName = sa.displayName;
  if (sa.description) out.description = sa.description;
  if (sa.disabled) out.disabled = true;
  return out;
}

/** The service account `email` (or unique id), with Google's 404 for an unknown one. */
function findSa(ctx: RequestContext, email: string): { sa: ServiceAccountState; project: ProjectState } {
  const sa = ctx.state.serviceAccount(email);
  const project = sa ? ctx.state.project(sa.projectId) : undefined;
  if (!sa || !project) throw notFound(`Unknown service account`);
  return { sa, project };
}

/**
 * Authenticate, then the permission on the route's `{email}` service account: granted on its
 * project or on the account itself.
 */
function authorizeSa(ctx: RequestContext, r: Rpc, permission: string, revealMissing = true) {
  const who = caller(ctx, r, IAM_SCOPES);
  const email = ctx.params.email as string;
  const sa = ctx.state.serviceAccount(email);
  const project = sa ? ctx.state.project(sa.projectId) : undefined;
  if (!sa && revealMissing) {
    // A caller who may read the project's accounts learns that this one does not exist.
    const home = ctx.state.project(/@([a-z][a-z0-9-]*)\.iam\.gserviceaccount\.com$/.exec(email)?.[1] ?? '');
    if (home && ctx.state.checkPermission(who.email, permission, home).granted)
      throw notFound('Unknown service account');
  }
  if (!sa || !project || !ctx.state.checkPermission(who.email, permission, project, sa).granted) {
    // IAM does not say whether the account exists to a caller who may not see it.
    throw new GoogleApiError(
      403,
      'PERMISSION_DENIED',
      `Permission '${permission}' denied on resource (or it may not exist).`,
      [errorInfo('IAM_PERMISSION_DENIED', IAM, { permission })],
    );
  }
  return { sa, project, who };
}

export function iamRoutes(signing: { keyPem: string; keyId: string }): Route[] {
  const P = `(?<project>${SEG})`;
  const R = `(?<role>${SEG})`;
  const E = '(?<email>[^/:]+)';
  return [
    {
      method: 'GET',
      path: /^\/v1\/roles$/,
      handler: (ctx) => {
        caller(ctx, rpc('ListRoles'), IAM_SCOPES);
        const view = ctx.query.get('view');
        const roles = ctx.state.catalog.predefined().sort((a, b) => a.name.localeCompare(b.name));
        const { page, next } = pageOf(roles, ctx);
        const out: Record<string, unknown> = { roles: page.map((r) => roleView(r, view)) };
        if (next) out.nextPageToken = next;
        return out;
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/roles/${R}$`),
      handler: (ctx) => {
        caller(ctx, rpc('GetRole'), IAM_SCOPES);
        const name = `roles/${ctx.params.role}`;
        const role = ctx.state.catalog.get(name);
        if (!role) throw notFound(`The role named ${name} was not found.`);
        return roleView(role, 'FULL');
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/projects/${P}/roles$`),
      handler: (ctx) => {
        const { project } = authorize(ctx, rpc('ListRoles'), 'iam.roles.list', IAM_SCOPES);
        const showDeleted = ctx.query.get('showDeleted') === 'true';
        const roles = customRoles(ctx, project).filter((r) => showDeleted || !r.deleted);
        const { page, next } = pageOf(roles, ctx);
        const out: Record<string, unknown> = { roles: page.map((r) => roleView(r, ctx.query.get('view'))) };
        if (next) out.nextPageToken = next;
        return out;
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/roles$`),
      handler: (ctx) => {
        const { project } = authorize(ctx, rpc('CreateRole'), 'iam.roles.create', IAM_SCOPES);
        const roleId = String(ctx.body.roleId ?? '');
        if (!/^[a-zA-Z0-9_.]{3,64}$/.test(roleId)) {
          throw invalidArgument(`The role ID "${roleId}" is invalid. It must match [a-zA-Z0-9_\\.]{3,64}.`);
        }
        const name = `projects/${project.projectId}/roles/${roleId}`;
        if (ctx.state.catalog.get(name)) {
          throw new GoogleApiError(
            409,
            'ALREADY_EXISTS',
            `A role named ${roleId} in projects/${project.projectId} already exists.`,
          );
        }
        const body = (ctx.body.role ?? {}) as IamRole;
        const bad = invalidPermission(body.includedPermissions ?? [], ctx.state.catalog);
        if (bad !== undefined) throw invalidArgument(`Permission ${bad} is not valid.`);
        const role: IamRole = {
          name,
          title: body.title ?? roleId,
          description: body.description ?? '',
          includedPermissions: [...new Set(body.includedPermissions ?? [])].sort(),
          stage: body.stage ?? 'GA',
          etag: newRoleEtag(),
        };
        ctx.state.catalog.put(role);
        return roleView(role, 'FULL');
      },
    },
    {
      method: ['GET', 'PATCH', 'DELETE'],
      path: new RegExp(`^/v1/projects/${P}/roles/${R}$`),
      handler: (ctx) => {
        const method = ctx.req.method;
        const permission =
          method === 'GET' ? 'iam.roles.get' : method === 'PATCH' ? 'iam.roles.update' : 'iam.roles.delete';
        const { project } = authorize(
          ctx,
          rpc(`${method === 'GET' ? 'Get' : method === 'PATCH' ? 'Update' : 'Delete'}Role`),
          permission,
          IAM_SCOPES,
        );
        const name = `projects/${project.projectId}/roles/${ctx.params.role}`;
        const role = ctx.state.catalog.get(name);
        if (!role) throw notFound(`The role named ${name} was not found.`);
        if (method === 'GET') return roleView(role, 'FULL');
        if (method === 'DELETE') {
          const deleted = { ...role, deleted: true, etag: newRoleEtag() };
          ctx.state.catalog.put(deleted);
          return roleView(deleted, 'FULL');
        }
        const patch = ctx.body as unknown as IamRole;
        if (patch.etag && patch.etag !== role.etag) {
          throw new GoogleApiError(
            409,
            'ABORTED',
            'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
          );
        }
        const mask = (ctx.query.get('updateMask') ?? 'title,description,includedPermissions,stage').split(
          ',',
        );
        const next: IamRole = { ...role, etag: newRoleEtag() };
        if (mask.includes('title') && patch.title !== undefined) next.title = patch.title;
        if (mask.includes('description') && patch.description !== undefined)
          next.description = patch.description;
        if (mask.includes('includedPermissions'))
          next.includedPermissions = [...new Set(patch.includedPermissions ?? [])].sort();
        if (mask.includes('stage') && patch.stage !== undefined) next.stage = patch.stage;
        ctx.state.catalog.put(next);
        return roleView(next, 'FULL');
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts$`),
      handler: (ctx) => {
        const { project } = authorize(
          ctx,
          rpc('ListServiceAccounts'),
          'iam.serviceAccounts.list',
          IAM_SCOPES,
        );
        return { accounts: [...project.serviceAccounts.values()].map(saJson) };
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts$`),
      handler: (ctx) => {
        const { project } = authorize(
          ctx,
          rpc('CreateServiceAccount'),
          'iam.serviceAccounts.create',
          IAM_SCOPES,
        );
        const accountId = String(ctx.body.accountId ?? '');
        if (!/^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/.test(accountId)) {
          throw invalidArgument(
            `Invalid account ID: ${accountId}. It must be 6-30 characters: [a-z]([-a-z0-9]*[a-z0-9]).`,
          );
        }
        const email = `${accountId}@${project.projectId}.iam.gserviceaccount.com`;
        if (project.serviceAccounts.has(email)) {
          throw new GoogleApiError(
            409,
            'ALREADY_EXISTS',
            `Service account ${accountId} already exists within project projects/${project.projectId}.`,
          );
        }
        const body = (ctx.body.serviceAccount ?? {}) as { displayName?: string; description?: string };
        const sa: ServiceAccountState = {
          email,
          projectId: project.projectId,
          projectNumber: project.projectNumber,
          uniqueId: uniqueIdFor(email),
          displayName: body.displayName,
          description: body.description,
          disabled: false,
          policyHistory: [{ at: Number.NEGATIVE_INFINITY, policy: { version: 1, etag: 'ACAB' } }],
        };
        project.serviceAccounts.set(email, sa);
        return saJson(sa);
      },
    },
    {
      method: ['GET', 'DELETE'],
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts/${E}$`),
      handler: (ctx) => {
        const remove = ctx.req.method === 'DELETE';
        const { sa, project } = remove
          ? authorizeSa(ctx, rpc('DeleteServiceAccount'), 'iam.serviceAccounts.delete')
          : authorizeSa(ctx, rpc('GetServiceAccount'), 'iam.serviceAccounts.get');
        if (!remove) return saJson(sa);
        project.serviceAccounts.delete(sa.email);
        return {};
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts/${E}:getIamPolicy$`),
      handler: (ctx) => {
        const { sa } = authorizeSa(ctx, rpc('GetIamPolicy'), 'iam.serviceAccounts.getIamPolicy');
        const requested = Number(
          ctx.query.get('options.requestedPolicyVersion') ??
            (ctx.body.options as { requestedPolicyVersion?: number } | undefined)?.requestedPolicyVersion ??
            1,
        );
        return ctx.state.readPolicy(sa.policyHistory, requested);
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts/${E}:setIamPolicy$`),
      handler: (ctx) => {
        const { sa } = authorizeSa(ctx, rpc('SetIamPolicy'), 'iam.serviceAccounts.setIamPolicy');
        const policy = ctx.body.policy as Policy | undefined;
        if (!policy || typeof policy !== 'object')
          throw invalidArgument('Request contains an invalid argument.');
        const mask = typeof ctx.body.updateMask === 'string' ? ctx.body.updateMask : undefined;
        return ctx.state.writePolicy(sa.policyHistory, policy, mask);
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts/${E}:testIamPermissions$`),
      handler: (ctx) => {
        const who = caller(ctx, rpc('TestIamPermissions'), IAM_SCOPES);
        const { sa, project } = findSa(ctx, ctx.params.email as string);
        const asked = Array.isArray(ctx.body.permissions) ? (ctx.body.permissions as string[]) : [];
        const bad = invalidPermission(asked, ctx.state.catalog);
        if (bad !== undefined) throw invalidArgument(`Permission ${bad} is not valid.`);
        const granted = asked.filter((p) => ctx.state.checkPermission(who.email, p, project, sa).granted);
        return granted.length > 0 ? { permissions: granted } : {};
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/roles:queryGrantableRoles$/,
      handler: (ctx) => {
        caller(ctx, rpc('QueryGrantableRoles'), IAM_SCOPES);
        const resource = String(ctx.body.fullResourceName ?? '');
        const m = /^\/\/cloudresourcemanager\.googleapis\.com\/projects\/([^/]+)$/.exec(resource);
        const project = m ? ctx.state.project(m[1] as string) : undefined;
        if (!resource) throw invalidArgument('fullResourceName is required.');
        if (!project) throw invalidArgument(`Requested resource ${resource} is not supported.`);
        // Grantable on a project: every predefined role plus the project's own custom roles.
        const roles = [
          ...ctx.state.catalog.predefined().sort((a, b) => a.name.localeCompare(b.name)),
          ...customRoles(ctx, project).filter((r) => !r.deleted),
        ];
        const view = typeof ctx.body.view === 'string' ? ctx.body.view : null;
        const { page, next } = pageOf(roles, ctx, ctx.body);
        const out: Record<string, unknown> = { roles: page.map((r) => roleView(r, view)) };
        if (next) out.nextPageToken = next;
        return out;
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/roles/${R}:undelete$`),
      handler: (ctx) => {
        const { project } = authorize(ctx, rpc('UndeleteRole'), 'iam.roles.undelete', IAM_SCOPES);
        const name = `projects/${project.projectId}/roles/${ctx.params.role}`;
        const role = ctx.state.catalog.get(name);
        if (!role) throw notFound(`The role named ${name} was not found.`);
        if (!role.deleted)
          throw new GoogleApiError(400, 'FAILED_PRECONDITION', `Role ${name} is not deleted.`);
        if (typeof ctx.body.etag === 'string' && ctx.body.etag !== role.etag) {
          throw new GoogleApiError(
            409,
            'ABORTED',
            'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
          );
        }
        const { deleted: _deleted, ...rest } = role;
        const restored: IamRole = { ...rest, etag: newRoleEtag() };
        ctx.state.catalog.put(restored);
        return roleView(restored, 'FULL');
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts/${E}:generateIdToken$`),
      handler: (ctx) => {
        const { sa } = authorizeSa(
          ctx,
          credentialsRpc('GenerateIdToken'),
          'iam.serviceAccounts.getOpenIdToken',
          false,
        );
        const audience = typeof ctx.body.audience === 'string' ? ctx.body.audience : '';
        if (!audience) throw invalidArgument('Audience is required.');
        if (sa.disabled) {
          throw new GoogleApiError(400, 'FAILED_PRECONDITION', `Service account ${sa.email} is disabled.`);
        }
        const now = Math.floor(Date.now() / 1000);
        const payload: Record<string, unknown> = {
          aud: audience,
          azp: sa.uniqueId,
          exp: now + 3600,
          iat: now,
          iss: 'https://accounts.google.com',
          sub: sa.uniqueId,
        };
        if (ctx.body.includeEmail === true) {
          payload.email = sa.email;
          payload.email_verified = true;
        }
        return { token: signJwt(payload, signing.keyPem, signing.keyId) };
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/projects/${P}/serviceAccounts/${E}:generateAccessToken$`),
      handler: (ctx) => {
        const r = credentialsRpc('GenerateAccessToken');
        // iamcredentials answers 403 for a missing account whoever asks.
        const { sa } = authorizeSa(ctx, r, 'iam.serviceAccounts.getAccessToken', false);
        const email = ctx.params.email as string;
        if (sa.disabled) {
          throw new GoogleApiError(400, 'FAILED_PRECONDITION', `Service account ${email} is disabled.`);
        }
        const scope = Array.isArray(ctx.body.scope) ? (ctx.body.scope as string[]) : [];
        if (scope.length === 0) throw invalidArgument('Scope is required.');
        const lifetime = Number(String(ctx.body.lifetime ?? '3600s').replace(/s$/, '')) || 3600;
        const issued = ctx.state.issueToken(sa.email, scope, 'impersonation', Math.min(lifetime, 3600));
        return {
          accessToken: issued.token,
          expireTime: new Date(Date.now() + issued.expiresIn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        };
      },
    },
  ];
}

function customRoles(ctx: RequestContext, project: ProjectState): IamRole[] {
  const prefix = `projects/${project.projectId}/roles/`;
  return [...ctx.state.catalog.all()]
    .filter((r) => r.name.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function newRoleEtag(): string {
  return randomBytes(8).toString('base64');
}
