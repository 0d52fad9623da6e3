/**
 * The README's "What you can do" table, run as a user pastes it: every command in the `run`
 * column, exactly as written, through bash and the real `npx`, from the repository root. The
 * long-running rows (`sandbox start`, `serve`) start first and must print their URL; the sandbox
 * they leave running is the one the `--sandbox` rows find, so check -> fix -> verify -> undo carry
 * their changes from one command to the next.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type CliResult, childResult, ROOT, tempDir } from '../support/cli.js';

/** The commands of the table's `run` column, in order (a cell may hold several). */
export function readmeCommands(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## What you can do'));
  const rows = section.split('\n').filter((l) => l.startsWith('| '));
  const commands: string[] = [];
  for (const row of rows.slice(2)) {
    // Cells are split on unescaped pipes; `\|` is a pipe inside a command.
    const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
    const run = cells[2] ?? '';
    for (const m of run.matchAll(/`([^`]+)`/g)) commands.push((m[1] ?? '').replace(/\\\|/g, '|'));
  }
  return commands;
}

const LONG_RUNNING = /\b(serve|sandbox start)\b/;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMMANDS = readmeCommands(README);
const home = tempDir('readme');
// An own TMPDIR keeps the sandbox registry (what --sandbox finds) to this test.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: '1',
  TMPDIR: home,
  // npm 11 turns on Node 22+'s compile cache under TMPDIR; children still writing it at exit
  // would race the clean-up below.
  NODE_DISABLE_COMPILE_CACHE: '1',
  GENAI_DOCTOR_STATE_DIR: join(home, 'state'),
};
for (const v of [
  'GENAI_DOCTOR_ENDPOINT',
  'GENAI_DOCTOR_DATADOG_URL',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GCE_METADATA_HOST',
  'GCE_METADATA_IP',
  'GOOGLE_CLOUD_PROJECT',
])
  delete env[v];
const FILES_WRITTEN = ['runbook.md', 'runbook.html'].filter((f) => !existsSync(join(ROOT, f)));
const running: ChildProcess[] = [];

function bash(command: string): Promise<CliResult> {
  return childResult(spawn('bash', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Starts a long-running row in its own process group and waits for the URL it serves at. */
function startLongRunning(command: string): Promise<string> {
  const child = spawn('bash', ['-c', command], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (url) resolve(url[0]);
    });
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.once('exit', (code) => reject(new Error(`${command} exited ${code}: ${out}${err}`)));
  });
}

before(async () => {
  assert.ok(COMMANDS.length >= 15, `the README table has its commands: ${COMMANDS.join(' ; ')}`);
  // The sandbox row first: the --sandbox rows below find it.
  for (const c of COMMANDS.filter((c) => LONG_RUNNING.test(c))) await startLongRunning(c);
});

after(() => {
  for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGINT');
  for (const f of FILES_WRITTEN) rmSync(join(ROOT, f), { force: true });
  rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

test('the long-running rows (sandbox start, serve) print the URL they serve at', () => {
  assert.equal(running.length, COMMANDS.filter((c) => LONG_RUNNING.test(c)).length);
  assert.ok(running.length >= 2);
});

for (const command of COMMANDS.filter((c) => !LONG_RUNNING.test(c))) {
  test(`README row runs as written: ${command}`, async () => {
    const r = await bash(command);
    // 0 = done, 1 = the problem it is meant to find (check, logs); never a usage error or a crash.
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, r.stderr);
    const output = /-o (\S+)/.exec(command)?.[1];
    if (output) assert.ok(readFileSync(join(ROOT, output), 'utf8').length > 500, `${output} written`);
    else assert.ok(r.stdout.trim().length > 0, `prints a result: ${r.stderr}`);
    if (/--sandbox/.test(command))
      assert.match(r.stderr, /using the running sandbox/, 'finds the running sandbox');
    if (/verify --sandbox/.test(command)) assert.match(r.stdout, /VERIFIED after/);
    if (/undo --sandbox/.test(command)) assert.match(r.stdout, /Undone\./);
  });
}
