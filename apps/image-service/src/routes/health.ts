/**
 * /healthz: liveness only (the process answers). /readyz: the cached access verdict; 503 with the
 * finding when the service's identity could not call its model (never runs a check inline).
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';
import { ReadinessBody } from '../schemas.js';

export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'] } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: can the service identity call its model?',
        tags: ['operations'],
        response: { 200: ReadinessBody, 503: ReadinessBody },
      },
    },
    async (_request, reply) => {
      const s = deps.readiness.snapshot();
      const ready = s.status === 'ready' && !s.shuttingDown;
      return reply.code(ready ? 200 : 503).send({
        status: s.shuttingDown ? 'not_ready' : s.status,
        check: s.check,
        ...(s.checkedAt ? { checked_at: s.checkedAt } : {}),
        // The finding's client-safe part; its detail (principal, project) is in the log only.
        ...(s.finding
          ? { finding: { cause: s.finding.cause, code: s.finding.code, summary: s.finding.summary } }
          : {}),
        ...(s.shuttingDown ? { shutting_down: true } : {}),
      });
    },
  );
}
