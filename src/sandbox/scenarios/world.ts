/**
 * Building blocks for the shipped scenarios: the model catalog, the operator's least-privilege
 * bindings, a project template and the default Cloud Run runtime. Scenarios are plain data built
 * from these, so each one reads as "the healthy world, with one thing broken".
 */
import type { Binding } from '../../core/iam.js';
import type { ScenarioModel, ScenarioProject } from '../scenario.js';

/** Google's generative models as the sandbox serves them (locations follow Google's tables). */
export const DEFAULT_MODELS: ScenarioModel[] = [
  {
    id: 'gemini-2.5-flash',
    kind: 'text',
    locations: ['global', 'us-central1', 'us-east4', 'europe-west1', 'europe-west4', 'asia-northeast1'],
    geminiApi: true,
  },
  {
    id: 'gemini-2.5-pro',
    kind: 'text',
    locations: ['global', 'us-central1', 'us-east4', 'europe-west1', 'europe-west4'],
    geminiApi: true,
  },
  {
    id: 'gemini-2.5-flash-lite',
    kind: 'text',
    locations: ['global', 'us-central1', 'europe-west4'],
    geminiApi: true,
  },
  {
    id: 'gemini-2.0-flash-001',
    kind: 'text',
    locations: ['global', 'us-central1', 'europe-west4'],
    geminiApi: true,
  },
  { id: 'gemini-2.5-flash-image', kind: 'image', locations: ['global', 'us-central1'], geminiApi: true },
  { id: 'gemini-3-pro-preview', kind: 'text', locations: ['global'], geminiApi: true },
  // Gemini 3 Pro Image is served on the global endpoint only (the seed's note 4).
  { id: 'gemini-3-pro-image-preview', kind: 'image', locations: ['global'], geminiApi: true },
];

/** The roles the live doctor's operator holds: enough to diagnose and fix, never owner. */
export const OPERATOR_ROLES = [
  'roles/resourcemanager.projectIamAdmin',
  'roles/serviceusage.serviceUsageAdmin',
  'roles/iam.roleAdmin',
  'roles/iam.serviceAccountAdmin',
  'roles/iam.serviceAccountUser',
  'roles/run.admin',
  'roles/browser',
  'roles/iam.securityReviewer',
  // Reads the workload's Cloud Logging entries (`logs --gcp-logging`).
  'roles/logging.viewer',
];

export const OPERATOR_ID = 'genai-doctor-operator';

export function operatorEmail(projectId: string): string {
  return `${OPERATOR_ID}@${projectId}.iam.gserviceaccount.com`;
}

export function saEmail(accountId: string, projectId: string): string {
  return `${accountId}@${projectId}.iam.gserviceaccount.com`;
}

export function computeAccount(projectNumber: string): string {
  return `${projectNumber}-compute@developer.gserviceaccount.com`;
}

export const BASE_SERVICES = [
  'aiplatform.googleapis.com',
  'run.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'serviceusage.googleapis.com',
  'cloudbilling.googleapis.com',
  'policytroubleshooter.googleapis.com',
  'logging.googleapis.com',
];

export interface ProjectSpec {
  projectId: string;
  projectNumber: string;
  operator: string;
  /** Extra bindings besides the operator's and an owner human. */
  bindings?: Binding[];
  owner?: string;
  services?: string[];
  billingEnabled?: boolean;
  serviceAccounts?: ScenarioProject['serviceAccounts'];
  cloudRunServices?: ScenarioProject['cloudRunServices'];
  denyRules?: ScenarioProject['denyRules'];
  orgPolicies?: ScenarioProject['orgPolicies'];
  labels?: Record<string, string>;
}

/** A project with the operator's roles, a human owner, audit configs and the usual services. */
export function project(spec: ProjectSpec): ScenarioProject {
  const bindings: Binding[] = [
    ...OPERATOR_ROLES.map((role) => ({ role, members: [`serviceAccount:${spec.operator}`] })),
    { role: 'roles/owner', members: [spec.owner ?? 'user:platform-admin@example.com'] },
    ...(spec.bindings ?? []),
  ];
  return {
    projectId: spec.projectId,
    projectNumber: spec.projectNumber,
    name: spec.projectId,
    lifecycleState: 'ACTIVE',
    createTime: '2024-03-12T09:21:44.512Z',
    parent: { type: 'organization', id: '433637338589' },
    labels: spec.labels,
    enabledServices: spec.services ?? BASE_SERVICES,
    billingEnabled: spec.billingEnabled ?? true,
    policy: {
      version: 1,
      bindings: mergeBindings(bindings),
      auditConfigs: [
        {
          service: 'aiplatform.googleapis.com',
          auditLogConfigs: [{ logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
        },
      ],
    },
    denyRules: spec.denyRules,
    serviceAccounts: spec.serviceAccounts,
    cloudRunServices: spec.cloudRunServices,
    orgPolicies: spec.orgPolicies,
  };
}

function mergeBindings(bindings: Binding[]): Binding[] {
  const byRole = new Map<string, Binding>();
  const out: Binding[] = [];
  for (const b of bindings) {
    if (b.condition) {
      out.push(b);
      continue;
    }
    const existing = byRole.get(b.role);
    if (existing) existing.members = [...new Set([...existing.members, ...b.members])].sort();
    else {
      const copy = { role: b.role, members: [...b.members].sort() };
      byRole.set(b.role, copy);
      out.push(copy);
    }
  }
  return out.sort((a, b) => a.role.localeCompare(b.role));
}
