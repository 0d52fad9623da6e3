/**
 * Service Usage v1: services.get / list, services.enable / disable as long-running operations
 * (done after the sandbox's operation delay; the service is ENABLED only then), operations.get.
 */
import { randomUUID } from 'node:crypto';
import { GoogleApiError, notFound, serviceTitle } from '../errors.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { Operation, ProjectState } from '../state.js';
import { authorize, caller } from './guard.js';

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
    const { project } = authorize(
      ctx,
      rpc(enable ? 'EnableService' : 'DisableService'),
      enable ? 'serviceusage.services.enable' : 'serviceusage.services.disable',
    );
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
        const onlyEnabled = ctx.query.get('filter')?.replace(/\s/g, '') === 'state:ENABLED';
        const services = [...project.services.keys()]
          .sort()
          .map((s) => serviceJson(project, s))
          .filter((s) => !onlyEnabled || s.state === 'ENABLED');
        return { services };
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
