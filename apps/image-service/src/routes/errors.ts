/**
 * GET /errors/:code: the catalog page for a code (1152) or cause id, the `docs` link of every error
 * body. JSON (the catalog's own page record) when Accept asks for it, otherwise a small
 * self-contained HTML page rendered from the same record, every value escaped.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type CatalogPage, explainCode } from 'genai-doctor';
import { ErrorBody } from '../schemas.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** JSON when Accept names application/json ahead of (or without) text/html. */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = accept.indexOf('application/json');
  const html = accept.indexOf('text/html');
  return json >= 0 && (html < 0 || json < html);
}

export function renderCatalogHtml(p: CatalogPage): string {
  const e = escapeHtml;
  const causes = p.causes
    .map(
      (c) =>
        `<article${p.focus === c.cause ? ' class="focus"' : ''}><h3><code>${e(c.cause)}</code> ${e(c.title)}</h3>
<p>${e(c.happens)}</p><p><strong>Evidence:</strong> ${e(c.evidence)}</p><p><strong>Fix:</strong> ${e(c.fix)}</p></article>`,
    )
    .join('\n');
  const remediation = p.remediation
    .map(
      (r) =>
        `<tr><td>${e(r.environment)}</td><td>${e(r.action)}</td><td>${e(r.outcome)}</td></tr>${
          r.snippet ? `<tr><td></td><td colspan="2"><pre><code>${e(r.snippet)}</code></pre></td></tr>` : ''
        }`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error ${p.code}: ${e(p.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f4f4f4;padding:.75rem;overflow:auto;margin:0}code{font-family:ui-monospace,monospace}
table{border-collapse:collapse;table-layout:fixed;width:100%}td{border-top:1px solid #ddd;padding:.4rem;vertical-align:top;overflow-wrap:break-word}td:first-child{width:22%}
article.focus{border-left:4px solid #e8a400;padding-left:.75rem}</style>
</head><body>
<h1>Error ${p.code}: ${e(p.title)}</h1>
<h2>Quick answer</h2><p>${e(p.quickAnswer)}</p>
<h2>How it happens</h2><p>${e(p.mechanics)}</p>
<h2>Causes</h2>
${causes}
<h2>Remediation</h2><table><tbody>
${remediation}
</tbody></table>
<h2>Best practices</h2><ul>${p.bestPractices.map((b) => `<li>${e(b)}</li>`).join('')}</ul>
<h2>Related codes</h2><ul>${p.related.map((r) => `<li><a href="/errors/${r.code}">${r.code}</a> ${e(r.title)}: ${e(r.why)}</li>`).join('')}</ul>
<h2>TL;DR</h2><p>${e(p.tldr)}</p>
</body></html>
`;
}

export function registerErrorPages(app: FastifyInstance): void {
  app.get<{ Params: { code: string } }>(
    '/errors/:code',
    {
      schema: {
        summary: 'Catalog page for an error code or cause id (HTML, or JSON with Accept: application/json)',
        tags: ['operations'],
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const page = explainCode(request.params.code);
      if (!page) {
        return reply.code(404).send({
          error: {
            cause: 'catalog.not_found',
            message: 'No catalog page for this code.',
            request_id: request.id,
          },
        });
      }
      if (prefersJson(request.headers.accept)) return reply.type('application/json').send(page);
      return reply.type('text/html; charset=utf-8').send(renderCatalogHtml(page));
    },
  );
}
