/**
 * Test helpers for the live doctor: start a shipped scenario, derive the check flags a user of
 * that workload would pass (from the scenario's `call` block: what the user knows), and run the
 * CLI as a child process exactly as a user runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';

export const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const BUILT = join(ROOT, 'dist/cli/main.js');
// Resolved from the repo, so the CLI can run with any working directory (each test has its own).
const TSX = import.meta.resolve('tsx');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The built CLI when it is newer than every source file (as after `npm run build` in `npm test`:
 * much faster to start), else the sources through tsx, so a test never runs stale code.
 */
const CLI: string[] =
  existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(join(ROOT, 'src'))
    ? [BUILT]
    : ['--import', TSX, MAIN];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node --import tsx src/cli/main.ts ARGS` with the sandbox's env and its own state dir. */
export function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const base = { ...process.env };
    for (const v of [
      'GOOGLE_CLOUD_PROJECT',
      'GCLOUD_PROJECT',
      'CLOUDSDK_CORE_PROJECT',
      'GOOGLE_CLOUD_LOCATION',
    ])
      delete base[v];
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd,
      env: { ...base, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

export async function workDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'genai-doctor-live-test-'));
}

/**
 * The flags a user would pass to `check` for the scenario's workload, and the env the workload's
 * credential lives in (API key, cached token). Nothing here is read from `expect`.
 */
export function checkInvocation(sb: Sandbox): { args: string[]; env: Record<string, string> } {
  const c = sb.scenario.call;
  const args = ['check', '--model', c.model, '--call', c.method ?? 'generateContent'];
  const env: Record<string, string> = { ...sb.env };
  if (c.cloudRun) {
    args.push(
      '--cloud-run',
      c.cloudRun.service,
      '--region',
      c.cloudRun.region,
      '--project',
      c.cloudRun.project,
    );
  } else {
    args.push('--project', c.project, '--location', c.location);
  }
  if (c.api === 'gemini') args.push('--api', 'gemini');
  if (c.quotaProject) args.push('--quota-project', c.quotaProject);
  const cred = c.credential;
  if (cred.kind === 'apiKey') {
    env.WORKLOAD_API_KEY = sb.state.apiKeyStrings[cred.id] ?? '';
    args.push('--api-key-env', 'WORKLOAD_API_KEY');
  } else if (cred.kind === 'token') {
    env.WORKLOAD_ACCESS_TOKEN = sb.state.scenarioTokens[cred.id] ?? '';
    args.push('--access-token-env', 'WORKLOAD_ACCESS_TOKEN');
  } else if (cred.kind === 'impersonate') {
    args.push('--principal', cred.target);
  } else if (!c.cloudRun) {
    // A VM / job running as its metadata identity: the user names that account.
    const md = sb.scenario.metadata;
    const project = sb.scenario.projects.find(
      (p) => p.projectId === md.projectId || p.projectNumber === md.projectId,
    );
    args.push(
      '--principal',
      md.email === 'default' ? `${project?.projectNumber}-compute@developer.gserviceaccount.com` : md.email,
    );
  }
  return { args, env };
}
