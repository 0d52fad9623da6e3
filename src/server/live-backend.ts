/**
 * Where the console's live checks go. 'sandbox' (the default) starts the embedded Google Cloud
 * stand-in in this process and points the live doctor at it; 'real' uses Application Default
 * Credentials against Google; 'none' turns live checks off.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ENV_VARS } from '../live/session.js';
import type { LiveBackend } from './default-engine.js';
import type { CheckQuery } from './schemas.js';

export type LiveMode = 'sandbox' | 'real' | 'none';

export async function startLiveBackend(mode: LiveMode, scenario?: string): Promise<LiveBackend | undefined> {
  if (mode === 'none') return undefined;
  if (mode === 'real') {
    return {
      target: 'Google Cloud (Application Default Credentials)',
      env: process.env,
      defaults: {},
      close: async () => {},
    };
  }
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox(scenario ? { scenario } : {});
  const stateDir = await mkdtemp(join(tmpdir(), 'genai-doctor-console-'));
  // google-auth-library reads its settings (GOOGLE_APPLICATION_CREDENTIALS, GCE_METADATA_HOST)
  // from process.env, so the sandbox's env is this process's env while the console runs: the
  // same arrangement as `genai-doctor demo`. The user's own project variables must not leak in.
  const saved = { ...process.env };
  for (const v of PROJECT_ENV_VARS) delete process.env[v];
  Object.assign(process.env, sandbox.env, { GENAI_DOCTOR_STATE_DIR: stateDir });
  const { call } = sandbox.scenario;
  const run = call.cloudRun;
  const defaults: CheckQuery = {
    project: run?.project ?? call.project,
    model: call.model,
    location: call.location,
    ...(run ? { cloudRun: run.service, region: run.region } : {}),
  };
  return {
    target: `sandbox (scenario ${sandbox.scenario.name})`,
    env: process.env,
    defaults,
    close: async () => {
      await sandbox.close();
      await rm(stateDir, { recursive: true, force: true });
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    },
  };
}
