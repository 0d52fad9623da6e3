/**
 * The fastify application: routes, validation, the uniform error body, OpenAPI. Pure wiring over
 * the dependencies it is handed (model, readiness, sessions, diagnosis), so tests and the
 * benchmark build it exactly as production does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerOptions } from 'node:http';
import swagger from '@fastify/swagger';
import fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import type { Context, Diagnosis, Plan } from 'genai-doctor';
import type { ServiceConfig } from './config.js';
import type { Diagnose } from './generation.js';
import type { ImageModel } from './image-model.js';
import type { Logger } from './logger.js';
import type { Readiness } from './readiness.js';
import { registerErrorPages } from './routes/errors.js';
import { registerGenerateRoute } from './routes/generate.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerSessionRoutes } from './routes/sessions.js';
import type { ErrorBody } from './schemas.js';
import type { SessionStore } from './sessions.js';
import { RequestValidationError, typeboxValidatorCompiler } from './validation.js';

export interface AppDeps {
  config: ServiceConfig;
  logger: Logger;
  model: ImageModel;
  /** The diagnosis context of every failure: project, runtime, location, model, principal. */
  context: Context;
  readiness: Readiness;
  sessions: SessionStore;
  diagnose: Diagnose;
  buildPlan?: (diagnosis: Diagnosis) => Plan;
  /** Aborted when shutdown gives up waiting for in-flight model calls. */
  shutdownSignal?: AbortSignal;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Node enforces headersTimeout / requestTimeout only when it sweeps its connections, every
 * connectionsCheckingInterval (30 s by default): a 1 s sweep closes a slow-header socket within a
 * second of its deadline.
 */
function socketOptions(config: AppDeps['config']): ServerOptions {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.sockets;
  return {
    headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    connectionsCheckingInterval: 1000,
  };
}

function errorBody(requestId: string, cause: string, message: string, field?: string): ErrorBody {
  return { error: { cause, message, ...(field !== undefined ? { field } : {}), request_id: requestId } };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per generation is logged by the route itself; no generic request lines.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    bodyLimit: deps.config.bodyLimitBytes,
    serverFactory: (handler) => createServer(socketOptions(deps.config), handler),
    // Keep a caller's request id (Cloud Run forwards x-request-id from load balancers); else mint one.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Cloud Run sends SIGTERM and waits 10 s: refuse new work, finish what is in flight.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  // fastify parses text/plain too, and a text body then fails the schema as a 400; the API takes
  // JSON only, so any other media type is a 415.
  app.removeContentTypeParser('text/plain');

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'genai-doctor reference image service',
        description:
          'Generates images with a Gemini image model on Vertex AI. Failures carry a genai-doctor catalog code; see /errors/{code}.',
        version: process.env.DD_VERSION ?? '0.1.0',
      },
      tags: [
        { name: 'images', description: 'Image generation' },
        { name: 'sessions', description: 'What a session generated' },
        { name: 'operations', description: 'Health, readiness and the error catalog' },
      ],
    },
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // While shutting down, close each connection after its answer: a keep-alive socket that goes
    // idle after close() began would otherwise hold the server open until its timeout.
    if (deps.readiness.snapshot().shuttingDown) reply.header('connection', 'close');
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof RequestValidationError || err.code === 'FST_ERR_VALIDATION') {
      const field = err instanceof RequestValidationError ? err.field : undefined;
      return reply.code(400).send(errorBody(request.id, 'request.invalid', err.message, field));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send(
          errorBody(request.id, 'request.too_large', `The body exceeds ${deps.config.bodyLimitBytes} bytes.`),
        );
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply
        .code(415)
        .send(errorBody(request.id, 'request.unsupported_media_type', 'Send the body as application/json.'));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Malformed JSON, empty body and the like: the client's message, never a stack.
      return reply.code(err.statusCode).send(errorBody(request.id, 'request.invalid', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody(request.id, 'service.internal', 'Internal error.'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody(request.id, 'route.not_found', `No route ${request.method} ${request.url}`)),
  );

  registerGenerateRoute(app, deps);
  registerSessionRoutes(app, deps);
  registerHealthRoutes(app, deps);
  registerErrorPages(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
