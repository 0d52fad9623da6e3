/**
 * A user's mistakes are usage errors (exit 2, one line saying what is wrong), and the CLI's flags
 * behave the same on every command: what issue 15 found a new user tripping on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const SEED_ERROR = join(ROOT, 'examples/seed-incident-403.txt');
const EXPORT = join(ROOT, 'examples/export.jsonl');
// No sandbox, no credentials, no project from the test runner's environment.
const CLEAN: NodeJS.ProcessEnv = {
  TMPDIR: tempDir('mistakes'),
  GENAI_DOCTOR_ENDPOINT: undefined,
  GENAI_DOCTOR_DATADOG_URL: undefined,
  GOOGLE_APPLICATION_CREDENTIALS: undefined,
  GOOGLE_CLOUD_PROJECT: undefined,
  GCE_METADATA_HOST: '127.0.0.1:1',
  GCE_METADATA_IP: '127.0.0.1:1',
  HOME: tempDir('home'),
};

/** A usage error: exit 2, one line on stderr, no stack. */
function assertUsage(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
}

describe('mistakes are usage errors', () => {
  test('check --cloud-run with a typo lists the services that exist', async () => {
    const cwd = tempDir('typo');
    const r = await runCli(
      [
        'check',
        '--sandbox',
        '--cloud-run',
        'genai-adk-pyton',
        '--region',
        'us-central1',
        '--project',
        'datadog-ese-sandbox',
        '--model',
        'gemini-3-pro-image-preview',
      ],
      { env: CLEAN, cwd },
    );
    assertUsage(
      r,
      /no Cloud Run service 'genai-adk-pyton' in project datadog-ese-sandbox, region us-central1; services there: genai-adk-python/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /model\.not_found|1120/);
  });

  test('logs --project P FILE reads the file (the flag takes one value)', async () => {
    const r = await runCli(['logs', '--project', 'datadog-ese-sandbox', EXPORT], { env: CLEAN });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /export\.jsonl: 424 records .* in 2 incidents/);
  });

  test('serve --scenario nope and demo --scenario nope exit 2 like sandbox start', async () => {
    for (const args of [
      ['serve', '--scenario', 'nope', '--port', '0'],
      ['demo', '--scenario', 'nope'],
      ['sandbox', 'start', '--scenario', 'nope', '--port', '0'],
    ]) {
      assertUsage(
        await runCli(args, { env: CLEAN }),
        /unknown scenario "nope"; shipped scenarios: seed-incident/,
      );
    }
  });

  test('monitors --apply without --notify refuses before any request', async () => {
    const r = await runCli(['monitors', '--service', 'genai-adk-python', '--apply'], { env: CLEAN });
    assertUsage(r, /--apply needs --notify HANDLE/);
  });

  test('an unknown --format value names the choices', async () => {
    const r = await runCli(['eval', 'test/fixtures/holdout', '-f', 'yaml'], { env: CLEAN, cwd: ROOT });
    assertUsage(r, /argument 'yaml' is invalid\. Allowed choices are text, json/);
  });

  test('no credentials: the finding once, exit 1, and no suggestion to run fix', async () => {
    const r = await runCli(['check', '--project', 'my-team-project'], {
      env: CLEAN,
      cwd: tempDir('nocreds'),
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.match(/Could not load the default credentials/g)?.length, 1, r.stderr);
    assert.match(r.stderr, /auth\.credentials_missing \(error 1101\)/);
    assert.match(r.stderr, /add --sandbox/);
    assert.doesNotMatch(r.stdout + r.stderr, /genai-doctor fix/);
  });
});

describe('one set of flags', () => {
  test('--version is this package version, whatever project runs it', async () => {
    const r = await runCli(['--version'], { env: { ...CLEAN, npm_package_version: '9.9.9' } });
    assert.equal(r.stdout.trim(), VERSION);
  });

  test('help COMMAND shows the command options', async () => {
    const r = await runCli(['help', 'diagnose'], { env: CLEAN });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: genai-doctor diagnose \[options\] <file>/);
    assert.match(r.stdout, /-f, --format <format>/);
    assert.match(r.stdout, /--project <id>/);
    assert.match(r.stdout, /-o, --output <file>/);
  });

  test('-f json on eval and sandbox list; --json stays an alias', async () => {
    for (const args of [
      ['eval', 'test/fixtures/holdout', '-f', 'json'],
      ['eval', 'test/fixtures/holdout', '--json'],
      ['sandbox', 'list', '--format', 'json'],
      ['sandbox', 'list', '--json'],
    ]) {
      const r = await runCli(args, { env: CLEAN, cwd: ROOT });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotThrow(() => JSON.parse(r.stdout), args.join(' '));
    }
  });

  test('report -f json is the runbook document', async () => {
    const r = await runCli(['report', EXPORT, '-f', 'json'], { env: CLEAN });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { title?: unknown; sections?: unknown };
    assert.ok(doc.sections, Object.keys(doc).join(', '));
  });

  test('FORCE_COLOR colours a pipe; --no-color (anywhere) and NO_COLOR win', async () => {
    const ansi = /\u001b\[/;
    const forced = await runCli(['explain', '1152'], { env: { ...CLEAN, NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.match(forced.stdout, ansi);
    const flag = await runCli(['explain', '1152', '--no-color'], {
      env: { ...CLEAN, NO_COLOR: '', FORCE_COLOR: '1' },
    });
    assert.doesNotMatch(flag.stdout, ansi);
    const env = await runCli(['diagnose', SEED_ERROR], {
      env: { ...CLEAN, NO_COLOR: '1', FORCE_COLOR: '1' },
    });
    assert.doesNotMatch(env.stdout, ansi);
  });

  test('generated monitor text names the command the user has', async () => {
    const npx = await runCli(['monitors', '--service', 's'], { env: CLEAN });
    assert.match(npx.stdout, /`npx genai-doctor explain 1152`/);
    const named = await runCli(['monitors', '--service', 's'], {
      env: { ...CLEAN, GENAI_DOCTOR_COMMAND: 'genai-doctor' },
    });
    assert.match(named.stdout, /`genai-doctor explain 1152`/);
    assert.doesNotMatch(named.stdout, /npx genai-doctor/);
  });
});
