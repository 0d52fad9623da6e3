import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkCase, type EvalCase, formatEvalReport, scoreCases } from '../../src/core/eval.js';

// The shared corpus sits beside the repository; it is read from there, never copied.
const CORPUS = new URL('../../../shared/corpus/cases', import.meta.url).pathname;

test('the engine scores at least 0.90 top-1 on the shared corpus', () => {
  // ../shared sits beside every clone in CI; outside it there is nothing to score against.
  if (!existsSync(CORPUS)) return;
  const cases: EvalCase[] = [];
  for (const name of readdirSync(CORPUS)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const checked = checkCase(JSON.parse(readFileSync(join(CORPUS, name), 'utf8')));
    assert.ok(checked.ok, `${name}: ${checked.ok ? '' : checked.errors.join('; ')}`);
    cases.push(checked.case);
  }
  const report = scoreCases(cases);
  process.stdout.write(
    `# corpus: ${report.cases} cases, top-1 ${report.top1}, accept-set ${report.accepted}\n`,
  );
  assert.ok(report.top1 >= 0.9, formatEvalReport(report));
  // A confident answer (>= 0.8) must be right: none outside the accept set, and >= 97 % in it.
  assert.equal(report.confidentWrong, 0, formatEvalReport(report));
  assert.ok(report.confidentAccuracy >= 0.97, formatEvalReport(report));
  assert.ok(report.accepted >= report.top1);
  for (const [field, score] of Object.entries(report.fields)) {
    assert.ok(score.accuracy >= 0.9, `${field} extraction ${score.accuracy}`);
  }
});

test('scoring: top-1, accept set, fields, confusion and misses', () => {
  const base = { id: 'x', input: { text: '' }, expected: { cause: 'unknown' as const } };
  const cases: EvalCase[] = [
    {
      ...base,
      id: 'hit',
      input: { text: 'Error: [400 FAILED_PRECONDITION] User location is not supported for the API use.' },
      expected: { cause: 'region.unsupported', http: 400, status: 'FAILED_PRECONDITION' },
    },
    {
      ...base,
      id: 'accepted',
      input: {
        text: '{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}',
      },
      expected: { cause: 'quota.exceeded', accept: ['rate.throttled'], http: 429 },
    },
    {
      ...base,
      id: 'miss',
      input: { text: 'HTTP 404 Not Found' },
      expected: { cause: 'model.not_found', http: 403 },
    },
  ];
  const r = scoreCases(cases);
  assert.equal(r.cases, 3);
  assert.equal(r.top1, 0.3333);
  assert.equal(r.accepted, 0.6667);
  assert.deepEqual(r.fields.http, { checked: 3, correct: 2, accuracy: 0.6667 });
  assert.equal(r.fields.status.checked, 1);
  assert.deepEqual(
    r.misses.map((m) => [m.id, m.accepted]),
    [
      ['accepted', true],
      ['miss', false],
    ],
  );
  assert.equal(r.confusion['quota.exceeded']?.['rate.throttled'], 1);
  assert.deepEqual(r.fieldMisses, [{ id: 'miss', field: 'http', expected: '403', got: '404' }]);
  // Every answer lands in exactly one confidence bin; the bins say how often each level is right.
  assert.equal(
    r.calibration.reduce((n, b) => n + b.count, 0),
    3,
  );
  for (const b of r.calibration) assert.ok(b.accepted <= b.count && b.correct <= b.accepted);
  assert.equal(r.confidentWrong, r.misses.filter((m) => !m.accepted && m.confidence >= 0.8).length);
  assert.match(formatEvalReport(r), /calibration \(top-1 confidence/);
});

test('bad case files are reported, not thrown', () => {
  const bad = checkCase({ id: 'x', input: {}, expected: { cause: 'no.such.cause' } });
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.errors.length > 0);
  assert.equal(checkCase(null).ok, false);
});
