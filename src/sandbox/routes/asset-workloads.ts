/**
 * The scenario's hosted workloads (Cloud Functions 1st and 2nd gen, Vertex AI reasoning engines and
 * endpoints, GKE clusters, Compute instances) as Cloud Asset Inventory lists them: the asset type,
 * full resource name and `versionedResources` body of each service's own REST resource
 * (cloudfunctions v1 CloudFunction and v2 Function, aiplatform v1 ReasoningEngine / Endpoint, container v1 Cluster,
 * compute v1 Instance), with the runtime identity where that resource keeps it.
 */
import type { ScenarioHostedWorkload } from '../scenario.js';
import { defaultComputeAccount, type ProjectState, type SandboxState } from '../state.js';

export interface HostedRef {
  assetType: string;
  name: string;
  location: string;
  labels?: Record<string, string>;
  state?: string;
  version: string;
  versioned: () => Record<string, unknown>;
}

const envList = (env: Record<string, string> = {}) =>
  Object.entries(env).map(([name, value]) => ({ name, value }));

/** The full resource name Cloud Asset Inventory gives a hosted workload. */
export function hostedAssetName(w: ScenarioHostedWorkload, projectId: string, projectNumber: string): string {
  switch (w.kind) {
    case 'function':
    case 'function-gen1':
      return `//cloudfunctions.googleapis.com/projects/${projectId}/locations/${w.region}/functions/${w.name}`;
    case 'reasoning-engine':
      return `//aiplatform.googleapis.com/projects/${projectNumber}/locations/${w.region}/reasoningEngines/${w.name}`;
    case 'endpoint':
      return `//aiplatform.googleapis.com/projects/${projectNumber}/locations/${w.region}/endpoints/${w.name}`;
    case 'gke-cluster':
      return `//container.googleapis.com/projects/${projectId}/locations/${w.region}/clusters/${w.name}`;
    case 'instance':
      return `//compute.googleapis.com/projects/${projectId}/zones/${w.region}-a/instances/${w.name}`;
  }
}

function hostedRef(w: ScenarioHostedWorkload, p: ProjectState): HostedRef {
  const labels = w.labels ? { labels: w.labels } : {};
  const name = hostedAssetName(w, p.projectId, p.projectNumber);
  const rel = name.replace(/^\/\/[^/]+\//, '');
  switch (w.kind) {
    case 'function': {
      return {
        assetType: 'cloudfunctions.googleapis.com/Function',
        name,
        location: w.region,
        state: 'ACTIVE',
        version: 'v2',
        ...labels,
        versioned: () => ({
          name: rel,
          environment: 'GEN_2',
          state: 'ACTIVE',
          buildConfig: { runtime: 'python312', entryPoint: 'main' },
          serviceConfig: {
            service: `projects/${p.projectId}/locations/${w.region}/services/${w.name}`,
            serviceAccountEmail: w.serviceAccount || defaultComputeAccount(p.projectNumber),
            environmentVariables: w.env ?? {},
            ingressSettings: 'ALLOW_ALL',
          },
          ...labels,
        }),
      };
    }
    case 'function-gen1': {
      // The v1 CloudFunction resource: account and env at the top level.
      return {
        assetType: 'cloudfunctions.googleapis.com/CloudFunction',
        name,
        location: w.region,
        state: 'ACTIVE',
        version: 'v1',
        ...labels,
        versioned: () => ({
          name: rel,
          status: 'ACTIVE',
          entryPoint: 'main',
          runtime: 'python312',
          serviceAccountEmail: w.serviceAccount || `${p.projectId}@appspot.gserviceaccount.com`,
          environmentVariables: w.env ?? {},
          httpsTrigger: { url: `https://${w.region}-${p.projectId}.cloudfunctions.net/${w.name}` },
          ...labels,
        }),
      };
    }
    case 'reasoning-engine': {
      return {
        assetType: 'aiplatform.googleapis.com/ReasoningEngine',
        name,
        location: w.region,
        version: 'v1',
        ...labels,
        // No serviceAccount in the spec: the engine runs as Vertex AI's Reasoning Engine service agent.
        versioned: () => ({
          name: rel,
          displayName: w.name,
          spec: {
            agentFramework: 'google-adk',
            ...(w.serviceAccount ? { serviceAccount: w.serviceAccount } : {}),
            deploymentSpec: { env: envList(w.env) },
          },
        }),
      };
    }
    case 'endpoint': {
      return {
        assetType: 'aiplatform.googleapis.com/Endpoint',
        name,
        location: w.region,
        version: 'v1',
        ...labels,
        versioned: () => ({
          name: rel,
          displayName: w.name,
          deployedModels: [
            {
              id: '1',
              model: `projects/${p.projectNumber}/locations/${w.region}/models/${w.name}-model`,
              ...(w.serviceAccount ? { serviceAccount: w.serviceAccount } : {}),
            },
          ],
          ...labels,
        }),
      };
    }
    case 'gke-cluster': {
      const sa = w.serviceAccount || 'default';
      return {
        assetType: 'container.googleapis.com/Cluster',
        name,
        location: w.region,
        state: 'RUNNING',
        version: 'v1',
        ...labels,
        versioned: () => ({
          name: w.name,
          location: w.region,
          status: 'RUNNING',
          nodeConfig: { serviceAccount: sa, machineType: 'e2-standard-4' },
          nodePools: [{ name: 'default-pool', config: { serviceAccount: sa } }],
          ...(w.labels ? { resourceLabels: w.labels } : {}),
        }),
      };
    }
    case 'instance': {
      const zone = `${w.region}-a`;
      return {
        assetType: 'compute.googleapis.com/Instance',
        name,
        location: zone,
        state: 'RUNNING',
        version: 'v1',
        ...labels,
        versioned: () => ({
          name: w.name,
          zone: `https://www.googleapis.com/compute/v1/projects/${p.projectId}/zones/${zone}`,
          status: 'RUNNING',
          serviceAccounts: [
            {
              email: w.serviceAccount || defaultComputeAccount(p.projectNumber),
              scopes: ['https://www.googleapis.com/auth/cloud-platform'],
            },
          ],
          metadata: { items: Object.entries(w.env ?? {}).map(([key, value]) => ({ key, value })) },
          ...labels,
        }),
      };
    }
  }
}

const byProject = new WeakMap<SandboxState, Map<string, ScenarioHostedWorkload[]>>();

/** The hosted workloads of project `p`, indexed once per sandbox state (fleets are large). */
export function hostedRefs(state: SandboxState, p: ProjectState): HostedRef[] {
  let index = byProject.get(state);
  if (!index) {
    index = new Map();
    for (const w of state.scenario.hostedWorkloads ?? []) {
      const list = index.get(w.project) ?? [];
      list.push(w);
      index.set(w.project, list);
    }
    byProject.set(state, index);
  }
  const mine = [...(index.get(p.projectId) ?? []), ...(index.get(p.projectNumber) ?? [])];
  return mine.map((w) => hostedRef(w, p));
}
