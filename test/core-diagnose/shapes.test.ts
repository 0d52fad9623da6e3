/**
 * Shape robustness (issue 12, scope 7): each corpus case's error, as every client prints it and
 * inside the log records that carry it, gets the same top cause as the case's own text. The
 * renderings come from the real clients at test time (test/support/shapes); the corpus is read
 * from ../shared, never copied. Without Python the Python renderings cannot be made and the
 * test fails: it never skips them.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, test } from 'node:test';
import { type Agreement, DETAIL_DROPPING, formatTable, score } from '../support/shapes/agreement.js';
import {
  CORPUS,
  loadCases,
  type Rendering,
  renderAll,
  SHAPES,
  type Shape,
  type ShapeCase,
} from '../support/shapes/generate.js';

let cases: ShapeCase[] = [];
let renderings: Rendering[] = [];
let agreement: Agreement;

before(async () => {
  assert.ok(existsSync(CORPUS), `the shared corpus is missing at ${CORPUS}`);
  cases = loadCases();
  renderings = await renderAll(cases);
  agreement = score(cases, renderings);
  process.stdout.write(`# shapes\n${formatTable(agreement).replace(/^/gm, '# ')}\n`);
});

test('every case is rendered in every log record, and most in every client shape', () => {
  assert.equal(agreement.perShape['datadog-log'].total, cases.length);
  assert.equal(agreement.perShape['cloud-logging'].total, cases.length);
  // The cases left out name no code and message to re-send (a bare phrase, an HTML page, a
  // gcloud line without status); 67 of the 92 carry one today.
  assert.ok(agreement.rendered >= 60, `only ${agreement.rendered} cases have an error the clients re-render`);
  for (const s of SHAPES) assert.ok(agreement.perShape[s].total > 0, `no ${s} renderings`);
});

test('a shape that carries the whole error gives the same top cause as the case text', () => {
  const misses = agreement.disagreements.filter((d) => !DETAIL_DROPPING.includes(d.shape));
  assert.deepEqual(
    misses.map((d) => `${d.caseId} [${d.shape}]: ${d.expected} -> ${d.got}`),
    [],
    formatTable(agreement),
  );
});

test('a shape that prints no details answers as the same error without its details', () => {
  const unexplained = agreement.disagreements.filter(
    (d) => DETAIL_DROPPING.includes(d.shape) && d.withoutDetails === undefined,
  );
  assert.deepEqual(
    unexplained.map((d) => `${d.caseId} [${d.shape}]: ${d.expected} -> ${d.got}`),
    [],
  );
  // Only a few cases rest on a detail alone; most answers survive losing them.
  for (const s of DETAIL_DROPPING) {
    const { agree, total } = agreement.perShape[s];
    assert.ok(agree / total >= 0.9, `${s}: ${agree}/${total}`);
  }
});

test("each rendering is in its client's own format", () => {
  const byId = new Map(cases.map((c) => [c.id, c]));
  const opening: Partial<Record<Shape, (c: ShapeCase) => string | RegExp>> = {
    'rest-json': (c) => `{\n  "error": {\n    "code": ${c.error?.http},`,
    'python-genai': (c) => `${c.error?.http} ${c.error?.status}. {'error': `,
    'python-api-core-http': (c) => `${c.error?.http} POST http://127.0.0.1:`,
    'python-api-core-grpc': () => /^[45]\d\d [^\n]/,
    'python-grpc': (c) =>
      `<_InactiveRpcError of RPC that terminated with:\n\tstatus = StatusCode.${c.error?.status}\n`,
    'python-discovery': (c) => `<HttpError ${c.error?.http} when requesting http://127.0.0.1:`,
    'node-genai': () => 'ApiError: {"error":{',
    'node-grpc': () => /^Error: \d{1,2} [A-Z_]+: /,
    'go-googleapi': (c) => `googleapi: Error ${c.error?.http}: `,
    'go-grpc': () => /^rpc error: code = [A-Z][A-Za-z]+ desc = /,
    'java-gax-grpc': (c) =>
      `com.google.api.gax.rpc.${c.error?.status === 'PERMISSION_DENIED' ? 'PermissionDeniedException' : ''}`,
    'datadog-log': () => '{\n  "attributes": {',
    'cloud-logging': () => '[\n  {\n    "insertId": ',
  };
  for (const r of renderings) {
    const c = byId.get(r.caseId) as ShapeCase;
    const want = opening[r.shape]?.(c);
    if (typeof want === 'string')
      assert.ok(r.text.startsWith(want), `${r.caseId} [${r.shape}]: ${r.text.slice(0, 200)}`);
    else if (want) assert.match(r.text, want, `${r.caseId} [${r.shape}]`);
  }
});
