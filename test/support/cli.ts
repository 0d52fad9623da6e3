/**
 * Running genai-doctor as a user does, for every area's tests: a real child process of the CLI,
 * its output collected, and fresh temp directories. One copy, so each area's tests start the CLI
 * the same way.
 */
import { type ChildProcess, type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { buildIsStale } from '../../scripts/build-if-stale.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const BUILT = join(ROOT, 'dist/cli/main.js');
// Resolved from the repo, so the CLI can run with any working directory.
const TSX = import.meta.resolve('tsx');

/**
 * Node arguments that start the CLI: the built CLI when it is newer than every source file (as
 * after `npm run build` in `npm test`: much faster to start), else the sources through tsx, so a
 * test never runs stale code.
 */
export const CLI: readonly string[] = buildIsStale() ? ['--import', TSX, MAIN] : [BUILT];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the test process's environment (NO_COLOR=1 is always set first). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Standard input. */
  input?: string;
}

function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...env };
}

/** Runs the CLI to completion (synchronously). */
export function runCliSync(args: readonly string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    encoding: 'utf8',
    env: cliEnv(opts.env),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI to completion without blocking the event loop (servers in the test keep serving). */
export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return childResult(
    spawn(process.execPath, [...CLI, ...args], {
      env: cliEnv(opts.env),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** A child's exit code and everything it printed, once it has closed. */
export function childResult(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliResult> {
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts a long-running CLI command (serve, sandbox start); the caller stops it. */
export function spawnCli(
  args: readonly string[],
  opts: CliOptions = {},
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [...CLI, ...args], {
    env: cliEnv(opts.env),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first match of `pattern` in the child's standard output so far. */
export function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = pattern.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${out}`)));
  });
}

/** A fresh directory under the system temp dir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `genai-doctor-${prefix}-`));
}
