/**
 * The live-check routes without a browser, against the embedded sandbox: the SSE stream's event
 * sequence, the one-shot POST, and the opt-in apply route doing a real fix --apply.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { codeOf } from '../../src/core/taxonomy.js';
import { loadScenario } from '../../src/sandbox/index.js';
import type { RunningConsole } from '../../src/server/index.js';
import { consoleFor, type Loose, postJson } from './helpers.js';

const TOKEN = 'a-long-enough-console-token-0001';
/** The causes the sandbox's seed scenario is built to produce (its expected cause and accepted ones). */
const SEED = loadScenario('seed-incident').expect;
const SEED_CAUSES: string[] = [SEED.cause, ...(SEED.accept ?? [])];

interface SseEvent {
  event: string;
  data: Loose;
}

/** Reads a whole SSE answer and splits it into events (comments and heartbeats dropped). */
async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((l) => !l.startsWith(':') && l !== ''))
    .filter((lines) => lines.length > 0)
    .map((lines) => ({
      event: lines.find((l) => l.startsWith('event: '))!.slice(7),
      data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)),
    }));
}

describe('live check routes on the sandbox', () => {
  let c: RunningConsole;
  before(async () => {
    c = await consoleFor({ live: 'sandbox', allowApply: true, token: TOKEN });
  });
  after(() => c.close());

  test('GET /api/check/stream sends start, one probe event per probe, then the result', async () => {
    const res = await fetch(`${c.url}/api/check/stream`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const events = await readSse(res);
    assert.equal(events[0]!.event, 'start');
    assert.match(events[0]!.data.description, /genai-adk-python/);
    const last = events[events.length - 1]!;
    assert.equal(last.event, 'result');
    const probes = events.filter((e) => e.event === 'probe').map((e) => e.data);
    assert.equal(probes.length, last.data.probes.length, 'every probe was streamed before the result');
    assert.deepEqual(new Set(probes.map((p) => p.id)), new Set(last.data.probes.map((p: Loose) => p.id)));
    for (const p of probes) assert.ok(['pass', 'fail', 'skip', 'warn', 'error'].includes(p.outcome));
    const top = last.data.diagnosis.findings[0];
    assert.ok(SEED_CAUSES.includes(top.cause), `${top.cause} is one of ${SEED_CAUSES}`);
    assert.equal(top.code, codeOf(top.cause));
    assert.match(last.data.rendered.gcloud, /roles\/aiplatform\.user/);
  });

  test('POST /api/check answers the same check at once; bad fields get 400', async () => {
    const res = await postJson(`${c.url}/api/check`, {});
    assert.equal(res.status, 200);
    assert.equal(res.body.target, 'sandbox (scenario seed-incident)');
    assert.ok(res.body.probes.length >= 5);
    assert.ok(SEED_CAUSES.includes(res.body.diagnosis.findings[0].cause));
    const bad = await postJson(`${c.url}/api/check`, { project: 'x'.repeat(600) });
    assert.equal(bad.status, 400);
    const badStream = await fetch(`${c.url}/api/check/stream?bogus=1&project=${'y'.repeat(600)}`);
    assert.equal(badStream.status, 400);
  });

  test('POST /api/fix/apply with the token applies the fix and writes an undo record', async () => {
    const refused = await postJson(`${c.url}/api/fix/apply`, {});
    assert.equal(refused.status, 401);
    const res = await postJson(`${c.url}/api/fix/apply`, {}, { authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.applied, true);
    assert.ok(res.body.result.changes.length > 0);
    assert.ok(
      res.body.result.changes.some(
        (ch: Loose) => ch.kind === 'binding_added' && ch.role === 'roles/aiplatform.user',
      ),
    );
    assert.ok(existsSync(res.body.result.undoPath), 'the undo record is on disk');
  });
});

describe('the apply route answers what Google and the plan say, never 500', () => {
  let c: RunningConsole;
  before(async () => {
    c = await consoleFor({ live: 'sandbox', scenario: 'iam-act-as', allowApply: true, token: TOKEN });
  });
  after(() => c.close());
  const apply = (body: Loose) =>
    postJson(`${c.url}/api/fix/apply`, body, { authorization: `Bearer ${TOKEN}` });

  test('a user principal is never treated as a service account: the act-as plan is refused (409), saying why', async () => {
    const res = await apply({ principal: 'alice@example.com' });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'FIX_REFUSED');
    assert.match(res.body.error.message, /alice@example\.com is a user/);
  });

  test('a change Google refuses is a 502 carrying Google’s message', async () => {
    const res = await apply({ principal: 'ghost@acme-genai-prod.iam.gserviceaccount.com' });
    assert.equal(res.status, 502, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'GOOGLE_REFUSED');
    assert.match(res.body.error.message, /^Google refused: 404 NOT_FOUND: Unknown service account/);
  });

  test('a field that is not a valid id is a 400 before anything reaches Google', async () => {
    for (const body of [
      { principal: '--flags-file=x' },
      { project: 'My Project!' },
      { region: 'us-central1;id' },
    ]) {
      const res = await apply(body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });
});
