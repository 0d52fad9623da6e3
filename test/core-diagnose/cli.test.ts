import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as F from './fixtures.js';
import { SECRETS } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'diagnose-cli-'));
const SEED = 'examples/seed-incident-403.txt';

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('genai-doctor diagnose', () => {
  test('the seed with context: JSON findings and a plan granting in the intended project', () => {
    const r = cli([
      'diagnose',
      SEED,
      '--project',
      'datadog-ese-sandbox',
      '--runtime',
      'cloud-run',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const top2 = out.findings
      .slice(0, 2)
      .map((f: { cause: string }) => f.cause)
      .sort();
    assert.deepEqual(top2, ['iam.missing_permission', 'project.mismatch']);
    assert.equal(out.facts.permission, 'aiplatform.endpoints.predict');
    assert.equal(out.facts.project, 'datadog-sandbox');
    assert.equal(out.facts.location, 'global');
    assert.equal(out.facts.model, 'gemini-3-pro-image-preview');
    const grants = out.plan.options
      .flatMap((o: { steps: Array<{ kind: string; project?: unknown }> }) => o.steps)
      .filter((s: { kind: string }) => s.kind === 'grant_role');
    assert.ok(grants.length > 0);
    for (const g of grants) assert.equal(g.project, 'datadog-ese-sandbox');
  });

  test('stdin with -, text and md formats', () => {
    for (const format of ['text', 'md']) {
      const r = cli(['diagnose', '-', '--format', format], F.REST_SERVICE_DISABLED);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /api\.disabled|1110/);
    }
  });

  test('bad input exits 2 with one clear line', () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '  \n\t\n');
    const prose = join(dir, 'prose.txt');
    writeFileSync(prose, 'Deployed revision genai-adk-python-00042 serving 100% of traffic.\n');
    const cases: Array<[string[], string | undefined, RegExp]> = [
      [['diagnose', empty], undefined, /is empty/],
      [['diagnose', '-'], '', /is empty/],
      [['diagnose', prose], undefined, /nothing to diagnose/],
      [['diagnose', join(dir, 'missing.txt')], undefined, /no such file/],
      [['diagnose', dir], undefined, /is a directory/],
      [['diagnose', SEED, '--format', 'yaml'], undefined, /unknown --format/],
      [['diagnose', SEED, '--runtime', 'lambda'], undefined, /unknown --runtime/],
    ];
    for (const [args, input, message] of cases) {
      const r = cli(args, input);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack');
    }
  });

  test('input over 10 MB is refused, from a file and from stdin', () => {
    const big = join(dir, 'big.txt');
    const text = F.PY_GENAI_DICT.repeat(Math.ceil((10 * 1024 * 1024 + 10) / F.PY_GENAI_DICT.length));
    writeFileSync(big, text);
    for (const [args, input] of [
      [['diagnose', big], undefined],
      [['diagnose', '-'], text],
    ] as Array<[string[], string | undefined]>) {
      const r = cli(args, input);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /larger than 10 MB/);
    }
  });

  test('secrets in the input never reach any output format', () => {
    const text = [
      `POST https://us-central1-aiplatform.googleapis.com/v1/projects/acme-sec/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent?key=${SECRETS.apiKey}`,
      `Authorization: Bearer ${SECRETS.accessToken}`,
      `x-goog-api-key: ${SECRETS.expressKey}`,
      `refresh_token=${SECRETS.refreshToken} id_token=${SECRETS.jwt} client_secret=${SECRETS.clientSecret}`,
      SECRETS.pem,
      `{"error":{"code":401,"message":"API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials that assert a principal. key ${SECRETS.apiKey}","status":"UNAUTHENTICATED"}}`,
    ].join('\n');
    for (const format of ['json', 'text', 'md']) {
      const r = cli(['diagnose', '-', '--format', format, '--project', 'acme-sec'], text);
      assert.equal(r.code, 0, r.stderr);
      for (const [name, secret] of Object.entries(SECRETS)) {
        const probe = name === 'pem' ? 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' : secret;
        assert.ok(!r.stdout.includes(probe) && !r.stderr.includes(probe), `${name} leaked in ${format}`);
      }
    }
  });
});

describe('genai-doctor eval', () => {
  const CORPUS = new URL('../../../shared/corpus/cases', import.meta.url).pathname;

  test('--json prints the documented keys; bad files are skipped with a message', () => {
    const cases = join(dir, 'cases');
    spawnSync('mkdir', ['-p', cases]);
    writeFileSync(
      join(cases, 'good.json'),
      JSON.stringify({
        id: 'good',
        input: { text: 'Error: [400 FAILED_PRECONDITION] User location is not supported for the API use.' },
        expected: { cause: 'region.unsupported', accept: [], http: 400 },
      }),
    );
    writeFileSync(join(cases, 'broken.json'), '{ not json');
    writeFileSync(
      join(cases, 'wrong.json'),
      JSON.stringify({ id: 'w', input: { text: 'x' }, expected: { cause: 'nope' } }),
    );
    const r = cli(['eval', cases, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['cases', 'top1', 'accepted', 'fields', 'misses']) assert.ok(key in out, key);
    assert.equal(out.cases, 1);
    assert.equal(out.top1, 1);
    assert.match(r.stderr, /skipping broken\.json/);
    assert.match(r.stderr, /skipping wrong\.json/);
  });

  test('the shared corpus, as text', () => {
    const r = cli(['eval', CORPUS]);
    if (r.code === 2 && /not a directory/.test(r.stderr)) return; // no ../shared beside this clone
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /top-1 accuracy: +\d/);
    assert.match(r.stdout, /field extraction:/);
  });

  test('a missing folder exits 2', () => {
    const r = cli(['eval', join(dir, 'nope')]);
    assert.equal(r.code, 2);
  });
});
