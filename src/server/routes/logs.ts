/** POST /api/logs : a raw log upload (gzip ok) streamed into the log reader -> incidents + timeline. */
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ConsoleLimits } from '../app.js';
import type { ConsoleEngine } from '../engine.js';
import { HttpError } from '../errors.js';
import { anyObject, ErrorReply, LogsQuery } from '../schemas.js';

/** How far a gzip upload may inflate, relative to the upload limit. */
const INFLATE_FACTOR = 20;

/** Registered in its own scope: here the body is any bytes, streamed, not parsed by fastify. */
export function registerLogsRoute(
  scope: FastifyInstance,
  engine: ConsoleEngine,
  limits: ConsoleLimits,
): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  scope.post<{ Querystring: LogsQuery; Body: Readable | undefined }>(
    '/api/logs',
    {
      bodyLimit: limits.logsBytes,
      schema: {
        tags: ['logs'],
        summary: 'Read a log export into incidents',
        description:
          'The body is the file itself (Datadog or Cloud Logging JSON lines, a JSON array, or plain text; ' +
          `gzip is detected by its magic bytes). At most ${limits.logsBytes} bytes.`,
        querystring: LogsQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              input: { type: 'string' },
              stats: anyObject('Read statistics: records, failures, malformed lines with numbers'),
              incidents: { type: 'array', items: anyObject('Incident with diagnosis, plan and renderings') },
              timeline: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { minute: { type: 'string' }, failures: { type: 'integer' } },
                },
              },
            },
          },
          400: ErrorReply,
          413: ErrorReply,
          422: ErrorReply,
          503: ErrorReply,
        },
      },
    },
    async (request) => {
      const declared = Number(request.headers['content-length'] ?? Number.NaN);
      if (declared > limits.logsBytes) {
        throw new HttpError(413, 'BODY_TOO_LARGE', `The upload is larger than ${limits.logsBytes} bytes`);
      }
      const body = request.body ?? request.raw;
      const { name, ...context } = request.query;
      return engine.readLogs(body, {
        name: name ?? 'upload',
        context,
        limits: {
          bytes: limits.logsBytes,
          inflatedBytes: limits.logsBytes * INFLATE_FACTOR,
          budgetMs: limits.logsBudgetMs,
        },
      });
    },
  );
}
