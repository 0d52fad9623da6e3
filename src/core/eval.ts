/**
 * Scoring the diagnosis engine on labelled cases (the ../shared/corpus/TAXONOMY.md case format):
 * top-1 accuracy, accept-set accuracy, per-field extraction accuracy, a confusion table and
 * every miss. Pure: cases in, scores out (reading the folder is the CLI's job).
 */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { diagnose as defaultDiagnose } from './diagnose/index.js';
import type { Context, Diagnosis, Facts } from './model.js';
import { CAUSE_IDS, type CauseId, isCauseId } from './taxonomy.js';

export const EVAL_FIELDS = [
  'http',
  'status',
  'reason',
  'permission',
  'project',
  'location',
  'model',
  'service',
] as const;
export type EvalField = (typeof EVAL_FIELDS)[number];

const Cause = Type.Union(CAUSE_IDS.map((c) => Type.Literal(c)));

export const CaseSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  source: Type.Optional(Type.String()),
  input: Type.Object({
    text: Type.String(),
    context: Type.Optional(
      Type.Object({
        runtime: Type.Optional(Type.String()),
        project: Type.Optional(Type.String()),
        principal: Type.Optional(Type.String()),
        location: Type.Optional(Type.String()),
        model: Type.Optional(Type.String()),
        service: Type.Optional(Type.String()),
        notes: Type.Optional(Type.String()),
      }),
    ),
  }),
  expected: Type.Object({
    cause: Cause,
    accept: Type.Optional(Type.Array(Cause)),
    http: Type.Optional(Type.Integer()),
    status: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    permission: Type.Optional(Type.String()),
    project: Type.Optional(Type.String()),
    location: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    service: Type.Optional(Type.String()),
  }),
  evidence: Type.Optional(Type.String()),
});

export type EvalCase = Static<typeof CaseSchema>;

export type CaseCheck = { ok: true; case: EvalCase } | { ok: false; errors: string[] };

/** Validates one parsed case file; every problem is reported, none throws. */
export function checkCase(value: unknown): CaseCheck {
  if (Value.Check(CaseSchema, value)) return { ok: true, case: value };
  const errors = [...Value.Errors(CaseSchema, value)]
    .slice(0, 5)
    .map((e) => `${e.path || '/'}: ${e.message}`);
  return { ok: false, errors: errors.length ? errors : ['not a case object'] };
}

export interface FieldScore {
  checked: number;
  correct: number;
  accuracy: number;
}

export interface Miss {
  id: string;
  expected: CauseId;
  accept: CauseId[];
  got: CauseId;
  confidence: number;
  /** The top-1 was in the accept set (counted by `accepted`, not by `top1`). */
  accepted: boolean;
  ranking: Array<{ cause: CauseId; confidence: number }>;
}

export interface FieldMiss {
  id: string;
  field: EvalField;
  expected: string;
  got: string | null;
}

/** One confidence bin: the answers whose top-1 confidence fell in [from, to). */
export interface CalibrationBin {
  from: number;
  to: number;
  count: number;
  /** Top-1 exactly right. */
  correct: number;
  /** Top-1 in the accept set (the figure `confidentWrong` is read against). */
  accepted: number;
  accuracy: number;
}

/** Confidence at or above which an answer counts as confident (the 0.8). */
export const CONFIDENT = 0.8;

const BIN_EDGES = [0, 0.35, 0.5, 0.65, 0.8, 0.9, 1.0001] as const;

export interface EvalReport {
  cases: number;
  top1: number;
  accepted: number;
  /** Accuracy by confidence bin: does a 0.9 mean nine in ten? */
  calibration: CalibrationBin[];
  /** Answers at confidence >= CONFIDENT whose top-1 was not accepted. */
  confidentWrong: number;
  /** Share of the confident answers (>= CONFIDENT) that were accepted. */
  confidentAccuracy: number;
  fields: Record<EvalField, FieldScore>;
  /** confusion[expected][got] = count. */
  confusion: Record<string, Record<string, number>>;
  misses: Miss[];
  fieldMisses: FieldMiss[];
}

export type DiagnoseFn = (text: string, context: Context) => Diagnosis;

export function scoreCases(cases: readonly EvalCase[], diagnoseFn: DiagnoseFn = defaultDiagnose): EvalReport {
  const fields = Object.fromEntries(
    EVAL_FIELDS.map((f) => [f, { checked: 0, correct: 0, accuracy: 1 }]),
  ) as Record<EvalField, FieldScore>;
  const confusion: Record<string, Record<string, number>> = {};
  const misses: Miss[] = [];
  const fieldMisses: FieldMiss[] = [];
  let top1 = 0;
  let accepted = 0;
  const bins: CalibrationBin[] = BIN_EDGES.slice(0, -1).map((from, i) => ({
    from,
    to: Math.min(1, BIN_EDGES[i + 1] as number),
    count: 0,
    correct: 0,
    accepted: 0,
    accuracy: 1,
  }));
  let confidentWrong = 0;
  let confident = 0;
  for (const c of cases) {
    const d = diagnoseFn(c.input.text, (c.input.context ?? {}) as Context);
    const first = d.findings[0];
    const got: CauseId = first && isCauseId(first.cause) ? first.cause : 'unknown';
    const accept = (c.expected.accept ?? []) as CauseId[];
    const exact = got === c.expected.cause;
    const ok = exact || accept.includes(got);
    if (exact) top1++;
    if (ok) accepted++;
    const conf = first?.confidence ?? 0;
    const bin = bins.find((b, i) => conf >= b.from && conf < (BIN_EDGES[i + 1] as number));
    if (bin) {
      bin.count++;
      if (exact) bin.correct++;
      if (ok) bin.accepted++;
    }
    if (conf >= CONFIDENT) {
      confident++;
      if (!ok) confidentWrong++;
    }
    confusion[c.expected.cause] ??= {};
    const row = confusion[c.expected.cause] as Record<string, number>;
    row[got] = (row[got] ?? 0) + 1;
    if (!exact) {
      misses.push({
        id: c.id,
        expected: c.expected.cause,
        accept,
        got,
        confidence: first?.confidence ?? 0,
        accepted: ok,
        ranking: d.findings.slice(0, 4).map((f) => ({ cause: f.cause, confidence: f.confidence })),
      });
    }
    for (const field of EVAL_FIELDS) {
      const want = c.expected[field];
      if (want === undefined) continue;
      const score = fields[field];
      score.checked++;
      const have = (d.facts as Facts)[field];
      if (have !== undefined && String(have) === String(want)) score.correct++;
      else
        fieldMisses.push({
          id: c.id,
          field,
          expected: String(want),
          got: have === undefined ? null : String(have),
        });
    }
  }
  for (const f of EVAL_FIELDS) {
    const s = fields[f];
    s.accuracy = s.checked === 0 ? 1 : round(s.correct / s.checked);
  }
  for (const b of bins) b.accuracy = b.count === 0 ? 1 : round(b.accepted / b.count);
  const n = cases.length;
  return {
    cases: n,
    top1: n === 0 ? 0 : round(top1 / n),
    accepted: n === 0 ? 0 : round(accepted / n),
    calibration: bins,
    confidentWrong,
    confidentAccuracy: confident === 0 ? 1 : round((confident - confidentWrong) / confident),
    fields,
    confusion,
    misses,
    fieldMisses,
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** The report as plain text: figures, per-field table, confusion rows that are off-diagonal, misses. */
export function formatEvalReport(
  r: EvalReport,
  invalid: Array<{ file: string; errors: string[] }> = [],
): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines: string[] = [];
  lines.push(`cases: ${r.cases}`);
  lines.push(`top-1 accuracy:      ${pct(r.top1)}`);
  lines.push(`accept-set accuracy: ${pct(r.accepted)}`);
  lines.push(
    `confident (>= ${CONFIDENT}) answers: ${pct(r.confidentAccuracy)} right, ${r.confidentWrong} confidently wrong`,
  );
  lines.push('');
  lines.push('calibration (top-1 confidence -> accept-set accuracy):');
  for (const b of r.calibration) {
    lines.push(
      `  [${b.from.toFixed(2)}, ${b.to.toFixed(2)}${b.to >= 1 ? ']' : ')'}  ${String(b.count).padStart(4)} answers  ${b.count === 0 ? '     -' : pct(b.accuracy).padStart(6)}`,
    );
  }
  lines.push('');
  lines.push('field extraction:');
  for (const f of EVAL_FIELDS) {
    const s = r.fields[f];
    lines.push(
      `  ${f.padEnd(11)} ${s.checked === 0 ? '   -' : pct(s.accuracy).padStart(6)}  (${s.correct}/${s.checked})`,
    );
  }
  lines.push('');
  lines.push('confusion (expected -> got: count):');
  for (const [want, row] of Object.entries(r.confusion).sort(([a], [b]) => a.localeCompare(b))) {
    const cells = Object.entries(row)
      .sort(([, a], [, b]) => b - a)
      .map(([got, n]) => `${got === want ? '=' : got}:${n}`)
      .join('  ');
    lines.push(`  ${want.padEnd(28)} ${cells}`);
  }
  lines.push('');
  lines.push(r.misses.length === 0 ? 'misses: none' : `misses (${r.misses.length}):`);
  for (const m of r.misses) {
    lines.push(
      `  ${m.id}: expected ${m.expected}, got ${m.got} (${m.confidence})${m.accepted ? ' [in accept set]' : ''}`,
    );
  }
  if (r.fieldMisses.length > 0) {
    lines.push('');
    lines.push(`field misses (${r.fieldMisses.length}):`);
    for (const m of r.fieldMisses)
      lines.push(`  ${m.id}: ${m.field} expected ${m.expected}, got ${m.got ?? '(none)'}`);
  }
  if (invalid.length > 0) {
    lines.push('');
    lines.push(`invalid case files (${invalid.length}, skipped):`);
    for (const i of invalid) lines.push(`  ${i.file}: ${i.errors.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}
