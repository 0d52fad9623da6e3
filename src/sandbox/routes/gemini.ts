/**
 * The Gemini Developer API (generativelanguage.googleapis.com): `/v1beta|v1/models/{m}:method`
 * with an API key (`x-goog-api-key` or `?key=`) or an OAuth token. Judged as the real service
 * does: key present -> key valid and not expired -> key allowed to call this API -> API enabled
 * on the key's project -> model exists -> quota -> success.
 */
import { principalFromToken } from '../auth.js';
import {
  apiKeyInvalid,
  apiKeyServiceBlocked,
  GoogleApiError,
  help,
  notFound,
  serviceDisabled,
  userLocationUnsupported,
} from '../errors.js';
import { countTokensResponse, type GenerateRequest, generateResponse } from '../generate.js';
import { COUNT_TOKENS_REQUEST, checkRequestShape, GENERATE_REQUEST } from '../request-shape.js';
import { type RequestContext, type Route, SEG } from '../router.js';
import type { ScenarioModel, ScenarioQuota } from '../scenario.js';
import type { ProjectState } from '../state.js';
import { checkQuotaProject, homeProject, type ModelMethod, requireContents, stream } from './vertex.js';

export const GENERATIVE_LANGUAGE = 'generativelanguage.googleapis.com';

/** Countries the Gemini API is not offered in (a representative subset of Google's list). */
const UNSUPPORTED_COUNTRIES = new Set(['BY', 'CN', 'CU', 'HK', 'IR', 'KP', 'MO', 'RU', 'SY']);

export function geminiRoutes(): Route[] {
  const path = new RegExp(
    `^/(?<version>v1|v1beta|v1alpha)/models/(?<model>${SEG}):(?<method>generateContent|streamGenerateContent|countTokens)$`,
  );
  return [
    { method: 'POST', path, handler: handleGemini },
    { method: 'GET', path: /^\/(?<version>v1|v1beta|v1alpha)\/models$/, handler: listModels },
    {
      method: 'GET',
      path: new RegExp(`^/(?<version>v1|v1beta|v1alpha)/models/(?<model>${SEG})$`),
      handler: getModel,
    },
  ];
}

function modelRpc(ctx: RequestContext, method: string) {
  return {
    service: GENERATIVE_LANGUAGE,
    method: `google.ai.generativelanguage.${ctx.params.version}.ModelService.${method}`,
  };
}

/** A Model as models.get / list describe it (the fields the Gemini API fills for Gemini models). */
function modelJson(m: ScenarioModel) {
  const image = m.kind === 'image';
  return {
    name: `models/${m.id}`,
    version: /preview|exp/.test(m.id) ? m.id.replace(/^gemini-/, '') : '001',
    displayName: m.id
      .replace(/^gemini-/, 'Gemini ')
      .replace(/-/g, ' ')
      .replace(/\b([a-z])/g, (c) => c.toUpperCase()),
    description: `${m.id} served by the genai-doctor sandbox`,
    inputTokenLimit: image ? 65536 : 1048576,
    outputTokenLimit: image ? 32768 : 65536,
    supportedGenerationMethods: ['generateContent', 'countTokens', 'streamGenerateContent'],
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    thinking: !image,
  };
}

function listModels(ctx: RequestContext) {
  consumerProject(ctx, modelRpc(ctx, 'ListModels'));
  const models = ctx.state.models.filter((m) => m.geminiApi !== false);
  const size = Math.min(1000, Math.max(1, Number(ctx.query.get('pageSize') ?? 50) || 50));
  const start = Number(Buffer.from(ctx.query.get('pageToken') ?? '', 'base64url').toString() || 0);
  if (!Number.isInteger(start) || start < 0)
    throw new GoogleApiError(400, 'INVALID_ARGUMENT', 'Invalid page token.');
  const out: Record<string, unknown> = { models: models.slice(start, start + size).map(modelJson) };
  if (start + size < models.length)
    out.nextPageToken = Buffer.from(String(start + size)).toString('base64url');
  return out;
}

function getModel(ctx: RequestContext) {
  consumerProject(ctx, modelRpc(ctx, 'GetModel'));
  const model = ctx.state.models.find((m) => m.id === ctx.params.model && m.geminiApi !== false);
  if (!model)
    throw notFound(`models/${ctx.params.model} is not found for API version ${ctx.params.version}.`);
  return modelJson(model);
}

async function handleGemini(ctx: RequestContext) {
  const version = ctx.params.version as string;
  const modelId = ctx.params.model as string;
  const method = ctx.params.method as ModelMethod;
  const rpc = {
    service: GENERATIVE_LANGUAGE,
    method: `google.ai.generativelanguage.${version}.GenerativeService.${method[0]?.toUpperCase()}${method.slice(1)}`,
  };
  const project = consumerProject(ctx, rpc);
  // The Gemini API serves only some countries; Google tells by the caller's IP address.
  if (ctx.state.scenario.clientCountry && UNSUPPORTED_COUNTRIES.has(ctx.state.scenario.clientCountry)) {
    throw userLocationUnsupported();
  }
  if (project.services.get(GENERATIVE_LANGUAGE) !== 'ENABLED') {
    throw serviceDisabled(project.projectNumber, GENERATIVE_LANGUAGE);
  }
  const model = ctx.state.models.find((m) => m.id === modelId && m.geminiApi !== false);
  if (!model) {
    throw notFound(
      `models/${modelId} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
    );
  }
  checkRequestShape(ctx.body, method === 'countTokens' ? COUNT_TOKENS_REQUEST : GENERATE_REQUEST);
  const req = ctx.body as GenerateRequest;
  if (method !== 'countTokens' || !ctx.body.generateContentRequest) requireContents(req, 'gemini');
  if (method === 'countTokens') return countTokensResponse(req, 'gemini');
  const exceeded = ctx.state.consumeQuota('gemini', project, modelId);
  if (exceeded) throw geminiQuotaError(exceeded, project, modelId);
  const response = generateResponse(model, req, 'gemini');
  if (method === 'streamGenerateContent') return stream(ctx, response);
  return response;
}

/** The project a Gemini API call is billed to: the API key's, or the OAuth caller's. */
function consumerProject(ctx: RequestContext, rpc: { service: string; method: string }): ProjectState {
  const header = ctx.req.headers['x-goog-api-key'];
  const key =
    (typeof header === 'string' && header !== '' ? header : undefined) ?? ctx.query.get('key') ?? undefined;
  if (key !== undefined) {
    const record = ctx.state.apiKeys.get(key);
    if (!record || record.state === 'DELETED') throw apiKeyInvalid(GENERATIVE_LANGUAGE, false);
    if (record.state === 'EXPIRED') throw apiKeyInvalid(GENERATIVE_LANGUAGE, true);
    const project = ctx.state.project(record.project);
    if (!project) throw apiKeyInvalid(GENERATIVE_LANGUAGE, false);
    if (record.apiTargets && !record.apiTargets.includes(GENERATIVE_LANGUAGE)) {
      throw apiKeyServiceBlocked(rpc, project.projectNumber);
    }
    return project;
  }
  const auth = ctx.req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth)?.[1] : undefined;
  if (bearer) {
    const who = principalFromToken(ctx.state, bearer, rpc);
    const quotaProject = ctx.req.headers['x-goog-user-project'];
    if (typeof quotaProject === 'string' && quotaProject !== '')
      checkQuotaProject(ctx.state, who, quotaProject);
    const project =
      (typeof quotaProject === 'string' ? ctx.state.project(quotaProject) : undefined) ??
      homeProject(ctx.state, who.email);
    if (project) return project;
  }
  throw new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

/**
 * The Gemini API's 429: the message lists each exceeded metric and ends with "Please retry in
 * Ns."; details are Help, QuotaFailure and RetryInfo, in that order (as the real API sends them).
 */
function geminiQuotaError(
  exceeded: ScenarioQuota & { hits: number[] },
  project: ProjectState,
  modelId: string,
) {
  const perMinute = exceeded.window === 'minute';
  const freeTier = !project.billingEnabled;
  const metric = `generativelanguage.googleapis.com/generate_content_${freeTier ? 'free_tier' : 'paid_tier'}_requests`;
  const oldest = exceeded.hits.length > 0 ? Math.min(...exceeded.hits) : Date.now();
  const retryMs = Math.max(1000, oldest + 60_000 - Date.now());
  const retry = (retryMs / 1000).toFixed(9);
  const message = `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: ${metric}, limit: ${exceeded.limit}, model: ${modelId}\nPlease retry in ${retry}s.`;
  return new GoogleApiError(429, 'RESOURCE_EXHAUSTED', message, [
    help([
      {
        description: 'Learn more about Gemini API quotas',
        url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
      },
    ]),
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: metric,
          quotaId: `GenerateRequestsPer${perMinute ? 'Minute' : 'Day'}PerProjectPerModel${freeTier ? '-FreeTier' : ''}`,
          quotaDimensions: { location: 'global', model: modelId },
          quotaValue: String(exceeded.limit),
        },
      ],
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.floor(retryMs / 1000)}s` },
  ]);
}
