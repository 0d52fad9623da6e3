/**
 * Cloud Resource Manager v1 (and v3 projects.get): projects by id or number, getIamPolicy with
 * requestedPolicyVersion, setIamPolicy with etag check and updateMask, testIamPermissions.
 * Billing's `projects/{p}/billingInfo` lives here too: it is a read of the same project.
 */
import type { Policy } from '../../core/iam.js';
import { invalidArgument } from '../errors.js';
import { invalidPermission } from '../iam-eval.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { ProjectState } from '../state.js';
import { authorize, caller, projectOrDeny, requirePermission } from './guard.js';

const CRM = 'cloudresourcemanager.googleapis.com';
const rpc = (method: string) => ({
  service: CRM,
  method: `google.cloudresourcemanager.v1.Projects.${method}`,
});

export function projectV1(p: ProjectState) {
  const out: Record<string, unknown> = {
    projectNumber: p.projectNumber,
    projectId: p.projectId,
    lifecycleState: p.lifecycleState,
    name: p.name,
    createTime: p.createTime,
  };
  if (p.labels) out.labels = p.labels;
  if (p.parent) out.parent = p.parent;
  return out;
}

export function resourceManagerRoutes(): Route[] {
  const P = `(?<project>${SEG})`;
  return [
    { method: 'GET', path: new RegExp(`^/v1/projects/${P}$`), handler: getProject },
    { method: 'GET', path: /^\/v1\/projects$/, handler: listProjects },
    { method: 'GET', path: /^\/v3\/projects:search$/, handler: searchProjects },
    { method: 'GET', path: new RegExp(`^/v3/projects/${P}$`), handler: getProjectV3 },
    { method: 'POST', path: new RegExp(`^/v[13]/projects/${P}:getIamPolicy$`), handler: getIamPolicy },
    { method: 'POST', path: new RegExp(`^/v[13]/projects/${P}:setIamPolicy$`), handler: setIamPolicy },
    {
      method: 'POST',
      path: new RegExp(`^/v[13]/projects/${P}:testIamPermissions$`),
      handler: testIamPermissions,
    },
    { method: 'GET', path: new RegExp(`^/v1/projects/${P}/billingInfo$`), handler: billingInfo },
  ];
}

function getProject(ctx: RequestContext) {
  const { project } = authorize(ctx, rpc('GetProject'), 'resourcemanager.projects.get');
  return projectV1(project);
}

/**
 * The projects the caller may see (resourcemanager.projects.get), filtered by `key:value` terms
 * (AND; `id`, `name`, `projectNumber`/`number`, `lifecycleState`/`state`, `labels.K`; `*` as a
 * wildcard), as projects.list (v1 `filter`) and projects.search (v3 `query`) take them.
 */
function visibleProjects(ctx: RequestContext, expression: string): ProjectState[] {
  const who = caller(ctx, rpc('ListProjects'));
  const terms = expression
    .split(/\s+(?:AND\s+)?/i)
    .filter(Boolean)
    .map((t) => {
      const m = /^([\w.]+)\s*[:=]\s*"?([^"]*)"?$/.exec(t);
      if (!m) throw invalidArgument(`Request contains an invalid argument: unsupported filter term ${t}.`);
      return { key: (m[1] as string).toLowerCase(), value: m[2] as string };
    });
  const like = (actual: string | undefined, wanted: string) =>
    actual !== undefined &&
    new RegExp(`^${wanted.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(actual);
  const field = (p: ProjectState, key: string): string | undefined => {
    if (key === 'id' || key === 'projectid') return p.projectId;
    if (key === 'name' || key === 'displayname') return p.name;
    if (key === 'projectnumber' || key === 'number') return p.projectNumber;
    if (key === 'lifecyclestate' || key === 'state') return p.lifecycleState;
    if (key.startsWith('labels.')) return p.labels?.[key.slice('labels.'.length)];
    throw invalidArgument(`Request contains an invalid argument: unknown filter field ${key}.`);
  };
  return [...ctx.state.projects.values()]
    .filter((p) => ctx.state.checkPermission(who.email, 'resourcemanager.projects.get', p).granted)
    .filter((p) => terms.every((t) => like(field(p, t.key), t.value)))
    .sort((a, b) => a.projectId.localeCompare(b.projectId));
}

function listProjects(ctx: RequestContext) {
  const projects = visibleProjects(ctx, ctx.query.get('filter') ?? '').map(projectV1);
  return projects.length > 0 ? { projects } : {};
}

function searchProjects(ctx: RequestContext) {
  const projects = visibleProjects(ctx, ctx.query.get('query') ?? '').map(projectV3);
  return projects.length > 0 ? { projects } : {};
}

function getProjectV3(ctx: RequestContext) {
  const { project } = authorize(ctx, rpc('GetProject'), 'resourcemanager.projects.get');
  return projectV3(project);
}

function projectV3(p: ProjectState) {
  const out: Record<string, unknown> = {
    name: `projects/${p.projectNumber}`,
    projectId: p.projectId,
    state: p.lifecycleState,
    displayName: p.name,
    createTime: p.createTime,
    etag: `W/"${p.projectNumber}"`,
  };
  if (p.parent)
    out.parent = `${p.parent.type === 'organization' ? 'organizations' : 'folders'}/${p.parent.id}`;
  if (p.labels) out.labels = p.labels;
  return out;
}

function getIamPolicy(ctx: RequestContext) {
  const { project } = authorize(ctx, rpc('GetIamPolicy'), 'resourcemanager.projects.getIamPolicy');
  const options = (ctx.body.options ?? {}) as { requestedPolicyVersion?: number };
  const requested = Number(options.requestedPolicyVersion ?? 1);
  if (![0, 1, 3].includes(requested)) {
    throw invalidArgument(`Invalid requested policy version: ${requested}. Valid values are 0, 1 and 3.`);
  }
  return ctx.state.readPolicy(project.policyHistory, requested);
}

function setIamPolicy(ctx: RequestContext) {
  const { project } = authorize(ctx, rpc('SetIamPolicy'), 'resourcemanager.projects.setIamPolicy');
  const policy = ctx.body.policy as Policy | undefined;
  if (!policy || typeof policy !== 'object') throw invalidArgument('Request contains an invalid argument.');
  const mask = typeof ctx.body.updateMask === 'string' ? ctx.body.updateMask : undefined;
  return ctx.state.writePolicy(project.policyHistory, policy, mask);
}

function testIamPermissions(ctx: RequestContext) {
  const who = caller(ctx, rpc('TestIamPermissions'));
  const project = projectOrDeny(ctx, ctx.params.project as string, 'resourcemanager.projects.get', CRM);
  const asked = ctx.body.permissions;
  if (!Array.isArray(asked) || asked.some((p) => typeof p !== 'string')) {
    throw invalidArgument('Request contains an invalid argument.');
  }
  const bad = invalidPermission(asked, ctx.state.catalog);
  if (bad !== undefined) throw invalidArgument(`Permission ${bad} is not valid.`);
  const granted = (asked as string[]).filter(
    (perm) => ctx.state.checkPermission(who.email, perm, project).granted,
  );
  // proto3 JSON: an empty repeated field is omitted, so "nothing granted" is `{}`.
  return granted.length > 0 ? { permissions: granted } : {};
}

function billingInfo(ctx: RequestContext) {
  const r = {
    service: 'cloudbilling.googleapis.com',
    method: 'google.cloud.billing.v1.CloudBilling.GetProjectBillingInfo',
  };
  const who = caller(ctx, r);
  const id = ctx.params.project as string;
  const project = projectOrDeny(ctx, id, 'resourcemanager.projects.get', r.service);
  requirePermission(ctx, who, 'resourcemanager.projects.get', project, `projects/${id}`, r.service);
  // proto3 JSON omits false and empty values: a project without billing has neither field.
  const out: Record<string, unknown> = {
    name: `projects/${project.projectId}/billingInfo`,
    projectId: project.projectId,
  };
  if (project.billingAccountName) out.billingAccountName = project.billingAccountName;
  if (project.billingEnabled) out.billingEnabled = true;
  return out;
}
