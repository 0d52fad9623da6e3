/**
 * Vertex AI publisher-model calls: `generateContent`, `streamGenerateContent` (`?alt=sse` or a
 * JSON array) and `countTokens`, v1 and v1beta1, global and regional (the location is in the
 * path). A call is judged in the order Vertex judges it; the first failing check answers with
 * Google's status, wording and ErrorInfo:
 * credentials -> project exists -> API enabled -> billing -> VPC-SC -> IAM (allow, then deny) ->
 * model at that location and access -> org policy -> quota -> success.
 */
import { createHash } from 'node:crypto';
import { apiKeyOf, type Principal, requireOAuth } from '../auth.js';
import {
  apiKeyInvalid,
  apiKeyServiceBlocked,
  billingDisabled,
  consumerInvalid,
  credentialsMissing,
  GoogleApiError,
  iamPermissionDenied,
  invalidArgument,
  notFound,
  orgPolicyViolation,
  publisherModelNotAllowed,
  publisherModelNotFound,
  quotaExhausted,
  serviceAgentCannotRead,
  serviceDisabled,
  userProjectDenied,
  vpcScViolation,
} from '../errors.js';
import { countTokensResponse, type GenerateRequest, generateResponse } from '../generate.js';
import { COUNT_TOKENS_REQUEST, checkRequestShape, GENERATE_REQUEST } from '../request-shape.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { ScenarioModel, ScenarioQuota } from '../scenario.js';
import type { ProjectState, SandboxState } from '../state.js';

export const AIPLATFORM = 'aiplatform.googleapis.com';
export const PREDICT_PERMISSION = 'aiplatform.endpoints.predict';

export type ModelMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens';

const RPC_METHOD: Record<ModelMethod, string> = {
  generateContent: 'GenerateContent',
  streamGenerateContent: 'StreamGenerateContent',
  countTokens: 'CountTokens',
};

export interface VertexCall {
  /** gs:// objects the request references (fileData), read by the Vertex AI service agent. */
  fileUris?: string[];
  version: string;
  project: string;
  location: string;
  publisher: string;
  model: string;
  method: ModelMethod;
}

/** The home project of a principal, when its email says (service accounts only). */
export function homeProject(state: SandboxState, email: string): ProjectState | undefined {
  const compute = /^(\d+)-compute@developer\.gserviceaccount\.com$/.exec(email);
  if (compute) return state.project(compute[1] as string);
  const sa = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email);
  if (sa) return state.project(sa[1] as string);
  return undefined;
}

/**
 * A quota project named by `x-goog-user-project` (user ADC sets it) must exist and the caller
 * must hold serviceusage.services.use on it: Google checks this before anything else.
 */
export function checkQuotaProject(state: SandboxState, who: Principal, quotaProject: string): void {
  const project = state.project(quotaProject);
  if (
    project?.lifecycleState !== 'ACTIVE' ||
    !state.checkPermission(who.email, 'serviceusage.services.use', project).granted
  ) {
    throw userProjectDenied(quotaProject, AIPLATFORM);
  }
}

/** Every check after authentication, in Vertex's order; the principal is already known. */
export function judgeVertexCall(
  state: SandboxState,
  who: Principal,
  call: VertexCall,
): {
  project: ProjectState;
  model: ScenarioModel;
} {
  const project = state.project(call.project);
  if (project?.lifecycleState !== 'ACTIVE') {
    throw consumerInvalid(call.project, { service: AIPLATFORM, method: rpcMethod(call) });
  }
  if (project.services.get(AIPLATFORM) !== 'ENABLED') throw serviceDisabled(call.project, AIPLATFORM);
  if (!project.billingEnabled) throw billingDisabled(project.projectNumber, AIPLATFORM);
  const perimeterError = perimeterCheck(state, who, project, AIPLATFORM);
  if (perimeterError) throw perimeterError;
  const resource = `projects/${call.project}/locations/${call.location}/publishers/${call.publisher}/models/${call.model}`;
  if (!state.checkPermission(who.email, PREDICT_PERMISSION, project).granted) {
    throw iamPermissionDenied(PREDICT_PERMISSION, `//${AIPLATFORM}/${resource}`, resource, AIPLATFORM);
  }
  const model = state.models.find((m) => m.id === call.model);
  if (!model || call.publisher !== 'google' || !model.locations.includes(call.location)) {
    throw publisherModelNotFound(call.project, call.location, call.model);
  }
  if (model.access === 'allowlist' && !(model.allowlistedProjects ?? []).includes(project.projectNumber)) {
    throw publisherModelNotAllowed(project.projectNumber, call.project, call.location, call.model);
  }
  const orgError = orgPolicyCheck(project, call.model);
  if (orgError) throw orgError;
  for (const uri of call.fileUris ?? []) serviceAgentReadCheck(state, project, uri);
  if (call.method !== 'countTokens') {
    const exceeded = state.consumeQuota('vertex', project, call.model);
    if (exceeded) throw vertexQuotaError(exceeded, project, call);
  }
  return { project, model };
}

function rpcMethod(call: VertexCall): string {
  return `google.cloud.aiplatform.${call.version}.PredictionService.${RPC_METHOD[call.method]}`;
}

/**
 * VPC Service Controls, reduced to identity: a perimeter that restricts the service and holds
 * the target project admits callers whose home project is inside it too.
 */
export function perimeterCheck(
  state: SandboxState,
  who: Principal,
  project: ProjectState,
  service: string,
): GoogleApiError | undefined {
  for (const p of state.perimeters) {
    if (!p.projects.includes(project.projectNumber) || !p.restrictedServices.includes(service)) continue;
    const home = homeProject(state, who.email);
    if (home && p.projects.includes(home.projectNumber)) continue;
    const uid = createHash('sha256')
      .update(`${p.name}|${who.email}|${project.projectNumber}`)
      .digest('base64url')
      .slice(0, 54);
    return vpcScViolation(uid, project.projectNumber, service);
  }
  return undefined;
}

/** The Vertex AI service agent of the consumer project reads gs:// inputs; it needs storage.objects.get. */
function serviceAgentReadCheck(state: SandboxState, project: ProjectState, uri: string): void {
  const bucketName = /^gs:\/\/([^/]+)/.exec(uri)?.[1];
  if (!bucketName) return;
  const agent = `service-${project.projectNumber}@gcp-sa-aiplatform.iam.gserviceaccount.com`;
  const bucket = state.buckets.get(bucketName);
  if (!bucket || !state.checkPermission(agent, 'storage.objects.get', bucket.project, bucket).granted) {
    throw serviceAgentCannotRead(agent, bucketName);
  }
}

/** fileData URIs anywhere in the request's contents. */
export function fileUrisOf(body: unknown): string[] {
  const contents = (body as { contents?: unknown })?.contents;
  const list = Array.isArray(contents) ? contents : contents ? [contents] : [];
  const uris: string[] = [];
  for (const c of list) {
    for (const part of (c as { parts?: unknown[] })?.parts ?? []) {
      // Bodies arrive with proto3 JSON names (proto-json.ts), whatever spelling the client used.
      const uri = (part as { fileData?: { fileUri?: unknown } })?.fileData?.fileUri;
      if (typeof uri === 'string') uris.push(uri);
    }
  }
  return uris;
}

function orgPolicyCheck(project: ProjectState, model: string): GoogleApiError | undefined {
  for (const policy of project.orgPolicies) {
    if (policy.constraint !== 'constraints/vertexai.allowedModels') continue;
    const matches = (v: string) =>
      v === model || v.includes(`/models/${model}`) || v.endsWith(`models/${model}:predict`);
    const allowed = policy.allowedValues === undefined || policy.allowedValues.some(matches);
    const denied = (policy.deniedValues ?? []).some(matches);
    if (!allowed || denied) return orgPolicyViolation(policy.constraint, project.projectNumber, model);
  }
  return undefined;
}

/**
 * Vertex's 429s. Per-minute throttling of Gemini models is dynamic shared quota at Google: the
 * body is a bare RESOURCE_EXHAUSTED with no details (no QuotaFailure, no RetryInfo). A daily
 * per-project quota names its metric and limit.
 */
function vertexQuotaError(q: ScenarioQuota & { hits: number[] }, project: ProjectState, call: VertexCall) {
  const perMinute = q.window === 'minute';
  if (perMinute) {
    return new GoogleApiError(
      429,
      'RESOURCE_EXHAUSTED',
      'Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.',
    );
  }
  const metric = 'aiplatform.googleapis.com/generate_content_requests_per_day_per_project_per_base_model';
  const quotaId = 'GenerateContentRequestsPerDayPerProjectPerBaseModel';
  const err = quotaExhausted(
    `Quota exceeded for quota metric '${metric}' and limit '${quotaId}' of service 'aiplatform.googleapis.com' for consumer 'project_number:${project.projectNumber}'. The daily quota resets at midnight Pacific time.`,
    {
      quotaMetric: metric,
      quotaId,
      quotaDimensions: { base_model: call.model, region: call.location },
      quotaValue: String(q.limit),
    },
    undefined,
    'https://cloud.google.com/vertex-ai/generative-ai/docs/quotas',
  );
  err.details.unshift({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'RATE_LIMIT_EXCEEDED',
    domain: 'googleapis.com',
    metadata: {
      consumer: `projects/${project.projectNumber}`,
      quota_limit: quotaId,
      quota_limit_value: String(q.limit),
      quota_location: call.location,
      quota_metric: metric,
      service: AIPLATFORM,
    },
  });
  return err;
}

export function vertexRoutes(): Route[] {
  const path = new RegExp(
    `^/(?<version>v1|v1beta1)/projects/(?<project>${SEG})/locations/(?<location>${SEG})/publishers/(?<publisher>${SEG})/models/(?<model>${SEG}):(?<method>generateContent|streamGenerateContent|countTokens)$`,
  );
  return [
    { method: 'POST', path, handler: handleVertex },
    {
      method: 'GET',
      path: new RegExp(`^/(?<version>v1|v1beta1)/publishers/(?<publisher>${SEG})/models/(?<model>${SEG})$`),
      handler: getPublisherModel,
    },
    {
      method: 'POST',
      path: new RegExp(
        `^/(?<version>v1|v1beta1)/publishers/(?<publisher>${SEG})/models/(?<model>${SEG}):(?<method>generateContent|streamGenerateContent|countTokens)$`,
      ),
      handler: handleExpress,
    },
  ];
}

/**
 * Vertex AI with an API key (express mode / `vertexai: true, apiKey`): no project in the path;
 * the key names the project, and the key's restrictions replace IAM.
 */
async function handleExpress(ctx: RequestContext) {
  const call: VertexCall = {
    version: ctx.params.version as string,
    project: '',
    location: 'global',
    publisher: ctx.params.publisher as string,
    model: ctx.params.model as string,
    method: ctx.params.method as ModelMethod,
  };
  const rpc = { service: AIPLATFORM, method: rpcMethod(call) };
  const key = apiKeyOf(ctx.req, ctx.query);
  if (!key) throw credentialsMissing(rpc);
  const record = ctx.state.apiKeys.get(key);
  if (record?.state !== 'ACTIVE') throw apiKeyInvalid(AIPLATFORM, record?.state === 'EXPIRED');
  const project = ctx.state.project(record.project);
  if (!project) throw apiKeyInvalid(AIPLATFORM, false);
  if (record.apiTargets && !record.apiTargets.includes(AIPLATFORM))
    throw apiKeyServiceBlocked(rpc, project.projectNumber);
  if (project.services.get(AIPLATFORM) !== 'ENABLED')
    throw serviceDisabled(project.projectNumber, AIPLATFORM);
  if (!project.billingEnabled) throw billingDisabled(project.projectNumber, AIPLATFORM);
  const model = ctx.state.models.find((m) => m.id === call.model);
  if (!model || call.publisher !== 'google' || !model.locations.includes('global')) {
    throw notFound(`Publisher Model \`publishers/${call.publisher}/models/${call.model}\` not found.`);
  }
  checkRequestShape(ctx.body, call.method === 'countTokens' ? COUNT_TOKENS_REQUEST : GENERATE_REQUEST);
  const req = ctx.body as GenerateRequest;
  requireContents(req, 'vertex');
  if (call.method === 'countTokens') return countTokensResponse(req, 'vertex');
  const exceeded = ctx.state.consumeQuota('vertex', project, call.model);
  if (exceeded) throw vertexQuotaError(exceeded, project, { ...call, project: project.projectId });
  const response = generateResponse(model, req, 'vertex');
  return call.method === 'streamGenerateContent' ? stream(ctx, response) : response;
}

/** publishers.models.get: the model card (no project, no location), as Model Garden lists it. */
function getPublisherModel(ctx: RequestContext) {
  const {
    version,
    publisher,
    model: id,
  } = ctx.params as { version: string; publisher: string; model: string };
  requireOAuth(ctx.state, ctx.req, ctx.query, {
    service: AIPLATFORM,
    method: `google.cloud.aiplatform.${version}.ModelGardenService.GetPublisherModel`,
  });
  const model = ctx.state.models.find((m) => m.id === id);
  if (!model || publisher !== 'google') {
    throw notFound(`Publisher Model \`publishers/${publisher}/models/${id}\` not found.`);
  }
  const preview = /preview|exp/.test(id);
  return {
    name: `publishers/google/models/${id}`,
    versionId: 'default',
    openSourceCategory: 'PROPRIETARY',
    launchStage: preview ? 'PUBLIC_PREVIEW' : 'GA',
    versionState: preview ? 'VERSION_STATE_UNSTABLE' : 'VERSION_STATE_STABLE',
    publisherModelTemplate: `projects/{project}/locations/{location}/publishers/google/models/${id}@{version_id}`,
  };
}

async function handleVertex(ctx: RequestContext) {
  const call: VertexCall = {
    version: ctx.params.version as string,
    project: ctx.params.project as string,
    location: ctx.params.location as string,
    publisher: ctx.params.publisher as string,
    model: ctx.params.model as string,
    method: ctx.params.method as ModelMethod,
    fileUris: fileUrisOf(ctx.body),
  };
  const who = requireOAuth(ctx.state, ctx.req, ctx.query, { service: AIPLATFORM, method: rpcMethod(call) });
  checkRequestShape(ctx.body, call.method === 'countTokens' ? COUNT_TOKENS_REQUEST : GENERATE_REQUEST);
  const quotaProject = ctx.req.headers['x-goog-user-project'];
  if (typeof quotaProject === 'string' && quotaProject !== '')
    checkQuotaProject(ctx.state, who, quotaProject);
  const { model } = judgeVertexCall(ctx.state, who, call);
  const req = ctx.body as GenerateRequest;
  requireContents(req, 'vertex');
  if (call.method === 'countTokens') return countTokensResponse(req, 'vertex');
  const response = generateResponse(model, req, 'vertex');
  if (call.method === 'streamGenerateContent') return stream(ctx, response);
  return response;
}

/** A request without contents: each API's own refusal (the backend's, after access checks). */
export function requireContents(req: GenerateRequest, api: 'vertex' | 'gemini'): void {
  const contents = Array.isArray(req.contents) ? req.contents : req.contents ? [req.contents] : [];
  if (contents.length > 0) return;
  throw invalidArgument(
    api === 'vertex'
      ? 'Unable to submit request because at least one contents field is required. Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini'
      : '* GenerateContentRequest.contents: contents is not specified\n',
  );
}

/** streamGenerateContent: SSE (`data: {...}\r\n\r\n`) with ?alt=sse, else one JSON array. */
export function stream(ctx: RequestContext, response: Record<string, unknown>) {
  if (ctx.query.get('alt') === 'sse') {
    ctx.reply.header('content-type', 'text/event-stream');
    return ctx.reply.send(`data: ${JSON.stringify(response)}\r\n\r\n`);
  }
  return [response];
}
