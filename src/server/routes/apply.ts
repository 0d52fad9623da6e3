/**
 * POST /api/fix/apply : registered only when `serve --allow-apply --token T` was given. Every call
 * must carry `Authorization: Bearer T` (compared in constant time). Without the flag this route
 * does not exist and the path answers 404 like any unknown path.
 */
import type { FastifyInstance } from 'fastify';
import type { ConsoleEngine } from '../engine.js';
import { HttpError } from '../errors.js';
import { anyObject, CheckQuery, ErrorReply } from '../schemas.js';
import { bearerMatches } from '../security.js';

export function registerApplyRoute(app: FastifyInstance, engine: ConsoleEngine, token: string): void {
  app.post<{ Body: CheckQuery }>(
    '/api/fix/apply',
    {
      schema: {
        tags: ['live'],
        summary: 'Apply the fix for a live check (only with serve --allow-apply --token)',
        description:
          'Runs the live check, then applies its recommended plan etag-safely and writes an undo record.',
        security: [{ bearer: [] }],
        body: CheckQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              applied: { type: 'boolean' },
              summary: { type: 'string' },
              result: anyObject('What fix --apply did, with the undo record path'),
            },
          },
          401: ErrorReply,
        },
      },
      onRequest: async (request, reply) => {
        if (!bearerMatches(request.headers.authorization, token)) {
          reply.header('www-authenticate', 'Bearer realm="genai-doctor"');
          throw new HttpError(401, 'UNAUTHORIZED', 'A valid bearer token is required to apply a fix');
        }
      },
    },
    async (request) => engine.applyFix(request.body ?? {}),
  );
}
