/**
 * The redaction property, through every output: every credential form (API keys, express keys,
 * access / refresh tokens, JWTs, service-account private keys, client secrets, Bearer tokens in any
 * spelling, key= / access_token= / token= query values) in every context (escaped, URL-encoded,
 * JSON-serialised, Python repr, quoted, glued) goes through `diagnose` (text, md, json), `logs`
 * (text, md, json), `report` (md, html), the console's /api/diagnose and /api/logs, and the
 * console's access log, and no secret comes out in any encoding.
 *
 * Each output also counts the embeddings whose canary it printed, so "0 leaks" cannot come from
 * an output that printed nothing of the evidence.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';
import { docHtml, docMarkdown } from '../../src/core/incidents/doc.js';
import { renderAnalysis } from '../../src/core/incidents/render.js';
import { incidentRunbook } from '../../src/core/incidents/runbook.js';
import { buildPlan } from '../../src/core/plan/index.js';
import { redactDeep } from '../../src/core/redact-deep.js';
import { renderReport } from '../../src/core/render/index.js';
import { analyzeRecords } from '../../src/logs/analyze.js';
import { coreEngine } from '../../src/logs/engine.js';
import { incidentMonitoring } from '../../src/monitors/definitions.js';
import { type RunningConsole, startConsole } from '../../src/server/index.js';
import { runCli, tempDir } from '../support/cli.js';
import {
  check,
  describeLeaks,
  type Embedding,
  type LeakTally,
  leaks,
  secretEmbeddings,
  tally,
} from '../support/secret-embeddings.js';

const EMBEDDINGS = secretEmbeddings();

/** A Datadog log event (API shape) carrying the evidence, as `logs --datadog` reads it. */
function logRecord(e: Embedding, i: number): Record<string, unknown> {
  return {
    id: `AQAAAY${i}`,
    type: 'log',
    attributes: {
      timestamp: new Date(Date.UTC(2026, 11, 5, 6, 0, i % 60)).toISOString(),
      status: 'error',
      service: 'genai-adk-python',
      message: e.evidence,
      attributes: { http: { url: `https://api.example.com/v1/generate?${e.canary}=1` }, note: e.embedded },
    },
  };
}

async function* pages(records: unknown[]): AsyncGenerator<unknown[]> {
  yield records;
}

const results: Record<string, LeakTally> = {};
function outputTally(name: string): LeakTally {
  results[name] ??= tally();
  return results[name] as LeakTally;
}

function assertNoLeaks(name: string, { mustShow = true } = {}): void {
  const t = results[name] as LeakTally;
  assert.ok(t.tried > 0, `${name}: nothing tried`);
  assert.equal(t.leaked.length, 0, `${name}: ${t.leaked.length} of ${t.tried} leaked:\n${describeLeaks(t)}`);
  if (mustShow) assert.ok(t.shown > 0, `${name}: no embedding reached the output, the check proves nothing`);
}

describe('no secret leaves genai-doctor, in any encoding', () => {
  let c: RunningConsole;
  before(async () => {
    c = await startConsole({ host: '127.0.0.1', port: 0, live: 'none' });
  });
  after(async () => {
    await c?.close();
    const rows = Object.entries(results).map(
      ([name, t]) =>
        `${name.padEnd(22)} tried ${String(t.tried).padStart(4)}  shown ${String(t.shown).padStart(4)}  leaked ${t.leaked.length}`,
    );
    const total = Object.values(results).reduce((n, t) => n + t.tried, 0);
    const leaked = Object.values(results).reduce((n, t) => n + t.leaked.length, 0);
    process.stdout.write(
      `# ${EMBEDDINGS.length} embeddings (forms x contexts), ${total} embedding-outputs, ${leaked} leaked\n${rows.map((r) => `#   ${r}`).join('\n')}\n`,
    );
  });

  test('the embeddings really hide the secrets: the raw evidence holds each probe', () => {
    for (const e of EMBEDDINGS) assert.ok(leaks(e.evidence, e.probe), `${e.form} / ${e.context}`);
  });

  test('diagnose: text, md and json', () => {
    for (const e of EMBEDDINGS) {
      const d = diagnose(e.evidence, { notes: `${e.canary} ${e.embedded}` });
      const plan = buildPlan(d);
      for (const format of ['text', 'md', 'json'] as const) {
        check(outputTally(`diagnose ${format}`), e, renderReport(d, plan, format), `diagnose ${format}`);
      }
    }
    assertNoLeaks('diagnose text', { mustShow: false });
    assertNoLeaks('diagnose md');
    assertNoLeaks('diagnose json');
  });

  test('logs (text, md, json) and report (md, html)', async () => {
    for (const [i, e] of EMBEDDINGS.entries()) {
      const analysis = await analyzeRecords('datadog: test', pages([logRecord(e, i)]), {
        engine: coreEngine,
        context: {},
        examples: 5,
      });
      const shown = redactDeep(analysis);
      for (const format of ['text', 'md', 'json'] as const) {
        check(outputTally(`logs ${format}`), e, renderAnalysis(shown, format), `logs ${format}`);
      }
      const incident = analysis.incidents[0];
      assert.ok(incident, `${e.form} / ${e.context}: the failure makes an incident`);
      const monitoring = incidentMonitoring(
        {
          service: 'genai-adk-python',
          resource: 'POST /generate',
          spanName: 'fastapi.request',
          notify: [],
          errorRate: 0.05,
          throttleCritical: 10,
        },
        incident.code,
        incident.sample,
      );
      const doc = redactDeep(incidentRunbook(analysis, incident, monitoring));
      check(outputTally('report md'), e, docMarkdown(doc), 'report md');
      check(outputTally('report html'), e, docHtml(doc), 'report html');
    }
    assertNoLeaks('logs text', { mustShow: false });
    for (const name of ['logs md', 'logs json', 'report md', 'report html']) assertNoLeaks(name);
  });

  test('the commands themselves: diagnose, logs and report on all embeddings at once', async () => {
    const dir = tempDir('secret-leaks-');
    const file = join(dir, 'export.jsonl');
    writeFileSync(file, `${EMBEDDINGS.map((e, i) => JSON.stringify(logRecord(e, i))).join('\n')}\n`);
    const evidence = join(dir, 'error.txt');
    writeFileSync(evidence, EMBEDDINGS.map((e) => e.evidence).join('\n'));
    const runs = await Promise.all([
      runCli(['diagnose', evidence, '--format', 'md']),
      runCli(['diagnose', evidence, '--format', 'json']),
      runCli(['logs', file, '--format', 'json']),
      runCli(['report', file, '--format', 'html']),
    ]);
    const names = ['cli diagnose md', 'cli diagnose json', 'cli logs json', 'cli report html'];
    runs.forEach((r, k) => {
      assert.ok(r.stdout.length > 0, `${names[k]}: ${r.stderr}`);
      for (const e of EMBEDDINGS)
        check(outputTally(names[k] as string), e, r.stdout + r.stderr, names[k] as string);
      assertNoLeaks(names[k] as string);
    });
  });

  test('console: /api/diagnose and /api/logs', async () => {
    for (const [i, e] of EMBEDDINGS.entries()) {
      const [diag, logs] = await Promise.all([
        fetch(`${c.url}/api/diagnose`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: e.evidence, context: { notes: e.canary } }),
        }),
        fetch(`${c.url}/api/logs?name=export.jsonl`, {
          method: 'POST',
          body: JSON.stringify(logRecord(e, i)),
        }),
      ]);
      assert.equal(diag.status, 200);
      assert.equal(logs.status, 200);
      check(outputTally('/api/diagnose'), e, await diag.text(), '/api/diagnose');
      check(outputTally('/api/logs'), e, await logs.text(), '/api/logs');
    }
    assertNoLeaks('/api/diagnose');
    assertNoLeaks('/api/logs');
  });

  test('serve --log: the access log never writes a query value or a secret in the path', async () => {
    const lines: string[] = [];
    const logged = await startConsole({
      host: '127.0.0.1',
      port: 0,
      live: 'none',
      logger: { write: (line: string) => void lines.push(line) },
    });
    try {
      for (const e of EMBEDDINGS) {
        const q = encodeURIComponent(e.embedded);
        await (await fetch(`${logged.url}/api/explain/1152?${e.canary}=1&q=${q}&token=${e.canary}`)).text();
        await (await fetch(`${logged.url}/api/explain/${q}`)).text();
      }
    } finally {
      await logged.close();
    }
    const log = lines.join('');
    assert.match(
      log,
      /"url":"\/api\/explain\/1152\?CANARY0001X=\[REDACTED\]&q=\[REDACTED\]&token=\[REDACTED\]"/,
    );
    for (const e of EMBEDDINGS) check(outputTally('serve --log'), e, log, 'serve --log');
    assertNoLeaks('serve --log');
  });
});
