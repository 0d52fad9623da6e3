/**
 * The small predefined-role catalog genai-doctor ships so that plans work offline (no IAM API
 * call, no `--roles FILE`). Written by hand for the roles the tool proposes, checks or must
 * refuse; role names, stages and permission names are Google's.
 *
 * Small roles list every permission. Large roles (aiplatform.*, run.*, logging.viewer and the
 * primitive roles) list a representative subset: every permission the tool checks plus enough
 * siblings that their relative sizes keep the real order (viewer < user < admin), because the
 * role index picks the smallest covering role by permission count. With the full catalog from
 * the IAM API or `--roles FILE` the counts are exact.
 *
 * The sandbox evaluates IAM with these roles too, so every permission a probe or a fix tests
 * must appear in at least one workload role here.
 */
import type { IamRole } from '../iam.js';

const PROJECT_READ = ['resourcemanager.projects.get', 'resourcemanager.projects.list'];

/** Vertex AI prediction and model read permissions: what a Gemini caller needs (subset). */
const AIPLATFORM_USE = [
  'aiplatform.cachedContents.create',
  'aiplatform.cachedContents.delete',
  'aiplatform.cachedContents.get',
  'aiplatform.cachedContents.list',
  'aiplatform.cachedContents.update',
  'aiplatform.endpoints.create',
  'aiplatform.endpoints.delete',
  'aiplatform.endpoints.deploy',
  'aiplatform.endpoints.explain',
  'aiplatform.endpoints.get',
  'aiplatform.endpoints.list',
  'aiplatform.endpoints.predict',
  'aiplatform.endpoints.undeploy',
  'aiplatform.endpoints.update',
  'aiplatform.locations.evaluateInstances',
  'aiplatform.locations.get',
  'aiplatform.locations.list',
  'aiplatform.models.delete',
  'aiplatform.models.export',
  'aiplatform.models.get',
  'aiplatform.models.list',
  'aiplatform.models.update',
  'aiplatform.models.upload',
  'aiplatform.operations.list',
];

const AIPLATFORM_VIEW = [
  'aiplatform.endpoints.get',
  'aiplatform.endpoints.list',
  'aiplatform.locations.get',
  'aiplatform.locations.list',
  'aiplatform.models.get',
  'aiplatform.models.list',
];

/** Admin-only Vertex AI permissions (subset): IAM on Vertex resources, provisioned throughput. */
const AIPLATFORM_ADMIN_ONLY = [
  'aiplatform.endpoints.getIamPolicy',
  'aiplatform.endpoints.setIamPolicy',
  'aiplatform.persistentResources.create',
  'aiplatform.persistentResources.delete',
  'aiplatform.provisionedThroughputs.create',
  'aiplatform.provisionedThroughputs.update',
];

const SERVICE_USAGE_READ = [
  'serviceusage.operations.get',
  'serviceusage.quotas.get',
  'serviceusage.services.get',
  'serviceusage.services.list',
];

const RUN_READ = [
  'run.operations.get',
  'run.operations.list',
  'run.revisions.get',
  'run.revisions.list',
  'run.services.get',
  'run.services.getIamPolicy',
  'run.services.list',
];

const RUN_WRITE = [
  'run.revisions.delete',
  'run.services.create',
  'run.services.delete',
  'run.services.update',
];

const SERVICE_ACCOUNT_ADMIN = [
  'iam.serviceAccounts.create',
  'iam.serviceAccounts.delete',
  'iam.serviceAccounts.disable',
  'iam.serviceAccounts.enable',
  'iam.serviceAccounts.get',
  'iam.serviceAccounts.getIamPolicy',
  'iam.serviceAccounts.list',
  'iam.serviceAccounts.setIamPolicy',
  'iam.serviceAccounts.undelete',
  'iam.serviceAccounts.update',
];

const IAM_ROLE_ADMIN = [
  'iam.roles.create',
  'iam.roles.delete',
  'iam.roles.get',
  'iam.roles.list',
  'iam.roles.undelete',
  'iam.roles.update',
];

const PROJECT_IAM_ADMIN = [
  'resourcemanager.projects.get',
  'resourcemanager.projects.getIamPolicy',
  'resourcemanager.projects.setIamPolicy',
];

/** Billing-account side: lists which projects a billing account pays for. */
const BILLING_READ = ['billing.resourceAssociations.list'];

const sorted = (...lists: string[][]): string[] => [...new Set(lists.flat())].sort();

function role(
  name: string,
  title: string,
  description: string,
  permissions: string[],
  stage: IamRole['stage'] = 'GA',
): IamRole {
  return { name, title, description, includedPermissions: sorted(permissions), stage, etag: 'AA==' };
}

/** Permissions of the primitive roles that the tool checks (the real roles hold thousands). */
const VIEWER_SUBSET = sorted(
  PROJECT_READ,
  AIPLATFORM_VIEW,
  ['aiplatform.endpoints.predict'],
  SERVICE_USAGE_READ,
  RUN_READ,
  ['iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'iam.roles.get', 'iam.roles.list'],
  ['resourcemanager.projects.getIamPolicy', 'logging.logEntries.list', 'logging.logs.list'],
  ['storage.objects.list', 'monitoring.timeSeries.list'],
);
const EDITOR_SUBSET = sorted(
  VIEWER_SUBSET,
  AIPLATFORM_USE,
  AIPLATFORM_ADMIN_ONLY,
  ['serviceusage.services.use', 'serviceusage.services.enable', 'serviceusage.services.disable'],
  RUN_WRITE,
  SERVICE_ACCOUNT_ADMIN,
  ['iam.serviceAccounts.actAs', 'storage.objects.get', 'storage.objects.create'],
);
const OWNER_SUBSET = sorted(EDITOR_SUBSET, IAM_ROLE_ADMIN, PROJECT_IAM_ADMIN, [
  'iam.serviceAccounts.getAccessToken',
  'resourcemanager.projects.createBillingAssignment',
  'resourcemanager.projects.deleteBillingAssignment',
]);

export const BUILTIN_ROLES: IamRole[] = [
  // --- Vertex AI -------------------------------------------------------------------------------
  role(
    'roles/aiplatform.user',
    'Vertex AI User',
    'Grants access to use all resource in Vertex AI.',
    sorted(AIPLATFORM_USE, PROJECT_READ),
  ),
  role(
    'roles/aiplatform.viewer',
    'Vertex AI Viewer',
    'Grants access to view all resource in Vertex AI.',
    sorted(AIPLATFORM_VIEW, PROJECT_READ),
  ),
  role(
    'roles/aiplatform.admin',
    'Vertex AI Administrator',
    'Grants full access to all resources in Vertex AI.',
    sorted(AIPLATFORM_USE, AIPLATFORM_ADMIN_ONLY, PROJECT_READ),
  ),
  // Service-agent roles: Google grants them to its own service agents. They look attractive
  // (the rapid-eval one holds nothing but predict) and must never be granted to a workload.
  role(
    'roles/aiplatform.serviceAgent',
    'Vertex AI Service Agent',
    'Gives Vertex AI the permissions it needs to function.',
    sorted(
      AIPLATFORM_USE,
      PROJECT_READ,
      ['serviceusage.services.use', 'storage.objects.get', 'storage.objects.list'],
      ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.actAs'],
    ),
  ),
  role(
    'roles/aiplatform.rapidevalServiceAgent',
    'Vertex AI Rapid Eval Service Agent',
    'Vertex AI Service Agent used by GenAI Rapid Evaluation Service to access publisher model endpoints in the user project',
    ['aiplatform.endpoints.predict'],
  ),
  // BETA: smaller than aiplatform.user but not GA, so never the recommended answer.
  role(
    'roles/aiplatform.expressUser',
    'Vertex AI Express User',
    'Grants access to use Vertex AI in express mode.',
    [
      'aiplatform.endpoints.predict',
      'aiplatform.locations.evaluateInstances',
      'aiplatform.operations.list',
      'aiplatform.sessions.create',
      'aiplatform.sessions.get',
      'aiplatform.sessions.list',
    ],
    'BETA',
  ),

  // --- Service Usage (complete lists of the permissions the tool relies on) --------------------
  role(
    'roles/serviceusage.serviceUsageViewer',
    'Service Usage Viewer',
    'Ability to inspect service states and operations for a consumer project.',
    SERVICE_USAGE_READ,
  ),
  role(
    'roles/serviceusage.serviceUsageConsumer',
    'Service Usage Consumer',
    'Ability to inspect service states and operations, and consume quota and billing for a consumer project.',
    sorted(SERVICE_USAGE_READ, ['serviceusage.services.use']),
  ),
  role(
    'roles/serviceusage.serviceUsageAdmin',
    'Service Usage Admin',
    'Ability to enable, disable, and inspect service states, inspect operations, and consume quota and billing for a consumer project.',
    sorted(SERVICE_USAGE_READ, [
      'serviceusage.quotas.update',
      'serviceusage.services.disable',
      'serviceusage.services.enable',
      'serviceusage.services.use',
    ]),
  ),

  // --- Service accounts and IAM ----------------------------------------------------------------
  role(
    'roles/iam.serviceAccountUser',
    'Service Account User',
    'Run operations as the service account.',
    sorted(PROJECT_READ, [
      'iam.serviceAccounts.actAs',
      'iam.serviceAccounts.get',
      'iam.serviceAccounts.list',
    ]),
  ),
  role(
    'roles/iam.serviceAccountTokenCreator',
    'Service Account Token Creator',
    'Impersonate service accounts (create OAuth2 access tokens, sign blobs or JWTs, etc).',
    sorted(PROJECT_READ, [
      'iam.serviceAccounts.get',
      'iam.serviceAccounts.getAccessToken',
      'iam.serviceAccounts.getOpenIdToken',
      'iam.serviceAccounts.implicitDelegation',
      'iam.serviceAccounts.list',
      'iam.serviceAccounts.signBlob',
      'iam.serviceAccounts.signJwt',
    ]),
  ),
  role(
    'roles/iam.workloadIdentityUser',
    'Workload Identity User',
    'Impersonate service accounts from federated workloads.',
    [
      'iam.serviceAccounts.get',
      'iam.serviceAccounts.getAccessToken',
      'iam.serviceAccounts.getOpenIdToken',
      'iam.serviceAccounts.list',
    ],
  ),
  role(
    'roles/iam.serviceAccountCreator',
    'Create Service Accounts',
    'Access to create service accounts.',
    sorted(PROJECT_READ, [
      'iam.serviceAccounts.create',
      'iam.serviceAccounts.get',
      'iam.serviceAccounts.list',
    ]),
  ),
  role(
    'roles/iam.serviceAccountAdmin',
    'Service Account Admin',
    'Create and manage service accounts.',
    sorted(PROJECT_READ, SERVICE_ACCOUNT_ADMIN),
  ),
  role(
    'roles/iam.roleAdmin',
    'Role Administrator',
    'Access to administer all custom roles in the project.',
    sorted(IAM_ROLE_ADMIN, ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy']),
  ),
  role(
    'roles/iam.roleViewer',
    'Role Viewer',
    'Read access to all custom roles in the project.',
    sorted(PROJECT_READ, ['iam.roles.get', 'iam.roles.list']),
  ),
  role(
    'roles/resourcemanager.projectIamAdmin',
    'Project IAM Admin',
    'Access and administer a project IAM policies.',
    PROJECT_IAM_ADMIN,
  ),
  role(
    'roles/iam.securityReviewer',
    'Security Reviewer',
    'Security reviewer role, with permissions to get any IAM policy.',
    // Subset: the real role reads the IAM policy of nearly every resource type.
    sorted(PROJECT_READ, [
      'resourcemanager.projects.getIamPolicy',
      'iam.roles.get',
      'iam.roles.list',
      'iam.serviceAccounts.getIamPolicy',
      'iam.serviceAccounts.list',
      'run.services.getIamPolicy',
      'aiplatform.endpoints.getIamPolicy',
    ]),
  ),
  role(
    'roles/browser',
    'Browser',
    'Access to browse GCP resources.',
    sorted(PROJECT_READ, [
      'resourcemanager.folders.get',
      'resourcemanager.folders.list',
      'resourcemanager.organizations.get',
      'resourcemanager.projects.getIamPolicy',
    ]),
  ),

  // --- Cloud Run -------------------------------------------------------------------------------
  role(
    'roles/run.viewer',
    'Cloud Run Viewer',
    'Can view the state of all Cloud Run resources, including IAM policies.',
    sorted(PROJECT_READ, RUN_READ),
  ),
  role(
    'roles/run.developer',
    'Cloud Run Developer',
    'Read and write access to all Cloud Run resources.',
    sorted(PROJECT_READ, RUN_READ, RUN_WRITE),
  ),
  role(
    'roles/run.admin',
    'Cloud Run Admin',
    'Full control over all Cloud Run resources.',
    sorted(PROJECT_READ, RUN_READ, RUN_WRITE, ['run.services.setIamPolicy']),
  ),
  role(
    'roles/run.invoker',
    'Cloud Run Invoker',
    'Can invoke Cloud Run services, instances and execute Cloud Run jobs.',
    ['run.instances.invoke', 'run.jobs.run', 'run.routes.invoke'],
  ),

  // --- Logging, storage, billing ---------------------------------------------------------------
  role(
    'roles/logging.viewer',
    'Logs Viewer',
    'Access to view logs, except for logs with private contents.',
    sorted(['resourcemanager.projects.get'], ['logging.logEntries.list', 'logging.logs.list']),
  ),
  role(
    'roles/storage.objectViewer',
    'Storage Object Viewer',
    'Grants access to view objects and their metadata, excluding ACLs. Can also list the objects in a bucket.',
    sorted(PROJECT_READ, [
      'storage.folders.get',
      'storage.folders.list',
      'storage.managedFolders.get',
      'storage.managedFolders.list',
      'storage.objects.get',
      'storage.objects.list',
    ]),
  ),
  role(
    'roles/billing.projectManager',
    'Project Billing Manager',
    "Can assign a project's billing account or disable its billing.",
    ['resourcemanager.projects.createBillingAssignment', 'resourcemanager.projects.deleteBillingAssignment'],
  ),
  role(
    'roles/billing.viewer',
    'Billing Account Viewer',
    'View billing account cost information and transactions.',
    sorted(BILLING_READ, ['billing.accounts.get', 'billing.accounts.list']),
  ),

  // --- Read-only inventory roles `scan` needs (Cloud Asset Inventory, API Keys) -----------------
  role('roles/cloudasset.viewer', 'Cloud Asset Viewer', 'Read only access to cloud assets metadata', [
    'cloudasset.assets.analyzeIamPolicy',
    'cloudasset.assets.exportIamPolicy',
    'cloudasset.assets.exportResource',
    'cloudasset.assets.listIamPolicy',
    'cloudasset.assets.listResource',
    'cloudasset.assets.searchAllIamPolicies',
    'cloudasset.assets.searchAllResources',
    'cloudasset.feeds.get',
    'cloudasset.feeds.list',
  ]),
  role('roles/apikeys.viewer', 'API Keys Viewer', 'Ability to view API keys.', [
    'apikeys.keys.get',
    'apikeys.keys.list',
  ]),
  // `scan --usage` reads request counts with monitoring.timeSeries.list (a subset of the role).
  role(
    'roles/monitoring.viewer',
    'Monitoring Viewer',
    'Gives you read-only access to get and list information about all monitoring data and configurations.',
    [
      ...PROJECT_READ,
      'monitoring.alertPolicies.get',
      'monitoring.alertPolicies.list',
      'monitoring.dashboards.get',
      'monitoring.dashboards.list',
      'monitoring.groups.get',
      'monitoring.groups.list',
      'monitoring.metricDescriptors.get',
      'monitoring.metricDescriptors.list',
      'monitoring.monitoredResourceDescriptors.get',
      'monitoring.monitoredResourceDescriptors.list',
      'monitoring.timeSeries.list',
    ],
  ),

  // --- Primitive roles: present so that the index can name and refuse them ---------------------
  role(
    'roles/viewer',
    'Viewer',
    'View most Google Cloud resources. See the list of included permissions.',
    VIEWER_SUBSET,
  ),
  role(
    'roles/editor',
    'Editor',
    'View, create, update, and delete most Google Cloud resources. See the list of included permissions.',
    EDITOR_SUBSET,
  ),
  role(
    'roles/owner',
    'Owner',
    'Full access to most Google Cloud resources. See the list of included permissions.',
    OWNER_SUBSET,
  ),
];
