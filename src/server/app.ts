/**
 * The console's HTTP server: the JSON API, the SSE stream of a live check and the page, with the
 * safety properties (loopback guard, strict headers, size limits, redaction, opt-in apply) applied
 * to every route in one place.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { redactDeep } from '../core/redact-deep.js';
import { redactLogArguments, requestForLog } from '../core/redact-log.js';
import type { ConsoleEngine } from './engine.js';
import { HttpError, toErrorBody } from './errors.js';
import { registerApplyRoute } from './routes/apply.js';
import { registerCheckRoutes } from './routes/check.js';
import { registerDiagnoseRoutes } from './routes/diagnose.js';
import { registerExplainRoute } from './routes/explain.js';
import { registerLogsRoute } from './routes/logs.js';
import { registerPageRoutes } from './routes/page.js';
import { registerScanRoutes } from './routes/scan.js';
import { API_CSP, COMMON_HEADERS, isLoopbackHost, judgeRequest } from './security.js';

export interface ConsoleServerOptions {
  engine: ConsoleEngine;
  /** The address the server will listen on; decides whether the loopback Host guard applies. */
  host: string;
  /** Largest JSON request body (diagnose, plan, check), bytes. */
  jsonLimit?: number;
  /** Largest log upload, bytes (compressed size when gzip). */
  logsLimit?: number;
  /** Longest time spent reading one log upload, ms. */
  logsBudgetMs?: number;
  /** Expose POST /api/fix/apply; needs `token` too. */
  allowApply?: boolean;
  token?: string;
  /** Log each request (method, redacted URL, status): to stdout, or to the given stream. */
  logger?: boolean | { write(line: string): void };
}

/** Room for the 10 MB of error text the core handles, plus JSON escaping. */
export const DEFAULT_JSON_LIMIT = 12 * 1024 * 1024;
export const DEFAULT_LOGS_LIMIT = 50 * 1024 * 1024;
/** A 50 MB export reads in about a second; 20 s leaves room for a slow machine, not for abuse. */
export const DEFAULT_LOGS_BUDGET_MS = 20_000;

export interface ConsoleLimits {
  jsonBytes: number;
  logsBytes: number;
  logsBudgetMs: number;
}

export async function buildConsoleServer(options: ConsoleServerOptions): Promise<FastifyInstance> {
  const limits: ConsoleLimits = {
    jsonBytes: options.jsonLimit ?? DEFAULT_JSON_LIMIT,
    logsBytes: options.logsLimit ?? DEFAULT_LOGS_LIMIT,
    logsBudgetMs: options.logsBudgetMs ?? DEFAULT_LOGS_BUDGET_MS,
  };
  if (options.allowApply && !options.token) {
    throw new Error('--allow-apply needs --token: the apply route is never open without a bearer token');
  }
  const boundToLoopback = isLoopbackHost(options.host);
  const app = Fastify({
    // Request bodies are never logged (fastify logs method, URL and status only); query values
    // and anything secret in a logged message are redacted before the line is serialised.
    logger: options.logger ? accessLogOptions(options.logger) : false,
    bodyLimit: limits.jsonBytes,
    return503OnClosing: true,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'genai-doctor console API',
        version: '1',
        description:
          'Local API behind `genai-doctor serve`: diagnose Gemini / Vertex AI errors, read log exports into ' +
          'incidents, run a live check (sandbox by default), render fix plans and catalog pages. Every ' +
          'string in every answer has secrets redacted.',
      },
      tags: [
        { name: 'diagnosis', description: 'Error text -> cause, evidence and fix plan' },
        { name: 'logs', description: 'Log exports -> incidents and timeline' },
        { name: 'live', description: 'Live check of a project' },
        { name: 'catalog', description: 'Catalog pages per code' },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'The token given to `serve --allow-apply --token T` (the apply route exists only then)',
          },
        },
      },
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(COMMON_HEADERS);
    const verdict = judgeRequest(
      {
        host: request.headers.host,
        origin: request.headers.origin,
        'sec-fetch-site': request.headers['sec-fetch-site'] as string | undefined,
      },
      boundToLoopback,
    );
    if (!verdict.ok) {
      reply.code(verdict.status).header('content-security-policy', API_CSP);
      return reply.send({
        error: {
          status: verdict.status,
          code: verdict.reason.toUpperCase().replace('-', '_'),
          message: verdict.message,
        },
      });
    }
  });
  app.addHook('preSerialization', async (_request, _reply, payload) => redactDeep(payload));
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP);
    return payload;
  });

  app.setErrorHandler((err, request, reply) => {
    const body = toErrorBody(err, limits);
    if (body.error.status >= 500) request.log.error({ err }, 'console request failed');
    if (body.error.status === 413 && !(err instanceof HttpError && err.lingers))
      reply.header('connection', 'close');
    reply.code(body.error.status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: {
        status: 404,
        code: 'NOT_FOUND',
        message: `No route ${request.method} ${request.url.split('?')[0]}`,
      },
    });
  });

  registerPageRoutes(app, options.engine);
  registerDiagnoseRoutes(app, options.engine);
  registerExplainRoute(app, options.engine);
  registerCheckRoutes(app, options.engine);
  registerScanRoutes(app, options.engine.target);
  await app.register(async (scope) => registerLogsRoute(scope, options.engine, limits));
  if (options.allowApply && options.token) registerApplyRoute(app, options.engine, options.token);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.addHook('onClose', async () => options.engine.close());
  return app;
}

function accessLogOptions(logger: true | { write(line: string): void }) {
  return {
    level: 'info',
    serializers: { req: requestForLog },
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        return method.apply(this, redactLogArguments(args));
      },
    },
    ...(logger === true ? {} : { stream: logger }),
  };
}
