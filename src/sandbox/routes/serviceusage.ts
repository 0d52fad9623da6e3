/**
 * Service Usage v1: services.get / list, services.enable / disable as long-running operations
 * (done after the sandbox's operation delay; the service is ENABLED only then), operations.get.
 */
import { randomUUID } from 'node:crypto';
import { callerLacksPermission, GoogleApiError, notFound, SERVICE_TITLES, serviceTitle } from '../errors.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { Operation, ProjectState } from '../state.js';
import { authorize, caller, projectOrDeny } from './guard.js';

const SU = 'serviceusage.googleapis.com';
const rpc = (method: string) => ({
  service: SU,
  method: `google.api.serviceusage.v1.ServiceUsage.${method}`,
});

export function serviceJson(p: ProjectState, name: string) {
  return {
    name: `projects/${p.projectNumber}/services/${name}`,
    config: { name, title: serviceTitle(name) },
    state: p.services.get(name) === 'ENABLED' ? 'ENABLED' : 'DISABLED',
    parent: `projects/${p.projectNumber}`,
  };
}

/**
 * Service Usage's own refusal of an enable the caller may not make (not the usual IAM shape):
 * a Help Token line, a PreconditionFailure with error code 110002, ErrorInfo AUTH_PERMISSION_DENIED.
 */
function enableDenied(service: string): GoogleApiError {
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Permission denied to enable service [${service}]\nHelp Token: ${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [{ type: 'googleapis.com', subject: '110002' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'AUTH_PERMISSION_DENIED', domain: SU },
    ],
  );
}

function checkServiceName(name: string): void {
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com$/.test(name)) {
    throw new GoogleApiError(
      403,
      'PERMISSION_DENIED',
      `Not found or permission denied for service(s): ${name}.`,
    );
  }
}

export function operationJson(op: Operation, done: boolean) {
  const out: Record<string, unknown> = { name: op.name };
  if (op.metadata) out.metadata = op.metadata;
  if (done) {
    out.done = true;
    if (op.response) out.response = op.response;
  }
  return out;
}

export function serviceUsageRoutes(operationDelayMs: () => number): Route[] {
  const P = `(?<project>${SEG})`;
  const S = `(?<service>${SEG})`;
  const toggle = (enable: boolean) => (ctx: RequestContext) => {
    const service = ctx.params.service as string;
    const permission = enable ? 'serviceusage.services.enable' : 'serviceusage.services.disable';
    const who = caller(ctx, rpc(enable ? 'EnableService' : 'DisableService'));
    const project = projectOrDeny(ctx, ctx.params.project as string, permission, SU);
    if (!ctx.state.checkPermission(who.email, permission, project).granted) {
      throw enable
        ? enableDenied(service)
        : callerLacksPermission(permission, `projects/${ctx.params.project}`, SU);
    }
    checkServiceName(service);
    const target = enable ? 'ENABLED' : 'DISABLED';
    if ((project.services.get(service) ?? 'DISABLED') === target) {
      return {
        name: 'operations/noop.DONE_OPERATION',
        done: true,
        response: responseFor(enable, project, service),
      };
    }
    const op = ctx.state.startOperation(
      `operations/acat.p2-${project.projectNumber}-${randomUUID()}`,
      operationDelayMs(),
      {
        metadata: { '@type': 'type.googleapis.com/google.protobuf.Empty' },
        onDone: () => {
          project.services.set(service, target);
        },
      },
    );
    // The response names the service as it will be once the operation is done.
    op.response = responseFor(enable, project, service, target);
    return operationJson(op, ctx.state.settle(op));
  };
  return [
    {
      method: 'GET',
      path: new RegExp(`^/v1/projects/${P}/services/${S}$`),
      handler: (ctx) => {
        const { project } = authorize(ctx, rpc('GetService'), 'serviceusage.services.get');
        checkServiceName(ctx.params.service as string);
        return serviceJson(project, ctx.params.service as string);
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/projects/${P}/services$`),
      handler: (ctx) => {
        const { project } = authorize(ctx, rpc('ListServices'), 'serviceusage.services.list');
        const filter = (ctx.query.get('filter') ?? '').replace(/\s/g, '');
        const wanted = /^state:(ENABLED|DISABLED)$/.exec(filter)?.[1];
        if (filter !== '' && !wanted) {
          throw new GoogleApiError(
            400,
            'INVALID_ARGUMENT',
            `Invalid filter: ${filter}. Supported filters: state:ENABLED, state:DISABLED.`,
          );
        }
        // The services the sandbox knows: the scenario's and the well-known ones it serves (a real
        // DISABLED list holds every other public service too).
        const all = [...new Set([...project.services.keys(), ...Object.keys(SERVICE_TITLES)])]
          .sort()
          .map((s) => serviceJson(project, s))
          .filter((s) => !wanted || s.state === wanted);
        const size = Math.min(200, Math.max(1, Number(ctx.query.get('pageSize') ?? 50) || 50));
        const token = ctx.query.get('pageToken');
        const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
        if (!Number.isInteger(start) || start < 0)
          throw new GoogleApiError(400, 'INVALID_ARGUMENT', 'Invalid page token.');
        const out: Record<string, unknown> = {};
        const services = all.slice(start, start + size);
        if (services.length > 0) out.services = services;
        if (start + size < all.length)
          out.nextPageToken = Buffer.from(String(start + size)).toString('base64url');
        return out;
      },
    },
    { method: 'POST', path: new RegExp(`^/v1/projects/${P}/services/${S}:enable$`), handler: toggle(true) },
    { method: 'POST', path: new RegExp(`^/v1/projects/${P}/services/${S}:disable$`), handler: toggle(false) },
    {
      method: 'GET',
      path: /^\/v1\/(?<name>operations\/[^:]+)$/,
      handler: (ctx) => {
        caller(ctx, rpc('GetOperation'));
        const name = ctx.params.name as string;
        if (name === 'operations/noop.DONE_OPERATION') return { name, done: true };
        const op = ctx.state.operations.get(name);
        if (!op) throw notFound(`Operation ${name} not found.`);
        return operationJson(op, ctx.state.settle(op));
      },
    },
  ];
}

function responseFor(enable: boolean, p: ProjectState, service: string, state?: 'ENABLED' | 'DISABLED') {
  const s = serviceJson(p, service);
  if (state) s.state = state;
  return {
    '@type': `type.googleapis.com/google.api.serviceusage.v1.${enable ? 'Enable' : 'Disable'}ServiceResponse`,
    service: s,
  };
}
