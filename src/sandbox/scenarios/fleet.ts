/**
 * `org-fleet`: a generated organization for `scan` (default 1,000 projects and 3,000 Cloud Run
 * services, plus functions, reasoning engines, endpoints, GKE clusters and VMs, in ten team
 * folders), with defects seeded at known places and the seed incident as one project of the fleet.
 * The list of seeded defects is returned beside the scenario: it is the ground truth the scan's
 * precision and recall are measured against.
 *
 * Every project looks alike: one Gemini caller (`assistant-api` on Cloud Run, or the same caller on
 * another host, running as its own service account holding roles/aiplatform.user) and web
 * services, a batch cluster and a bastion VM that never call Gemini. Healthy variety the scan must
 * NOT report: callers that use a shared AI hub project where they are granted, and API keys with
 * both API and referrer restrictions. Each defect kind is seeded in its own projects.
 */
import type { Binding } from '../../core/iam.js';
import { apiKeyUid } from '../routes/asset.js';
import { hostedAssetName } from '../routes/asset-workloads.js';
import {
  type Scenario,
  ScenarioError,
  type ScenarioHostedWorkload,
  type ScenarioProject,
} from '../scenario.js';
import { shippedScenarios } from './index.js';
import { BASE_SERVICES, computeAccount, project, saEmail } from './world.js';

export const FLEET_NAME = 'org-fleet';
export const FLEET_ORG = '433637338589';
export const DEFAULT_FLEET = { projects: 1000, workloads: 3000 };

export type DefectKind =
  | 'iam.missing_permission'
  | 'project.mismatch'
  | 'api.disabled'
  | 'billing.disabled'
  | 'risk.default_sa_editor'
  | 'risk.unrestricted_api_key'
  | 'risk.shared_identity'
  | 'risk.primitive_role';

/** One seeded defect: its kind and the thing a finding must name (workload, project, key, identity). */
export interface SeededDefect {
  kind: DefectKind;
  subject: string;
  project: string;
}

export interface FleetOptions {
  projects?: number;
  workloads?: number;
  /**
   * The operator holds its inventory roles on each team folder instead of the organization, and
   * not on the last folder: a scan of that folder is refused (partial permission).
   */
  restrictedFolder?: boolean;
  /** Projects in a scope beyond which the synchronous Policy Analyzer runs out of time. */
  analyzerSyncMaxProjects?: number;
}

export interface Fleet {
  scenario: Scenario;
  seeded: SeededDefect[];
  restrictedFolderId?: string;
  folderIds: string[];
  /**
   * The one project whose Cloud Monitoring the operator may not read (no roles/monitoring.viewer
   * there): `scan --usage` must report it as not settled. It hosts a seeded defect.
   */
  usageDeniedProject: string;
}

/**
 * Seeded Gemini traffic (Cloud Monitoring request_count), requests a day to Vertex AI: projects at
 * index 2, 9, 16... (one in seven) make no calls at all (idle callers, or callers not deployed
 * yet), the others a project-dependent number; the unrestricted-key projects call the Gemini API too.
 */
export function fleetUsage(index: number): number {
  return index % 7 === 2 ? 0 : 40 + ((index * 37) % 200);
}

const DEFECT_KINDS: DefectKind[] = [
  'iam.missing_permission',
  'project.mismatch',
  'api.disabled',
  'billing.disabled',
  'risk.default_sa_editor',
  'risk.unrestricted_api_key',
  'risk.shared_identity',
  'risk.primitive_role',
];

const GENAI_SERVICE = 'assistant-api';
/**
 * Where a project's Gemini caller runs. Defect slots and clean projects rotate through them, so
 * even a small fleet seeds defects on every host. GKE clusters carry no env: a caller there
 * (and a Vertex AI endpoint) is recognised by its labels and calls its own project, so it never
 * hosts a mismatch or a hub user.
 */
const CALLER_HOSTS = [
  'cloud-run',
  'function',
  'reasoning-engine',
  'gke-cluster',
  'instance',
  'endpoint',
  'function-gen1',
] as const;
type CallerHost = (typeof CALLER_HOSTS)[number];
const CALLER_NAMES: Record<Exclude<CallerHost, 'cloud-run'>, string> = {
  function: 'assistant-fn',
  'function-gen1': 'assistant-fn1',
  'reasoning-engine': 'assistant-agent',
  'gke-cluster': 'assistant-gke',
  instance: 'assistant-vm',
  endpoint: 'assistant-endpoint',
};
const REGIONS = ['us-central1', 'europe-west1', 'us-east4'];

/** `org-fleet` or `org-fleet:N` (N projects, 3N workloads) -> options; anything else undefined. */
export function fleetOptionsOf(name: string): FleetOptions | undefined {
  if (name === FLEET_NAME) return {};
  const m = /^org-fleet:(\d+)$/.exec(name);
  if (!m) return undefined;
  const projects = Number(m[1]);
  return { projects, workloads: projects * 3 };
}

export function runServiceName(projectId: string, region: string, name: string): string {
  return `//run.googleapis.com/projects/${projectId}/locations/${region}/services/${name}`;
}

const pid = (i: number) => `fleet-${String(i).padStart(4, '0')}`;
const pnum = (i: number) => String(700_000_000_000 + i * 7919);
const regionOf = (i: number) => REGIONS[i % REGIONS.length] as string;

export function orgFleet(opts: FleetOptions = {}): Fleet {
  const P = opts.projects ?? DEFAULT_FLEET.projects;
  const W = opts.workloads ?? (opts.projects ? P * 3 : DEFAULT_FLEET.workloads);
  if (!Number.isInteger(P) || P < 40)
    throw new ScenarioError(`org-fleet needs at least 40 projects (got ${P})`);
  const perProject = Math.max(1, Math.round(W / P));
  const seed = shippedScenarios().find((s) => s.name === 'seed-incident') as Scenario;
  const operator = seed.operator.email;
  const opMember = `serviceAccount:${operator}`;
  const teams = 10;
  const folderIds = Array.from({ length: teams }, (_, t) => String(2_000_000_000 + t));
  const restricted = opts.restrictedFolder ? folderIds[teams - 1] : undefined;
  const inventoryRoles = ['roles/cloudasset.viewer', 'roles/billing.viewer', 'roles/browser'];
  const orgBindings: Binding[] = opts.restrictedFolder
    ? [{ role: 'roles/billing.viewer', members: [opMember] }]
    : inventoryRoles.map((role) => ({ role, members: [opMember] }));

  // Where each defect goes: spread over the fleet, never on the hub (0) or a hub user (i % 5 == 0),
  // and far enough apart that a defect's neighbours (mismatch target, shared services) stay clean.
  const perKind = Math.max(1, Math.floor(P / 100));
  const slots = DEFECT_KINDS.length * perKind;
  const step = Math.floor((P - 3) / slots);
  const defectAt = new Map<number, DefectKind>();
  const hostAt = new Map<number, CallerHost>();
  for (let s = 0; s < slots; s++) {
    let i = 1 + s * step;
    if (i % 5 === 0) i += 1;
    defectAt.set(i, DEFECT_KINDS[s % DEFECT_KINDS.length] as DefectKind);
    hostAt.set(i, CALLER_HOSTS[s % CALLER_HOSTS.length] as CallerHost);
  }
  const hostedWorkloads: ScenarioHostedWorkload[] = [];
  const usageDenied = [...defectAt].find(([, k]) => k === 'iam.missing_permission')?.[0] ?? 1;
  const apiUsage: NonNullable<Scenario['apiUsage']> = [];

  const seeded: SeededDefect[] = [];
  const hubUsers: string[] = [];
  const sharedRunner = new Map<number, string>();
  const apiKeys: NonNullable<Scenario['apiKeys']> = [];
  for (const [i, kind] of defectAt) {
    if (kind === 'risk.shared_identity')
      for (const j of [i, i + 1, i + 2]) sharedRunner.set(j, saEmail('genai-app', pid(i)));
  }

  const projects: ScenarioProject[] = [];
  for (let i = 0; i < P; i++) {
    const id = pid(i);
    const number = pnum(i);
    const team = i % teams;
    const kind = defectAt.get(i);
    const region = regionOf(i);
    const genaiSa = saEmail('genai-app', id);
    const webSa = sharedRunner.get(i) ?? saEmail('web-runner', id);
    const usesHub = i !== 0 && i % 5 === 0;
    let target = usesHub ? pid(0) : id;
    if (kind === 'project.mismatch') target = pid(i + 1);
    let host: CallerHost = hostAt.get(i) ?? (CALLER_HOSTS[i % CALLER_HOSTS.length] as CallerHost);
    if ((host === 'gke-cluster' || host === 'endpoint') && target !== id) host = 'cloud-run';
    if (usesHub) hubUsers.push(`serviceAccount:${genaiSa}`);

    const bindings: Binding[] = [
      { role: 'roles/logging.logWriter', members: [`serviceAccount:${saEmail('web-runner', id)}`] },
      { role: 'roles/apikeys.viewer', members: [opMember] },
    ];
    // Cloud Monitoring per project (not on the organization), so that one project can withhold it.
    if (i !== usageDenied) bindings.push({ role: 'roles/monitoring.viewer', members: [opMember] });
    const perDay = fleetUsage(i);
    if (perDay) apiUsage.push({ project: id, service: 'aiplatform.googleapis.com', perDay });
    if (perDay && kind === 'risk.unrestricted_api_key')
      apiUsage.push({ project: id, service: 'generativelanguage.googleapis.com', perDay: 3 });
    if (kind === 'risk.primitive_role')
      bindings.push({ role: 'roles/editor', members: [`serviceAccount:${genaiSa}`] });
    else if (kind !== 'iam.missing_permission' && !usesHub) {
      bindings.push({ role: 'roles/aiplatform.user', members: [`serviceAccount:${genaiSa}`] });
    }
    if (kind === 'risk.default_sa_editor')
      bindings.push({ role: 'roles/editor', members: [`serviceAccount:${computeAccount(number)}`] });

    const callerEnv = {
      GOOGLE_CLOUD_PROJECT: target,
      GOOGLE_CLOUD_LOCATION: 'global',
      GOOGLE_GENAI_USE_VERTEXAI: 'True',
      LOG_LEVEL: 'info',
    };
    const services: NonNullable<ScenarioProject['cloudRunServices']> = [];
    let workload = runServiceName(id, region, GENAI_SERVICE);
    if (host === 'cloud-run') {
      services.push({ name: GENAI_SERVICE, region, serviceAccount: genaiSa, env: callerEnv });
    } else {
      const labelled = host === 'gke-cluster' || host === 'endpoint';
      const w: ScenarioHostedWorkload = {
        kind: host,
        project: id,
        name: CALLER_NAMES[host],
        region,
        serviceAccount: genaiSa,
        ...(labelled ? { labels: { app: 'assistant', genai: 'vertex' } } : { env: callerEnv }),
      };
      hostedWorkloads.push(w);
      workload = hostedAssetName(w, id, number);
    }
    // Workloads that never call Gemini: a batch cluster and a bastion VM, unlabelled.
    if (i % 4 === 1) {
      hostedWorkloads.push(
        { kind: 'gke-cluster', project: id, name: 'batch', region, labels: { app: 'batch' } },
        { kind: 'instance', project: id, name: 'bastion', region, serviceAccount: webSa },
      );
    }
    // Without a Cloud Run caller, the project runs one more web service: the same count either way.
    const webCount = services.length ? perProject - 1 : perProject;
    for (let k = 1; k <= webCount; k++) {
      services.push({
        name: `web-${k}`,
        region,
        serviceAccount: webSa,
        env: { PORT: '8080', LOG_LEVEL: 'info', DB_HOST: `10.${team}.0.${k}` },
      });
    }
    const p = project({
      projectId: id,
      projectNumber: number,
      operator,
      owner: `user:lead-${team}@example.com`,
      bindings,
      services:
        kind === 'api.disabled'
          ? BASE_SERVICES.filter((s) => s !== 'aiplatform.googleapis.com')
          : BASE_SERVICES,
      billingEnabled: kind !== 'billing.disabled',
      serviceAccounts: [
        { email: genaiSa, displayName: 'assistant-api runtime' },
        { email: saEmail('web-runner', id), displayName: 'web services runtime' },
      ],
      cloudRunServices: services,
      labels: { owner: `team-${team}`, env: 'prod' },
    });
    p.parent = { type: 'folder', id: folderIds[team] as string };
    projects.push(p);

    if (i % 4 === 2 && !kind) {
      apiKeys.push({
        id: `maps-${id}`,
        project: id,
        state: 'ACTIVE',
        displayName: 'Maps key (restricted)',
        apiTargets: ['maps-backend.googleapis.com'],
        allowedReferrers: [`https://${id}.example.com/*`],
      });
    }

    switch (kind) {
      case 'iam.missing_permission':
      case 'project.mismatch':
      case 'api.disabled':
      case 'billing.disabled':
        seeded.push({ kind, subject: workload, project: id });
        break;
      case 'risk.default_sa_editor':
        seeded.push({ kind, subject: id, project: id });
        break;
      case 'risk.unrestricted_api_key':
        apiKeys.push({
          id: `unrestricted-${id}`,
          project: id,
          state: 'ACTIVE',
          displayName: 'Mobile app key',
        });
        seeded.push({
          kind,
          subject: `projects/${number}/locations/global/keys/${apiKeyUid(`unrestricted-${id}`)}`,
          project: id,
        });
        break;
      case 'risk.shared_identity':
        seeded.push({ kind, subject: genaiSa, project: id });
        break;
      case 'risk.primitive_role':
        seeded.push({ kind, subject: `${genaiSa} roles/editor on ${id}`, project: id });
        break;
      default:
        break;
    }
  }
  // The hub grants its users; it is otherwise an ordinary project.
  const hub = projects[0] as ScenarioProject;
  hub.policy.bindings = [
    ...(hub.policy.bindings ?? []),
    { role: 'roles/aiplatform.user', members: hubUsers.sort() },
  ];

  // The seed incident, as it is, under the organization.
  // The operator reads their Cloud Monitoring like every fleet project's.
  const seedProjects = seed.projects.map((p) => ({
    ...p,
    parent: { type: 'organization', id: FLEET_ORG },
    policy: {
      ...p.policy,
      bindings: [...(p.policy.bindings ?? []), { role: 'roles/monitoring.viewer', members: [opMember] }],
    },
  }));
  seeded.push({
    kind: 'project.mismatch',
    subject: runServiceName('datadog-ese-sandbox', 'us-central1', 'genai-adk-python'),
    project: 'datadog-ese-sandbox',
  });

  const folderPolicy = (fid: string) =>
    opts.restrictedFolder && fid !== restricted
      ? { bindings: inventoryRoles.map((role) => ({ role, members: [opMember] })) }
      : undefined;
  const scenario: Scenario = {
    ...seed,
    name: P === DEFAULT_FLEET.projects && !opts.workloads ? FLEET_NAME : `${FLEET_NAME}-${P}`,
    description: `A generated organization: ${P} projects in ${teams} team folders, ${projects.reduce((n, p) => n + (p.cloudRunServices?.length ?? 0), 0) + 1} Cloud Run services and ${hostedWorkloads.length} functions, reasoning engines, endpoints, GKE clusters and VMs, ${seeded.length} seeded defects (the seed incident among them).`,
    projects: [...seedProjects, ...projects],
    organization: { id: FLEET_ORG, displayName: 'example.com', policy: { bindings: orgBindings } },
    folders: folderIds.map((fid, t) => {
      const policy = folderPolicy(fid);
      return {
        id: fid,
        displayName: `team-${t}`,
        parent: { type: 'organization' as const, id: FLEET_ORG },
        ...(policy ? { policy } : {}),
      };
    }),
    apiKeys,
    hostedWorkloads,
    // The seed incident's target project is called (its calls fail: they are counted all the same).
    apiUsage: [...apiUsage, { project: 'datadog-sandbox', service: 'aiplatform.googleapis.com', perDay: 12 }],
    ...(opts.analyzerSyncMaxProjects ? { policyAnalyzerSyncMaxProjects: opts.analyzerSyncMaxProjects } : {}),
    buckets: [
      {
        name: 'genai-doctor-scan-results',
        project: seed.operator.projectId,
        policy: { bindings: [{ role: 'roles/storage.objectViewer', members: [opMember] }] },
      },
    ],
  };
  return {
    scenario,
    seeded,
    folderIds,
    usageDeniedProject: pid(usageDenied),
    ...(restricted ? { restrictedFolderId: restricted } : {}),
  };
}
