/** GET /api/v1/sessions/:id: what a session generated (metadata, newest last). */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';
import { ErrorBody, SessionParams, SessionResponse } from '../schemas.js';

export function registerSessionRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { id: string } }>(
    '/api/v1/sessions/:id',
    {
      schema: {
        summary: 'List the images a session generated (metadata only)',
        tags: ['sessions'],
        params: SessionParams,
        response: { 200: SessionResponse, '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const found = deps.sessions.get(request.params.id);
      if (!found) {
        return reply.code(404).send({
          error: {
            cause: 'session.not_found',
            message: 'No generations are recorded for this session.',
            request_id: request.id,
          },
        });
      }
      const payload: SessionResponse = {
        session_id: request.params.id,
        count: found.items.length,
        dropped: found.dropped,
        items: found.items,
      };
      return payload;
    },
  );
}
