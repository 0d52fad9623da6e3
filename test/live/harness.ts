/**
 * Test helpers for the live doctor: start a shipped scenario, derive the check flags a user of
 * that workload would pass (from the scenario's `call` block: what the user knows), and run the
 * CLI as a child process exactly as a user runs it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { type CliResult, runCli as runCliProcess } from '../support/cli.js';

export { type CliResult, ROOT } from '../support/cli.js';

/** The CLI with the sandbox's env and its own state dir; the test runner's project settings unset. */
export function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  const unset = {
    GOOGLE_CLOUD_PROJECT: undefined,
    GCLOUD_PROJECT: undefined,
    CLOUDSDK_CORE_PROJECT: undefined,
    GOOGLE_CLOUD_LOCATION: undefined,
  };
  return runCliProcess(args, { env: { ...unset, ...env }, cwd });
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
