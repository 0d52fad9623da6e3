/**
 * The seeded log lines are what the real Python clients write: each google-genai and google-auth
 * error line is rebuilt with the real exception class (from the values the line holds) and must
 * print exactly the same text (a Python dict repr, not JSON).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { ERROR_TEMPLATES, seedVars } from '../../src/logs/synthetic.js';
import { ensurePythonClients, REPO, runPython } from './harness.js';

before(() => ensurePythonClients());

it('every seeded google-genai / google-auth error line is byte for byte what the client prints', async () => {
  const lines = ERROR_TEMPLATES.filter(
    (t) => t.kind.startsWith('google.genai.errors.') || t.kind === 'google.auth.exceptions.RefreshError',
  ).map((t) => ({ kind: t.kind, text: t.text(seedVars()) }));
  assert.ok(lines.length >= 10, `only ${lines.length} client error templates`);
  const file = join(mkdtempSync(join(tmpdir(), 'seeded-logs-')), 'lines.json');
  writeFileSync(file, JSON.stringify(lines));
  const printed = JSON.parse(
    await runPython([`${REPO}/test/conformance/seeded_logs.py`, file], {}),
  ) as string[];
  assert.deepEqual(
    printed,
    lines.map((l) => l.text),
  );
});
