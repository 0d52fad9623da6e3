/**
 * Cloud Run Admin API v2: services.get / list / patch and operations.get. A service's
 * `template.serviceAccount` is absent when the revision runs as the default compute account;
 * PATCH returns a long-running Operation and the new revision (account, env) is live when it is
 * done. Changing the account needs `iam.serviceAccounts.actAs` on the new one.
 */
import { randomUUID } from 'node:crypto';
import { GoogleApiError, invalidArgument, notFound } from '../errors.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { CloudRunServiceState, ProjectState } from '../state.js';
import { authorize, caller, projectOrDeny, requirePermission } from './guard.js';
import { operationJson } from './serviceusage.js';

const RUN = 'run.googleapis.com';
const rpc = (method: string) => ({ service: RUN, method: `google.cloud.run.v2.Services.${method}` });

function urlHash(s: CloudRunServiceState): string {
  return BigInt(`0x${s.uid.slice(0, 12)}`)
    .toString(36)
    .slice(0, 10);
}

export function serviceJson(projectRef: string, s: CloudRunServiceState) {
  const base = `projects/${projectRef}/locations/${s.region}`;
  const revision = `${s.name}-${String(s.generation).padStart(5, '0')}-${s.uid.slice(0, 3)}`;
  const uri = `https://${s.name}-${urlHash(s)}-${regionCode(s.region)}.a.run.app`;
  const template: Record<string, unknown> = {
    containers: [
      {
        image: s.image,
        env: Object.entries(s.env).map(([name, value]) => ({ name, value })),
        resources: { limits: { cpu: '1000m', memory: '512Mi' }, cpuIdle: true, startupCpuBoost: true },
        ports: [{ name: 'http1', containerPort: 8080 }],
        startupProbe: {
          timeoutSeconds: 240,
          periodSeconds: 240,
          failureThreshold: 1,
          tcpSocket: { port: 8080 },
        },
      },
    ],
    scaling: { maxInstanceCount: 100 },
    timeout: '300s',
    maxInstanceRequestConcurrency: 80,
  };
  if (s.serviceAccount) template.serviceAccount = s.serviceAccount;
  const ready = { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: s.updateTime };
  return {
    name: `${base}/services/${s.name}`,
    uid: s.uid,
    generation: String(s.generation),
    createTime: s.createTime,
    updateTime: s.updateTime,
    creator: 'deployer@example.com',
    lastModifier: 'deployer@example.com',
    ingress: 'INGRESS_TRAFFIC_ALL',
    launchStage: 'GA',
    template,
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    observedGeneration: String(s.generation),
    terminalCondition: ready,
    conditions: [
      { type: 'RoutesReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: s.updateTime },
      { type: 'ConfigurationsReady', state: 'CONDITION_SUCCEEDED', lastTransitionTime: s.updateTime },
    ],
    latestReadyRevision: `${base}/revisions/${revision}`,
    latestCreatedRevision: `${base}/revisions/${revision}`,
    trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    uri,
    urls: [uri],
    etag: s.etag,
  };
}

function regionCode(region: string): string {
  const known: Record<string, string> = {
    'us-central1': 'uc',
    'us-east1': 'ue',
    'europe-west1': 'ew',
    'europe-west4': 'ez',
  };
  return known[region] ?? 'uc';
}

function findService(ctx: RequestContext, project: ProjectState): CloudRunServiceState {
  const { location, service } = ctx.params as { location: string; service: string };
  const s = ctx.state.cloudRunService(project, location, service);
  if (!s) {
    throw notFound(
      `Resource '${service}' of kind 'SERVICE' in region '${location}' in project '${ctx.params.project}' does not exist.`,
    );
  }
  return s;
}

export function runRoutes(operationDelayMs: () => number): Route[] {
  const base = `^/v2/projects/(?<project>${SEG})/locations/(?<location>${SEG})`;
  return [
    {
      method: 'GET',
      path: new RegExp(`${base}/services$`),
      handler: (ctx) => {
        const { project } = authorize(ctx, rpc('ListServices'), 'run.services.list');
        const services = [...project.cloudRun.values()]
          .filter((s) => ctx.params.location === '-' || s.region === ctx.params.location)
          .map((s) => serviceJson(ctx.params.project as string, s));
        return services.length > 0 ? { services } : {};
      },
    },
    {
      method: 'GET',
      path: new RegExp(`${base}/services/(?<service>${SEG})$`),
      handler: (ctx) => {
        const { project } = authorize(ctx, rpc('GetService'), 'run.services.get');
        return serviceJson(ctx.params.project as string, findService(ctx, project));
      },
    },
    {
      method: 'PATCH',
      path: new RegExp(`${base}/services/(?<service>${SEG})$`),
      handler: (ctx) => patchService(ctx, operationDelayMs()),
    },
    {
      method: 'GET',
      path: new RegExp(`${base}/operations/(?<operation>${SEG})$`),
      handler: (ctx) => {
        const who = caller(ctx, { service: RUN, method: 'google.longrunning.Operations.GetOperation' });
        const project = projectOrDeny(ctx, ctx.params.project as string, 'run.operations.get', RUN);
        // The project's small role catalog may lack run.operations.get (every real role that holds
        // run.services.get holds it too), so either permission lets the caller poll.
        if (!ctx.state.checkPermission(who.email, 'run.services.get', project).granted) {
          requirePermission(ctx, who, 'run.operations.get', project, `projects/${ctx.params.project}`, RUN);
        }
        const name = `projects/${ctx.params.project}/locations/${ctx.params.location}/operations/${ctx.params.operation}`;
        const op = ctx.state.operations.get(name);
        if (!op) throw notFound(`Operation ${name} not found.`);
        return operationJson(op, ctx.state.settle(op));
      },
    },
  ];
}

interface ServicePatch {
  template?: {
    serviceAccount?: string;
    containers?: Array<{ image?: string; env?: Array<{ name: string; value?: string }> }>;
  };
}

function patchService(ctx: RequestContext, delayMs: number) {
  const { who, project } = authorize(ctx, rpc('UpdateService'), 'run.services.update');
  const current = findService(ctx, project);
  const body = ctx.body as ServicePatch;
  const mask = ctx.query
    .get('updateMask')
    ?.split(',')
    .map((f) => f.trim());
  const wants = (field: string) =>
    !mask || mask.some((m) => m === field || field.startsWith(`${m}.`) || m.startsWith(`${field}.`));
  const next = { ...current, env: { ...current.env } };
  if (wants('template.service_account') || wants('template.serviceAccount')) {
    next.serviceAccount = body.template?.serviceAccount ?? '';
  }
  const container = body.template?.containers?.[0];
  if (container && (wants('template.containers') || wants('template'))) {
    if (container.env) next.env = Object.fromEntries(container.env.map((e) => [e.name, e.value ?? '']));
    if (container.image) next.image = container.image;
  }
  if (next.serviceAccount && next.serviceAccount !== current.serviceAccount) {
    const sa = ctx.state.serviceAccount(next.serviceAccount);
    const saProject = sa ? ctx.state.project(sa.projectId) : undefined;
    if (
      !sa ||
      !saProject ||
      !ctx.state.checkPermission(who.email, 'iam.serviceAccounts.actAs', saProject, sa).granted
    ) {
      throw new GoogleApiError(
        403,
        'PERMISSION_DENIED',
        `Permission 'iam.serviceaccounts.actAs' denied on service account ${next.serviceAccount} (or it may not exist).`,
      );
    }
  }
  if (Object.keys(next.env).some((k) => k === ''))
    throw invalidArgument('Environment variable names must not be empty.');
  const ref = ctx.params.project as string;
  const opName = `projects/${ref}/locations/${current.region}/operations/${randomUUID()}`;
  const pending = { ...next, generation: current.generation + 1, updateTime: new Date().toISOString() };
  const op = ctx.state.startOperation(opName, delayMs, {
    metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...serviceJson(ref, pending) },
    onDone: () => {
      Object.assign(current, pending, { etag: `"${randomUUID().replace(/-/g, '')}"` });
    },
  });
  op.response = { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...serviceJson(ref, pending) };
  return operationJson(op, ctx.state.settle(op));
}
