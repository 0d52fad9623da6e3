/**
 * `--sandbox [SCENARIO]` for the commands that talk to Google or Datadog (check, fix, verify,
 * undo, logs, monitors): run the command against the embedded sandbox instead of real accounts.
 *
 * A sandbox already running is used when there is one: the environment `sandbox start` prints
 * (GENAI_DOCTOR_ENDPOINT...) when it was eval'd, else the one `sandbox start` registered (same
 * scenario, when one is named). Otherwise the command starts its own for its duration; its
 * changes end with it, which the command says.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Scenario } from '../sandbox/index.js';

export const DEFAULT_SANDBOX_SCENARIO = 'seed-incident';

export function addSandboxOption(cmd: Command): Command {
  return cmd.option(
    '--sandbox [scenario]',
    `run against the embedded sandbox: a running one (sandbox start), else one started for this command (default scenario ${DEFAULT_SANDBOX_SCENARIO})`,
  );
}

/** What `sandbox start` leaves for other commands to find it by. */
interface RegisteredSandbox {
  pid: number;
  scenario: string;
  url: string;
  env: Record<string, string>;
}

function registryDir(): string {
  return join(tmpdir(), `genai-doctor-sandboxes-${userInfo().uid}`);
}

/** Called by `sandbox start`: registers it; the returned function removes the entry. */
export function registerSandbox(entry: Omit<RegisteredSandbox, 'pid'>): () => void {
  const dir = registryDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${process.pid}.json`);
  writeFileSync(file, `${JSON.stringify({ ...entry, pid: process.pid })}\n`, { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Running registered sandboxes, newest first; entries of stopped ones are removed. */
function registeredSandboxes(): RegisteredSandbox[] {
  const dir = registryDir();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: Array<RegisteredSandbox & { at: number }> = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = join(dir, name);
    try {
      const entry = JSON.parse(readFileSync(file, 'utf8')) as RegisteredSandbox;
      if (alive(entry.pid)) found.push({ ...entry, at: Number(name.split('.')[0]) });
      else rmSync(file, { force: true });
    } catch {
      rmSync(file, { force: true });
    }
  }
  return found.sort((a, b) => b.at - a.at);
}

/**
 * Runs `command` with process.env pointed at a sandbox when `flag` (commander's value of
 * `--sandbox [scenario]`) is set; without it, runs `command` as is.
 */
export async function withSandbox<T>(
  flag: string | boolean | undefined,
  command: (sandbox: { scenario?: Scenario }) => Promise<T>,
): Promise<T> {
  if (flag === undefined || flag === false) return command({});
  const scenario = typeof flag === 'string' ? flag : undefined;
  let close = async () => {};
  let env: Record<string, string>;
  let running: Scenario | undefined;
  const registered = registeredSandboxes().find((s) => !scenario || s.scenario === scenario);
  if (!scenario && process.env.GENAI_DOCTOR_ENDPOINT) {
    env = {};
  } else if (registered) {
    env = registered.env;
    running = (await import('../sandbox/index.js')).loadScenario(registered.scenario);
    process.stderr.write(
      `genai-doctor: using the running sandbox (scenario ${registered.scenario}) at ${registered.url}\n`,
    );
  } else {
    const { startSandbox } = await import('../sandbox/index.js');
    const sandbox = await startSandbox({ scenario: scenario ?? DEFAULT_SANDBOX_SCENARIO });
    env = sandbox.env;
    running = sandbox.scenario;
    close = () => sandbox.close();
    process.stderr.write(
      `genai-doctor: started a sandbox for this command (scenario ${sandbox.scenario.name}); what it changes ends with it.\n` +
        '  To carry changes from check to fix to verify, keep one running: genai-doctor sandbox start\n',
    );
  }
  // The sandbox's world only: the user's own project settings and Datadog keys stay out of it.
  const { PROJECT_ENV_VARS } = await import('../live/session.js');
  for (const v of PROJECT_ENV_VARS) delete process.env[v];
  Object.assign(process.env, env, { DD_API_KEY: 'sandbox', DD_APP_KEY: 'sandbox' });
  try {
    return await command(running ? { scenario: running } : {});
  } finally {
    await close();
  }
}
