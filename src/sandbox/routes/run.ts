/**
 * Cloud Run Admin API v2: services.get / list / patch and operations.get. A service's
 * `template.serviceAccount` is absent when the revision runs as the default compute account;
 * PATCH returns a long-running Operation and the new revision (account, env) is live when it is
 * done. Changing the account needs `iam.serviceAccounts.actAs` on the new one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { aborted, GoogleApiError, invalidArgument, notFound } from '../errors.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { CloudRunServiceState, Operation, ProjectState } from '../state.js';
import { authorize, caller, projectOrDeny, requirePermission } from './guard.js';
import { operationJson } from './serviceusage.js';

const RUN = 'run.googleapis.com';
const rpc = (method: string) => ({ service: RUN, method: `google.cloud.run.v2.Services.${method}` });

function urlHash(s: CloudRunServiceState): string {
  return BigInt(`0x${s.uid.slice(0, 12)}`)
    .toString(36)
    .slice(0, 10);
}

function revisionName(s: CloudRunServiceState, generation: number): string {
  return `${s.name}-${String(generation).padStart(5, '0')}-${s.uid.slice(0, 3)}`;
}

function containerJson(spec: { image: string; env: Record<string, string> }) {
  return {
    image: spec.image,
    env: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
    resources: { limits: { cpu: '1000m', memory: '512Mi' }, cpuIdle: true, startupCpuBoost: true },
    ports: [{ name: 'http1', containerPort: 8080 }],
    startupProbe: {
      timeoutSeconds: 240,
      periodSeconds: 240,
      failureThreshold: 1,
      tcpSocket: { port: 8080 },
    },
  };
}

/**
 * A Service as Cloud Run v2 returns it. During a rollout the spec (generation, template, etag) is
 * the new one at once, while status (observedGeneration, latestReadyRevision, conditions) still
 * describes the old revision and `reconciling` is true, as at Google.
 */
export function serviceJson(projectRef: string, s: CloudRunServiceState) {
  const base = `projects/${projectRef}/locations/${s.region}`;
  const spec = s.rollout ?? s;
  const uri = `https://${s.name}-${urlHash(s)}-${regionCode(s.region)}.a.run.app`;
  const template: Record<string, unknown> = {
    containers: [containerJson(spec)],
    scaling: { maxInstanceCount: 100 },
    timeout: '300s',
    maxInstanceRequestConcurrency: 80,
  };
  if (spec.serviceAccount) template.serviceAccount = spec.serviceAccount;
  const ready = s.rollout
    ? { type: 'Ready', state: 'CONDITION_RECONCILING', lastTransitionTime: s.rollout.updateTime }
    : { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: s.updateTime };
  const out: Record<string, unknown> = {
    name: `${base}/services/${s.name}`,
    uid: s.uid,
    generation: String(spec.generation),
    createTime: s.createTime,
    updateTime: spec.updateTime,
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
    latestReadyRevision: `${base}/revisions/${revisionName(s, s.generation)}`,
    latestCreatedRevision: `${base}/revisions/${revisionName(s, spec.generation)}`,
    trafficStatuses: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }],
    uri,
    urls: [uri],
    etag: s.etag,
  };
  if (s.rollout) out.reconciling = true;
  return out;
}

/** The serving revision as revisions.get / list return it. */
function revisionJson(projectRef: string, s: CloudRunServiceState) {
  const base = `projects/${projectRef}/locations/${s.region}`;
  const name = revisionName(s, s.generation);
  const out: Record<string, unknown> = {
    name: `${base}/revisions/${name}`,
    uid: createHash('md5').update(`${s.uid}/${s.generation}`).digest('hex'),
    generation: '1',
    labels: { 'serving.knative.dev/route': s.name },
    createTime: s.updateTime,
    updateTime: s.updateTime,
    launchStage: 'GA',
    service: `${base}/services/${s.name}`,
    scaling: { maxInstanceCount: 100 },
    containers: [containerJson(s)],
    timeout: '300s',
    maxInstanceRequestConcurrency: 80,
    executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN1',
    conditions: [
      { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: s.updateTime },
      { type: 'ContainerHealthy', state: 'CONDITION_SUCCEEDED', lastTransitionTime: s.updateTime },
    ],
    observedGeneration: '1',
    logUri: `https://console.cloud.google.com/logs/viewer?project=${projectRef}&resource=cloud_run_revision/service_name/${s.name}/revision_name/${name}`,
    etag: `"${createHash('md5').update(name).digest('base64url')}"`,
  };
  if (s.serviceAccount) out.serviceAccount = s.serviceAccount;
  return out;
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
        const op = findOperation(ctx, 'GetOperation');
        return operationJson(op, ctx.state.settle(op));
      },
    },
    {
      method: 'POST',
      path: new RegExp(`${base}/operations/(?<operation>${SEG}):wait$`),
      handler: async (ctx) => {
        const op = findOperation(ctx, 'WaitOperation');
        // Waits until done or the request's timeout (at most the operation's own delay here).
        const timeoutMs = Number(String(ctx.body.timeout ?? '60s').replace(/s$/, '')) * 1000 || 60_000;
        const until = Math.min(op.doneAt, Date.now() + timeoutMs);
        if (until > Date.now()) await new Promise((r) => setTimeout(r, until - Date.now()));
        return operationJson(op, ctx.state.settle(op));
      },
    },
    {
      method: 'GET',
      path: new RegExp(`${base}/operations$`),
      handler: (ctx) => {
        operationsProject(ctx, 'ListOperations', 'run.operations.list');
        const prefix = `projects/${ctx.params.project}/locations/${ctx.params.location}/operations/`;
        const operations = [...ctx.state.operations.values()]
          .filter((op) => op.name.startsWith(prefix))
          .map((op) => operationJson(op, ctx.state.settle(op)));
        return operations.length > 0 ? { operations } : {};
      },
    },
    {
      method: 'GET',
      path: new RegExp(`${base}/services/(?<service>${SEG})/revisions$`),
      handler: (ctx) => {
        const { project } = authorize(
          ctx,
          { service: RUN, method: 'google.cloud.run.v2.Revisions.ListRevisions' },
          'run.revisions.list',
        );
        return { revisions: [revisionJson(ctx.params.project as string, findService(ctx, project))] };
      },
    },
  ];
}

/** The project of an operations route, after the caller's permission on it. */
function operationsProject(ctx: RequestContext, method: string, permission: string) {
  const who = caller(ctx, { service: RUN, method: `google.longrunning.Operations.${method}` });
  const project = projectOrDeny(ctx, ctx.params.project as string, permission, RUN);
  // The project's small role catalog may lack run.operations.* (every real role that holds
  // run.services.get holds them too), so either permission lets the caller poll.
  if (!ctx.state.checkPermission(who.email, 'run.services.get', project).granted) {
    requirePermission(ctx, who, permission, project, `projects/${ctx.params.project}`, RUN);
  }
  return project;
}

function findOperation(ctx: RequestContext, method: string): Operation {
  operationsProject(ctx, method, 'run.operations.get');
  const name = `projects/${ctx.params.project}/locations/${ctx.params.location}/operations/${ctx.params.operation}`;
  const op = ctx.state.operations.get(name);
  if (!op) throw notFound(`Operation ${name} not found.`);
  return op;
}

interface ServicePatch {
  etag?: string;
  template?: {
    serviceAccount?: string;
    containers?: Array<{ image?: string; env?: Array<{ name: string; value?: string }> }>;
  };
}

function patchService(ctx: RequestContext, delayMs: number) {
  const { who, project } = authorize(ctx, rpc('UpdateService'), 'run.services.update');
  const current = findService(ctx, project);
  const body = ctx.body as ServicePatch;
  // AIP-154: an etag that is not the current one means someone changed the service since it was read.
  if (body.etag && body.etag !== current.etag) {
    throw aborted(
      `The service ${current.name} has been modified since it was read: its etag is ${current.etag}, the request's is ${body.etag}. Read it again and retry.`,
    );
  }
  const mask = ctx.query
    .get('updateMask')
    ?.split(',')
    .map((f) => f.trim());
  const wants = (field: string) =>
    !mask || mask.some((m) => m === field || field.startsWith(`${m}.`) || m.startsWith(`${field}.`));
  const next = { ...current, ...(current.rollout ?? {}), env: { ...(current.rollout ?? current).env } };
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
  const rollout = {
    generation: (current.rollout ?? current).generation + 1,
    serviceAccount: next.serviceAccount,
    env: next.env,
    image: next.image,
    updateTime: new Date().toISOString(),
  };
  // The spec changes now (new generation, new etag, reconciling); the revision serves when done.
  current.rollout = rollout;
  current.etag = `"${randomUUID().replace(/-/g, '')}"`;
  const done = { ...current, ...rollout, rollout: undefined };
  const op = ctx.state.startOperation(opName, delayMs, {
    metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...serviceJson(ref, current) },
    onDone: () => {
      if (current.rollout !== rollout) return; // a later update superseded this one
      Object.assign(current, rollout, { rollout: undefined });
    },
  });
  op.response = { '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...serviceJson(ref, done) };
  return operationJson(op, ctx.state.settle(op));
}
