/**
 * The fleet view: GET /fleet (its own page, same CSP rules as the console page) and POST /api/scan
 * (a scan of an organization / folders / projects with the credentials live checks use), answered
 * as a lean table: one row per finding, ranked, with cause, owner and how the workload was found.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { renderFleetPage } from '../page/fleet.js';
import { sendPage } from './page.js';

interface ScanBody {
  organization?: string;
  folders?: string[];
  projects?: string[];
}

export function registerScanRoutes(app: FastifyInstance, target: string): void {
  app.get('/fleet', { schema: { hide: true } }, async (_request, reply) =>
    sendPage(reply, (nonce) => renderFleetPage({ nonce, target })),
  );

  app.post<{ Body: ScanBody }>(
    '/api/scan',
    {
      schema: {
        tags: ['live'],
        summary: 'Scan an organization, folders or projects for Gemini workloads that will fail',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            organization: { type: 'string', maxLength: 32 },
            folders: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 32 } },
            projects: { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 64 } },
          },
        },
      },
    },
    async (request) => {
      const { scopesOf, ScopeError } = await import('../../scan/scopes.js');
      let scopes: string[];
      try {
        scopes = scopesOf({
          ...(request.body.organization ? { organization: request.body.organization } : {}),
          folder: request.body.folders ?? [],
          project: request.body.projects ?? [],
        });
      } catch (e) {
        if (e instanceof ScopeError)
          throw new HttpError(400, 'BAD_SCOPE', e.message.replace(/--(\w+)/, '$1'));
        throw e;
      }
      const { runScan } = await import('../../scan/index.js');
      // The console's live backend put its world's credentials and endpoints in process.env.
      const r = await runScan({ scopes, env: process.env });
      return {
        scopes: r.scopes,
        counts: r.counts,
        unknowns: r.unknowns,
        findings: r.findings.map((f, i) => ({
          rank: i + 1,
          severity: f.severity,
          class: f.class,
          code: f.code ?? null,
          title: f.title,
          summary: f.summary,
          project: f.project,
          owner: f.owner,
          subject: f.subject,
          service: f.workload?.service ?? null,
          identity: f.workload?.identity ?? null,
          target: f.workload?.targetProject ?? null,
          recognisedBy: f.workload?.recognisedBy ?? [],
          fix: (f.plan.options.find((o) => o.recommended) ?? f.plan.options[0])?.title ?? null,
        })),
      };
    },
  );
}
