import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkCase, type EvalCase, formatEvalReport, scoreCases } from '../../src/core/eval.js';

// The project's own hold-out set: real errors from public threads that are NOT in the shared
// corpus, labelled from how each thread resolved. The engine was never tuned on one text.
const HOLDOUT = new URL('../fixtures/holdout', import.meta.url).pathname;

function loadCases(): EvalCase[] {
  const cases: EvalCase[] = [];
  for (const name of readdirSync(HOLDOUT)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const checked = checkCase(JSON.parse(readFileSync(join(HOLDOUT, name), 'utf8')));
    assert.ok(checked.ok, `${name}: ${checked.ok ? '' : checked.errors.join('; ')}`);
    assert.equal(`${checked.case.id}.json`, name, 'file name is the case id');
    assert.match(checked.case.source ?? '', /^https:\/\/github\.com\//, `${name}: source thread`);
    cases.push(checked.case);
  }
  return cases;
}

test('hold-out: at least 30 valid cases covering most causes', () => {
  const cases = loadCases();
  assert.ok(cases.length >= 30, `${cases.length} cases`);
  const causes = new Set(cases.map((c) => c.expected.cause));
  assert.ok(causes.size >= 18, `${causes.size} causes covered`);
});

test('hold-out: the engine scores at least 0.85 top-1', () => {
  const report = scoreCases(loadCases());
  process.stdout.write(
    `# hold-out: ${report.cases} cases, top-1 ${report.top1}, accept-set ${report.accepted}\n`,
  );
  assert.ok(report.top1 >= 0.85, formatEvalReport(report));
  assert.ok(report.accepted >= report.top1);
  for (const [field, score] of Object.entries(report.fields)) {
    assert.ok(score.accuracy >= 0.8, `${field} extraction ${score.accuracy}\n${formatEvalReport(report)}`);
  }
});
