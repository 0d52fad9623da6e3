/** POST /api/diagnose and POST /api/plan: error text (or a diagnosis) -> cause, evidence, plan. */
import type { FastifyInstance } from 'fastify';
import type { Context, Diagnosis } from '../../core/model.js';
import { isCauseId } from '../../core/taxonomy.js';
import type { ConsoleEngine } from '../engine.js';
import { HttpError } from '../errors.js';
import { anyObject, DiagnoseBody, ErrorReply, PlanBody } from '../schemas.js';

const DiagnoseReply = {
  type: 'object',
  description:
    'The diagnosis (Diagnosis model), its fix plan (Plan model) and the plan rendered for the page',
  properties: {
    diagnosis: anyObject('Diagnosis: facts (with spans into the text), ranked findings, unknowns'),
    plan: anyObject('Plan: options of typed steps, variables, verify and rollback commands'),
    rendered: {
      type: 'object',
      properties: { gcloud: { type: 'string' }, terraform: { type: 'string' }, console: { type: 'string' } },
    },
  },
} as const;

export function registerDiagnoseRoutes(app: FastifyInstance, engine: ConsoleEngine): void {
  app.post<{ Body: DiagnoseBody }>(
    '/api/diagnose',
    {
      schema: {
        tags: ['diagnosis'],
        summary: 'Diagnose an error text',
        description: 'Spans in `diagnosis.facts.spans` and `findings[].evidence[].span` index into `text`.',
        body: DiagnoseBody,
        response: { 200: DiagnoseReply, 400: ErrorReply, 413: ErrorReply },
      },
    },
    async (request) => engine.diagnose(request.body.text, (request.body.context ?? {}) as Context),
  );

  app.post<{ Body: PlanBody }>(
    '/api/plan',
    {
      schema: {
        tags: ['diagnosis'],
        summary: 'Render the fix plan in one format',
        description: 'Send `text` (diagnosed first) or a `diagnosis` returned by /api/diagnose.',
        body: PlanBody,
        response: {
          200: {
            type: 'object',
            properties: {
              format: { type: 'string' },
              output: { type: 'string', description: 'The plan rendered in `format`' },
              plan: anyObject('Plan'),
            },
          },
          400: ErrorReply,
          413: ErrorReply,
        },
      },
    },
    async (request) => {
      const { text, diagnosis, context, format } = request.body;
      let answer: ReturnType<ConsoleEngine['planFor']>;
      if (text !== undefined) answer = engine.diagnose(text, (context ?? {}) as Context);
      else if (diagnosis !== undefined) answer = engine.planFor(checkDiagnosis(diagnosis));
      else throw new HttpError(400, 'BAD_REQUEST', 'Send `text` or `diagnosis`');
      return { format, output: engine.renderPlan(answer.plan, format), plan: answer.plan };
    },
  );
}

/** A diagnosis posted back by a client is untrusted: it must at least name a known cause. */
function checkDiagnosis(value: Record<string, unknown>): Diagnosis {
  const findings = value.findings;
  const top = Array.isArray(findings) ? (findings[0] as { cause?: unknown } | undefined) : undefined;
  if (!top || typeof top.cause !== 'string' || !isCauseId(top.cause)) {
    throw new HttpError(
      400,
      'BAD_REQUEST',
      '`diagnosis.findings[0].cause` must be a cause id from the catalog',
    );
  }
  if (typeof value.facts !== 'object' || value.facts === null) {
    throw new HttpError(400, 'BAD_REQUEST', '`diagnosis.facts` must be an object');
  }
  return { context: {}, unknowns: [], ...value, schemaVersion: 1 } as unknown as Diagnosis;
}
