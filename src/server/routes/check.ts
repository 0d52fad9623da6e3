/**
 * POST /api/check (the whole live check as one answer) and GET /api/check/stream (the same check
 * as Server-Sent Events: `start`, one `probe` per probe as it finishes, then `result` or `failure`).
 */
import type { FastifyInstance } from 'fastify';
import type { ConsoleEngine } from '../engine.js';
import { toErrorBody } from '../errors.js';
import { anyObject, CheckQuery, ErrorReply } from '../schemas.js';
import { openSse } from '../sse.js';

export function registerCheckRoutes(app: FastifyInstance, engine: ConsoleEngine): void {
  app.post<{ Body: CheckQuery }>(
    '/api/check',
    {
      schema: {
        tags: ['live'],
        summary: `Run a live check (against ${engine.target})`,
        body: CheckQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              target: { type: 'string' },
              probes: { type: 'array', items: anyObject('Probe: id, title, outcome, detail, ms') },
              diagnosis: anyObject('Diagnosis'),
              plan: anyObject('Plan'),
              rendered: anyObject('gcloud / terraform / console renderings'),
            },
          },
          400: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const abort = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableEnded) abort.abort();
      });
      return engine.check(request.body ?? {}, () => {}, abort.signal);
    },
  );

  app.get<{ Querystring: CheckQuery }>(
    '/api/check/stream',
    {
      schema: {
        tags: ['live'],
        summary: 'Run a live check, streaming probes as Server-Sent Events',
        description:
          'Events: `start` {target, description}; `probe` {id, title, outcome, detail, ms} as each probe ' +
          'finishes; then `result` {diagnosis, plan, rendered, probes} or `failure` {status, code, message}.',
        querystring: CheckQuery,
        response: { 400: ErrorReply },
      },
    },
    async (request, reply) => {
      reply.hijack();
      const sse = openSse(reply.raw);
      const query = request.query;
      sse.send('start', {
        target: engine.target,
        description: describe(engine.target, engine.checkQuery(query)),
      });
      try {
        const answer = await engine.check(query, (probe) => sse.send('probe', probe), sse.signal);
        sse.send('result', answer);
      } catch (err) {
        const body = toErrorBody(err, { jsonBytes: 0 });
        if (body.error.status >= 500) request.log.error({ err }, 'live check failed');
        sse.send('failure', {
          ...body.error,
          message: body.error.status >= 500 && err instanceof Error ? err.message : body.error.message,
        });
      }
      sse.close();
    },
  );
}

function describe(target: string, query: CheckQuery): string {
  const parts = [`Checking ${query.project ?? 'the default project'} on ${target}`];
  if (query.cloudRun) parts.push(`Cloud Run service ${query.cloudRun} (${query.region ?? 'default region'})`);
  if (query.model) parts.push(`model ${query.model}`);
  if (query.location) parts.push(`at ${query.location}`);
  return parts.join(', ');
}
