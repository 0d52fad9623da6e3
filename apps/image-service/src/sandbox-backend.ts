/**
 * The embedded sandbox as the service's backend (local `npm run service`, the tests, the
 * benchmark). The service is configured the way the scenario's workload is: the project its Cloud
 * Run env names (GOOGLE_CLOUD_PROJECT, even when that is the wrong project, as in the seed
 * incident), the location and the model, with the identity from the sandbox's metadata server.
 */
import { loadScenario, type Sandbox, type Scenario, startSandbox } from 'genai-doctor/sandbox';
import type { ServiceConfig } from './config.js';

/** The seed incident after the runbook's fix: the default default scenario, so `curl` gets an image. */
export const SEED_FIXED = 'seed-incident-fixed';

/**
 * The seed incident with the runbook fix applied (Option 3 plus the project note): the default
 * compute service account the workload runs as holds roles/aiplatform.user in its own project,
 * and the workload calls its own project.
 */
export function seedFixedScenario(): Scenario {
  const s = structuredClone(loadScenario('seed-incident'));
  const runtime = s.projects.find((p) => p.projectId === s.metadata?.projectId)!;
  const member = `serviceAccount:${runtime.projectNumber}-compute@developer.gserviceaccount.com`;
  runtime.policy.bindings = [
    ...(runtime.policy.bindings ?? []),
    { role: 'roles/aiplatform.user', members: [member] },
  ];
  for (const run of runtime.cloudRunServices ?? [])
    run.env = { ...run.env, GOOGLE_CLOUD_PROJECT: runtime.projectId };
  s.call = { ...s.call, project: runtime.projectId };
  return {
    ...s,
    name: SEED_FIXED,
    description:
      'The seed incident after the runbook fix: the workload may call Vertex AI in its own project.',
  };
}

export function scenarioByName(name: string): Scenario {
  return name === SEED_FIXED ? seedFixedScenario() : loadScenario(name);
}

export type ServiceSettings =
  | { ok: true; project?: string; location: string; model: string }
  | { ok: false; why: string };

/** How this service must be configured to make the scenario's call, or why it cannot make it. */
export function serviceSettingsFor(s: Scenario): ServiceSettings {
  const call = s.call;
  if (call.api !== 'vertex')
    return { ok: false, why: `calls the ${call.api} API; the service calls Vertex AI` };
  if (call.credential.kind !== 'metadata') {
    return {
      ok: false,
      why: `authenticates with ${call.credential.kind}; the service uses the metadata identity`,
    };
  }
  // The Cloud Run service's env names the project when the scenario says so; else the metadata server does.
  const run = call.cloudRun;
  const runEnv = run
    ? s.projects
        .find((p) => p.projectId === run.project)
        ?.cloudRunServices?.find((c) => c.name === run.service)?.env
    : undefined;
  const project = call.projectEnv ? (runEnv?.[call.projectEnv] ?? call.project) : undefined;
  return { ok: true, ...(project ? { project } : {}), location: call.location, model: call.model };
}

export interface SandboxBackend {
  sandbox: Sandbox;
  config: ServiceConfig;
}

/**
 * Starts the sandbox, points the client libraries at it through the environment (as on Cloud Run:
 * metadata server, no key file) and returns the service config for the scenario's workload.
 * Settings the environment gave explicitly (`explicit`) win over the scenario's.
 */
export async function startSandboxBackend(
  config: ServiceConfig,
  explicit: { project?: boolean; location?: boolean; model?: boolean } = {},
): Promise<SandboxBackend> {
  const scenario = scenarioByName(config.sandboxScenario);
  const sandbox = await startSandbox({ scenario });
  Object.assign(process.env, sandbox.env);
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  const settings = serviceSettingsFor(scenario);
  const fromScenario = settings.ok ? settings : undefined;
  return {
    sandbox,
    config: {
      ...config,
      endpoint: sandbox.url,
      project: explicit.project ? config.project : fromScenario?.project,
      location: explicit.location || !fromScenario ? config.location : fromScenario.location,
      model: explicit.model || !fromScenario ? config.model : fromScenario.model,
    },
  };
}
