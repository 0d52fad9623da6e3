/**
 * The sandbox's HTTP server: one fastify instance on one port, routed by path the way Google's
 * hosts would route by host name. The metadata server has its own routes (it is not JSON); every
 * other API goes through one catch-all that dispatches Google's REST paths and turns a thrown
 * GoogleApiError into Google's error body.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cloudLoggingApi from './cloud-logging-api.js';
import datadogApi from './datadog-api.js';
import { GoogleApiError, sandboxNotImplemented } from './errors.js';
import { toJsonNames } from './proto-json.js';
import { matchRoute, type Route } from './router.js';
import { geminiRoutes } from './routes/gemini.js';
import { iamRoutes } from './routes/iam.js';
import { registerMetadata } from './routes/metadata.js';
import { oauthRoutes } from './routes/oauth.js';
import { orgRoutes } from './routes/org.js';
import { resourceManagerRoutes } from './routes/resourcemanager.js';
import { runRoutes } from './routes/run.js';
import { serviceUsageRoutes } from './routes/serviceusage.js';
import { troubleshooterRoutes } from './routes/troubleshooter.js';
import { vertexRoutes } from './routes/vertex.js';
import type { SandboxState } from './state.js';

export interface ServerOptions {
  state: SandboxState;
  /** Delay added to every request (benchmarks of parallel probing). */
  latencyMs: number;
  /** How long long-running operations take. */
  operationDelayMs: number;
  signing: { keyPem: string; keyId: string };
  /** Base URL, known once listening; routes that print URLs read it lazily. */
  baseUrl: () => string;
}

const REQUEST_LOG_LIMIT = 2000;

function wwwAuthenticate(err: GoogleApiError): string {
  const reason = err.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo')?.reason;
  const realm = 'Bearer realm="https://accounts.google.com/"';
  return reason === 'CREDENTIALS_MISSING' ? realm : `${realm}, error="invalid_token"`;
}

function notImplemented(req: FastifyRequest, reply: FastifyReply) {
  const path = req.url.split('?')[0] ?? req.url;
  const err = sandboxNotImplemented(req.method, path);
  return reply.code(err.code).type('application/json; charset=UTF-8').send(err.body());
}

export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, forceCloseConnections: true });
  const { state } = opts;

  // Google's clients send JSON, OAuth form posts, and JSON content-type with an empty body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        new GoogleApiError(
          400,
          'INVALID_ARGUMENT',
          `Invalid JSON payload received. Unexpected token.\n${text.slice(0, 40)}`,
        ),
        undefined,
      );
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) =>
    done(null, { raw: String(body) }),
  );

  if (opts.latencyMs > 0) {
    app.addHook('onRequest', (_req, _reply, done) => {
      setTimeout(done, opts.latencyMs);
    });
  }
  app.addHook('onResponse', (req, reply, done) => {
    state.requestLog.push({
      at: Date.now(),
      method: req.method,
      path: req.url.split('?')[0] ?? req.url,
      status: reply.statusCode,
    });
    if (state.requestLog.length > REQUEST_LOG_LIMIT)
      state.requestLog.splice(0, state.requestLog.length - REQUEST_LOG_LIMIT);
    done();
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof GoogleApiError) {
      // Google's front end names the auth scheme on every 401 (RFC 6750).
      if (err.code === 401) reply.header('www-authenticate', wwwAuthenticate(err));
      // A JSON-array stream (streamGenerateContent without alt=sse) fails as a one-element array.
      const arrayStream =
        /:streamGenerateContent$/.test(req.url.split('?')[0] ?? '') && !/[?&]alt=sse\b/.test(req.url);
      return reply
        .code(err.code)
        .type('application/json; charset=UTF-8')
        .send(arrayStream ? [err.body()] : err.body());
    }
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode < 500) {
      return reply
        .code(400)
        .send(
          new GoogleApiError(
            400,
            'INVALID_ARGUMENT',
            e.message ?? 'Request contains an invalid argument.',
          ).body(),
        );
    }
    return reply.code(500).send(new GoogleApiError(500, 'INTERNAL', 'Internal error encountered.').body());
  });

  registerMetadata(app, { state, signingKeyPem: opts.signing.keyPem, signingKeyId: opts.signing.keyId });
  // The log stand-ins (Datadog Logs/Monitors, Cloud Logging entries:list) share the port; their
  // static routes win over the catch-alls below.
  app.register(datadogApi, {});
  app.register(cloudLoggingApi, { sandbox: state });

  const routes: Route[] = [
    ...oauthRoutes(opts.signing),
    ...resourceManagerRoutes(),
    ...serviceUsageRoutes(() => opts.operationDelayMs),
    ...iamRoutes(opts.signing),
    ...troubleshooterRoutes(),
    ...vertexRoutes(),
    ...geminiRoutes(),
    ...runRoutes(() => opts.operationDelayMs),
    ...orgRoutes(() => opts.operationDelayMs),
  ];

  const dispatch = async (req: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(req.url, 'http://sandbox.invalid');
    // Google accepts %3A for ':' in custom methods and %40 for '@' in emails.
    const path = url.pathname.replace(/%3A/gi, ':');
    const found = matchRoute(routes, req.method, path);
    if (!found || 'methodNotAllowed' in found) return notImplemented(req, reply);
    // Proto3 JSON bodies under their JSON names; OAuth's form fields are not proto fields.
    const json = /json/i.test(String(req.headers['content-type'] ?? ''));
    const body =
      req.body && typeof req.body === 'object' && !Array.isArray(req.body)
        ? ((json ? toJsonNames(req.body) : req.body) as Record<string, unknown>)
        : {};
    const result = await found.route.handler({
      state,
      req,
      reply,
      params: found.params,
      query: url.searchParams,
      body,
      baseUrl: opts.baseUrl(),
    });
    if (reply.sent) return reply;
    return reply.type('application/json; charset=UTF-8').send(result);
  };

  // Anything else is a route the sandbox does not serve: it says so, rather than answering with
  // Google's NOT_FOUND, which a client (and diagnose) would read as a missing resource.
  app.setNotFoundHandler(notImplemented);
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/v1/*', handler: dispatch });
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/v1beta1/*', handler: dispatch });
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/v1beta/*', handler: dispatch });
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/v1alpha/*', handler: dispatch });
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/v2/*', handler: dispatch });
  app.route({ method: ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'], url: '/v3/*', handler: dispatch });
  app.route({ method: ['GET'], url: '/storage/v1/*', handler: dispatch });
  app.route({ method: ['GET', 'POST'], url: '/token', handler: dispatch });
  app.route({ method: ['GET', 'POST'], url: '/tokeninfo', handler: dispatch });
  app.route({ method: ['GET', 'POST'], url: '/oauth2/v3/tokeninfo', handler: dispatch });
  app.route({ method: ['POST'], url: '/revoke', handler: dispatch });
  return app;
}
