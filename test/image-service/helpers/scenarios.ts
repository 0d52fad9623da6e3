/**
 * Sandbox worlds for the service tests. The shipped scenarios each break one thing; the success
 * world is the seed incident with the seed runbook's fix applied (Option 3: the default compute
 * service account the workload runs as gets roles/aiplatform.user in its own project), and the
 * service configured as on Cloud Run, project from the metadata server.
 */
import { listScenarios, loadScenario, type Scenario } from '../../../src/sandbox/index.js';
import type { CauseId } from '../../../src/core/taxonomy.js';

export function seedFixedScenario(): Scenario {
  const s = structuredClone(loadScenario('seed-incident'));
  const runtime = s.projects.find((p) => p.projectId === s.metadata?.projectId)!;
  const member = `serviceAccount:${runtime.projectNumber}-compute@developer.gserviceaccount.com`;
  runtime.policy.bindings = [...(runtime.policy.bindings ?? []), { role: 'roles/aiplatform.user', members: [member] }];
  return { ...s, name: 'seed-incident-fixed', description: 'The seed incident after the runbook fix.' };
}

export const SUCCESS_SCENARIO = seedFixedScenario();

/** How the service must be configured to make the scenario's call: its project, location, model. */
export interface ServiceCall {
  name: string;
  cause: CauseId;
  accept: CauseId[];
  project?: string;
  location: string;
  model: string;
}

/**
 * The scenarios this service can reproduce: a Vertex AI call with the workload identity from the
 * metadata server (how the service authenticates). The others need an API key, a cached token or
 * impersonation, which this service never uses; they are returned separately with the reason.
 */
export function serviceScenarios(): { reproducible: ServiceCall[]; other: { name: string; why: string }[] } {
  const reproducible: ServiceCall[] = [];
  const other: { name: string; why: string }[] = [];
  for (const { name } of listScenarios()) {
    const s = loadScenario(name);
    const call = s.call;
    if (call.api !== 'vertex') {
      other.push({ name, why: `calls the ${call.api} API; the service calls Vertex AI` });
      continue;
    }
    if (call.credential.kind !== 'metadata') {
      other.push({ name, why: `authenticates with ${call.credential.kind}; the service uses the metadata identity` });
      continue;
    }
    // The Cloud Run service's env names the project when the scenario says so (as GOOGLE_CLOUD_PROJECT
    // does for this service); else the metadata server does.
    const run = call.cloudRun;
    const runEnv = run
      ? s.projects.find((p) => p.projectId === run.project)?.cloudRunServices?.find((c) => c.name === run.service)?.env
      : undefined;
    const project = call.projectEnv ? (runEnv?.[call.projectEnv] ?? call.project) : undefined;
    reproducible.push({
      name,
      cause: s.expect.cause,
      accept: (s.expect.accept ?? []) as CauseId[],
      ...(project ? { project } : {}),
      location: call.location,
      model: call.model,
    });
  }
  return { reproducible, other };
}
