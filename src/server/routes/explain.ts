/** GET /api/explain/:code : the catalog page for a code (1152) or a cause id (iam.missing_permission). */
import type { FastifyInstance } from 'fastify';
import type { ConsoleEngine } from '../engine.js';
import { HttpError } from '../errors.js';
import { anyObject, ErrorReply, ExplainParams } from '../schemas.js';

export function registerExplainRoute(app: FastifyInstance, engine: ConsoleEngine): void {
  app.get<{ Params: ExplainParams }>(
    '/api/explain/:code',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Catalog page for a code or cause id',
        params: ExplainParams,
        response: {
          200: {
            type: 'object',
            properties: {
              code: { type: 'integer' },
              title: { type: 'string' },
              causes: { type: 'array', items: { type: 'string' } },
              markdown: { type: 'string' },
              page: anyObject('The structured catalog page'),
            },
          },
          404: ErrorReply,
        },
      },
    },
    async (request) => {
      const page = engine.explain(request.params.code);
      if (!page) {
        throw new HttpError(404, 'UNKNOWN_CODE', `No catalog page for "${request.params.code.slice(0, 80)}"`);
      }
      return page;
    },
  );
}
