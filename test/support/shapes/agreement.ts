/**
 * Shape agreement: each rendering's top cause against the top cause of the case's own text,
 * both diagnosed with the case's context, tallied per shape.
 */
import { diagnose } from '../../../src/core/diagnose/index.js';
import { restJson } from './formats.js';
import { loadCases, type Rendering, renderAll, SHAPES, type Shape, type ShapeCase } from './generate.js';

/**
 * Shapes whose real text leaves the error's details out: grpcio's _InactiveRpcError and grpc-js's
 * error print status and message only (the details travel in a binary trailer), and a Java
 * exception's toString() is "Class: StatusRuntimeException: CODE: message". When a case's cause rests on a detail (a quota
 * limit of 0, an org-policy constraint named only in a PreconditionFailure), these texts no
 * longer hold it; they are held to the answer for the same error without details instead.
 */
export const DETAIL_DROPPING: readonly Shape[] = ['python-grpc', 'node-grpc', 'java-gax-grpc'];

export interface Disagreement {
  caseId: string;
  shape: Shape;
  expected: string;
  got: string;
  /** For a detail-dropping shape: the answer for the error without details, which it matched. */
  withoutDetails?: string;
  text: string;
}

export interface Agreement {
  cases: number;
  /** Cases with an error the clients re-render (the others get the log wrappers only). */
  rendered: number;
  perShape: Record<Shape, { total: number; agree: number }>;
  total: number;
  agree: number;
  /** Disagreements of detail-dropping shapes that the error without details shares. */
  explained: number;
  disagreements: Disagreement[];
}

export function topCause(text: string, c: ShapeCase): string {
  return diagnose(text, c.context).findings[0]?.cause ?? 'none';
}

export function score(cases: ShapeCase[], renderings: Rendering[]): Agreement {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const original = new Map(cases.map((c) => [c.id, topCause(c.text, c)]));
  const perShape = Object.fromEntries(
    SHAPES.map((s) => [s, { total: 0, agree: 0 }]),
  ) as Agreement['perShape'];
  const disagreements: Disagreement[] = [];
  for (const r of renderings) {
    const c = byId.get(r.caseId) as ShapeCase;
    const expected = original.get(r.caseId) as string;
    const got = topCause(r.text, c);
    perShape[r.shape].total++;
    if (got === expected) {
      perShape[r.shape].agree++;
      continue;
    }
    const d: Disagreement = { caseId: r.caseId, shape: r.shape, expected, got, text: r.text };
    if (DETAIL_DROPPING.includes(r.shape) && c.error) {
      const bare = topCause(restJson({ ...c.error, details: [], errors: [] }), c);
      if (bare === got) d.withoutDetails = bare;
    }
    disagreements.push(d);
  }
  const total = renderings.length;
  const explained = disagreements.filter((d) => d.withoutDetails !== undefined).length;
  return {
    cases: cases.length,
    rendered: cases.filter((c) => c.error).length,
    perShape,
    total,
    agree: total - disagreements.length,
    explained,
    disagreements,
  };
}

export function formatTable(a: Agreement): string {
  const rate = (agree: number, total: number) => (total ? (agree / total).toFixed(3) : '-');
  const rows = SHAPES.map((s) => {
    const { total, agree } = a.perShape[s];
    return `| ${s} | ${total} | ${agree} | ${rate(agree, total)} |`;
  });
  return [
    `${a.cases} cases, ${a.rendered} with an error the clients re-render`,
    '',
    '| shape | renderings | same top cause | agreement |',
    '|---|---|---|---|',
    ...rows,
    `| **all** | ${a.total} | ${a.agree} | ${rate(a.agree, a.total)} |`,
    '',
    `${a.explained} of ${a.disagreements.length} disagreements are detail-dropping shapes answering as the error without its details does.`,
  ].join('\n');
}

/** `node --import tsx test/support/shapes/agreement.ts [--misses]`: the table (and each miss). */
if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = loadCases();
  const a = score(cases, await renderAll(cases));
  console.log(formatTable(a));
  if (process.argv.includes('--misses'))
    for (const d of a.disagreements)
      console.log(
        `\n--- ${d.caseId} [${d.shape}] expected ${d.expected}, got ${d.got}\n${d.text.slice(0, 1500)}`,
      );
}
