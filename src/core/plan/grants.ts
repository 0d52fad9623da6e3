/**
 * Plan options for "the caller lacks permissions": the smallest safe predefined role, a custom
 * role with exactly the missing permissions, and (for workloads) a dedicated service account.
 * Grants go to the project resolved in ./targets.ts, never to whatever project the error names.
 */
import type { NextCheck, PlanOption, RoleDecision, Step, Value } from '../model.js';
import { dq, word } from '../render/shell.js';
import { coverPermissions, type RoleIndex } from '../roles/index.js';
import { memberEmail, modelCallCheck } from './checks.js';
import type { Targets } from './targets.js';
import { cloudRunService } from './targets.js';
import { display, shellRef, type Variables } from './variables.js';

export interface GrantPlan {
  options: PlanOption[];
  decisions: RoleDecision[];
  verify: NextCheck[];
  rollback: NextCheck[];
  notes: string[];
}

/** Custom role ids: [a-zA-Z0-9_.]{3,64}. Named after what the permissions are for. */
export function customRoleId(permissions: readonly string[]): string {
  if (
    permissions.includes('aiplatform.endpoints.predict') &&
    permissions.every((p) => p.startsWith('aiplatform.'))
  ) {
    return 'genaiDoctorGeminiCaller';
  }
  const parts = permissions[0]?.split('.') ?? [];
  const camel = parts.map((x) => x.charAt(0).toUpperCase() + x.slice(1)).join('');
  return `genaiDoctor${camel}`.replace(/[^a-zA-Z0-9_.]/g, '').slice(0, 64);
}

/** Custom role titles: at most 100 characters. */
export function customRoleTitle(permissions: readonly string[]): string {
  const what = permissions.length === 1 ? permissions[0]! : `${permissions.length} permissions`;
  return `genai-doctor: ${what}`.slice(0, 100);
}

/** Service account ids: 6-30 chars, [a-z][a-z0-9-]*[a-z0-9]. */
export function serviceAccountId(workload: string | undefined): string {
  const base = (workload ?? 'gemini-caller')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-');
  let id = base.endsWith('-sa') ? base : `${base.slice(0, 27)}-sa`;
  id = id.replace(/-+$/, '').replace(/--+/g, '-');
  if (id.length < 6) id = `${id}-caller`.slice(0, 30);
  return id.slice(0, 30).replace(/-+$/, '');
}

function projectPath(project: Value): string {
  return shellRef(project);
}

/** The member string for a service account email that may embed the project variable. */
/** The custom role holding exactly the permissions the failing call needed. */
function customRoleStep(project: Value, roleId: string, permissions: readonly string[], why: string): Step {
  return {
    kind: 'create_custom_role',
    project,
    roleId,
    title: customRoleTitle(permissions),
    description: `Exactly the permissions the failing call needed: ${permissions.join(', ')}`,
    permissions: [...permissions].sort(),
    why,
  };
}

function saEmail(accountId: string, project: Value): string {
  return `${accountId}@${projectPath(project)}.iam.gserviceaccount.com`;
}

function grantVerify(
  targets: Targets,
  project: Value,
  member: Value,
  permissions: string[],
  callCheck: boolean,
): NextCheck[] {
  const p = shellRef(project);
  const m = shellRef(member);
  const checks: NextCheck[] = [
    {
      description: `The binding exists in ${display(project)}`,
      command: `gcloud projects get-iam-policy ${p} --flatten='bindings[].members' --filter="bindings.members:${m}" --format='table(bindings.role)'`,
    },
  ];
  const email = memberEmail(member);
  for (const permission of permissions.slice(0, 3)) {
    checks.push({
      description: `Policy Troubleshooter says ${permission} is granted`,
      command: `gcloud policy-intelligence troubleshoot-policy iam //cloudresourcemanager.googleapis.com/projects/${p} --principal-email="${email}" --permission=${permission}`,
    });
  }
  if (callCheck) checks.push(modelCallCheck(targets, project, member));
  return checks;
}

export const PROPAGATION: Step = {
  kind: 'wait_propagation',
  seconds: 120,
  why: 'IAM changes usually apply within 2 minutes and can take up to 7; retry the call before changing anything else',
};

/**
 * The command that sets an environment variable on the workload, where the runtime has one
 * (Cloud Run: a new revision with the variable); elsewhere the client config is the user's code.
 */
export function envCommand(targets: Targets, vars: Variables, key: string, value: Value): string | undefined {
  if (targets.runtime !== 'cloud-run') return undefined;
  const { service, region } = cloudRunService(targets, vars);
  return `gcloud run services update ${shellRef(service)} --region=${shellRef(region)} --project=${shellRef(targets.project)} --update-env-vars=${key}=${shellRef(value)}`;
}

/** Steps that point the client at the intended project, when the call went elsewhere. */
export function projectConfigSteps(targets: Targets, vars: Variables): Step[] {
  if (!targets.fixConfigProject) return [];
  const command = envCommand(targets, vars, 'GOOGLE_CLOUD_PROJECT', targets.project);
  return [
    {
      kind: 'set_config',
      key: 'GOOGLE_CLOUD_PROJECT',
      value: targets.project,
      where:
        targets.runtime === 'cloud-run'
          ? 'Cloud Run service environment (and any project= passed to the client constructor)'
          : 'the client configuration (GOOGLE_CLOUD_PROJECT or project= in the client constructor)',
      why: targets.calledProject
        ? `the request named project ${targets.calledProject}, but the workload means ${display(targets.project)}: a grant alone would not fix a call that goes to the wrong project`
        : `the request did not go to the intended project ${display(targets.project)}`,
      ...(command ? { command } : {}),
    },
  ];
}

export interface GrantPlanOptions {
  /** The member is a Google service agent: no dedicated-account option, no call as it. */
  serviceAgent?: boolean;
}

export function grantPlan(
  targets: Targets,
  vars: Variables,
  roles: RoleIndex,
  permissions: string[],
  opts: GrantPlanOptions = {},
): GrantPlan {
  const project = targets.project;
  const member = targets.member;
  const cover = coverPermissions(roles, permissions);
  const chosenRoles = cover.decisions.flatMap((d) => (d.chosen ? [d.chosen.role] : []));
  const configSteps = projectConfigSteps(targets, vars);
  const notes: string[] = [];
  const options: PlanOption[] = [];

  for (const d of cover.decisions) {
    if (d.chosen) {
      const rejected = d.rejected
        .slice(0, 4)
        .map((r) => `${r.role} (${r.reason})`)
        .join(', ');
      notes.push(
        `${d.chosen.role} (${d.chosen.permissionCount} permissions in a ${d.catalogSize}-role catalog) is the smallest GA predefined role holding ${d.permissions.join(', ')}` +
          (rejected ? `; turned down: ${rejected}` : ''),
      );
    } else if (d.outcome === 'only-unsafe-roles') {
      notes.push(
        `Only primitive, service-agent or non-GA roles hold ${d.permissions.join(', ')}: the plan uses a custom role instead`,
      );
    }
  }
  const uncovered = [
    ...cover.uncovered,
    ...cover.decisions.filter((d) => !d.chosen).flatMap((d) => d.permissions),
  ];
  if (uncovered.length) {
    notes.push(
      `No safe predefined role grants ${[...new Set(uncovered)].join(', ')}: only a custom role can.`,
    );
  }

  if (chosenRoles.length) {
    options.push({
      id: 'grant-predefined-role',
      title: `Grant ${chosenRoles.join(' + ')} to ${display(member)} in ${display(project)}`,
      recommended: false,
      steps: [
        ...configSteps,
        ...chosenRoles.map(
          (role): Step => ({
            kind: 'grant_role',
            project,
            member,
            role,
            why: `smallest GA predefined role that grants ${cover.decisions.find((d) => d.chosen?.role === role)?.permissions.join(', ')}; never a primitive or service-agent role`,
          }),
        ),
        PROPAGATION,
      ],
    });
  }

  const roleId = customRoleId(permissions);
  const customRoleName = `projects/${projectPath(project)}/roles/${roleId}`;
  options.push({
    id: 'custom-role',
    title: `Custom role ${roleId} with exactly ${permissions.join(', ')}`,
    recommended: false,
    steps: [
      ...configSteps,
      customRoleStep(
        project,
        roleId,
        permissions,
        'the narrowest grant possible: nothing beyond the permissions the error named',
      ),
      {
        kind: 'grant_role',
        project,
        member,
        role: customRoleName,
        why: 'binds the custom role to the caller',
      },
      PROPAGATION,
    ],
  });

  const dedicated = opts.serviceAgent ? undefined : switchSteps(targets, vars);
  if (dedicated) {
    const accountId = dedicated.accountId;
    const email = saEmail(accountId, project);
    const grantRoles = chosenRoles.length ? chosenRoles : [customRoleName];
    options.push({
      id: 'dedicated-service-account',
      title: `Run ${dedicated.what} as a dedicated service account ${accountId} holding only ${grantRoles.join(' + ')}`,
      recommended: false,
      steps: [
        ...configSteps,
        {
          kind: 'create_service_account',
          project,
          accountId,
          displayName: `${targets.workload ?? 'Gemini caller'} (genai-doctor)`,
          why: 'a dedicated identity keeps the grant to this one workload (the default compute account is shared by every workload in the project)',
        },
        ...(chosenRoles.length
          ? []
          : [
              customRoleStep(
                project,
                roleId,
                permissions,
                'no safe predefined role grants these permissions',
              ),
            ]),
        ...grantRoles.map(
          (role): Step => ({
            kind: 'grant_role',
            project,
            member: `serviceAccount:${email}`,
            role,
            why: 'the new identity gets only what the call needs',
          }),
        ),
        ...dedicated.steps(email),
        PROPAGATION,
      ],
    });
    notes.push(
      'Before switching the service account, check what else the workload uses (Cloud Storage, Secret Manager, Cloud SQL...): the new account needs those grants too.',
    );
  }

  // Recommend: a dedicated account when the caller is the shared default compute account;
  // otherwise the predefined role; the custom role when no safe predefined role exists.
  const recommendedId =
    dedicated && targets.memberIsDefaultComputeAccount
      ? 'dedicated-service-account'
      : chosenRoles.length
        ? 'grant-predefined-role'
        : 'custom-role';
  for (const o of options) o.recommended = o.id === recommendedId;
  options.sort((a, b) => Number(b.recommended) - Number(a.recommended));

  const recommended = options.find((o) => o.recommended)!;
  const rollback: NextCheck[] = rollbackOfSteps(recommended.steps);
  const verifyMember =
    recommendedId === 'dedicated-service-account'
      ? `serviceAccount:${saEmail(serviceAccountId(targets.workload), project)}`
      : member;
  const verify = grantVerify(targets, project, verifyMember, permissions, !opts.serviceAgent);
  return { options, decisions: cover.decisions, verify, rollback, notes };
}

interface DedicatedSwitch {
  accountId: string;
  /** The workload, for the option title. */
  what: string;
  /** Steps that make the workload run as `email`. */
  steps: (email: string) => Step[];
}

/**
 * How a workload is moved to a dedicated service account, per runtime: Cloud Run deploys a new
 * revision with it; a VM is stopped and given it (with the cloud-platform scope); a GKE pod
 * gets it through Workload Identity. Other runtimes get no such option.
 */
function switchSteps(targets: Targets, vars: Variables): DedicatedSwitch | undefined {
  const accountId = serviceAccountId(targets.workload);
  const p = shellRef(targets.project);
  if (targets.runtime === 'cloud-run') {
    const { service, region } = cloudRunService(targets, vars);
    return {
      accountId,
      what: display(service),
      steps: (email) => [
        {
          kind: 'switch_workload_service_account',
          workload: 'cloud-run',
          service,
          region,
          project: targets.project,
          serviceAccount: email,
          why: 'deploys a new revision running as the dedicated account (the deployer needs iam.serviceAccounts.actAs on it: roles/iam.serviceAccountUser)',
        },
      ],
    };
  }
  if (targets.runtime === 'gce') {
    const instanceVar = vars.use('INSTANCE', 'Name of the VM that makes the call');
    const instance = shellRef(instanceVar);
    const zone = shellRef(
      vars.use(
        'ZONE',
        'Zone of the VM',
        `gcloud compute instances list --project=${p} --filter="name=${instance}" --format="value(zone.basename())" --limit=1`,
      ),
    );
    return {
      accountId,
      what: `the VM ${display(instanceVar)}`,
      steps: (email) => [
        {
          kind: 'manual',
          title: 'Run the VM as the dedicated account',
          instructions:
            'Stop the VM, set its service account (scope cloud-platform; IAM decides access), start it again.',
          why: 'a VM’s service account can only change while it is stopped',
          command: `gcloud compute instances stop "${instance}" --zone="${zone}" --project=${p} && gcloud compute instances set-service-account "${instance}" --zone="${zone}" --project=${p} --service-account="${email}" --scopes=cloud-platform && gcloud compute instances start "${instance}" --zone="${zone}" --project=${p}`,
        },
      ],
    };
  }
  if (targets.runtime === 'gke') {
    const nsVar = vars.use('K8S_NAMESPACE', 'Kubernetes namespace of the pod');
    const ksaVar = vars.use(
      'K8S_SERVICE_ACCOUNT',
      'Kubernetes service account of the pod (kubectl get pod POD -o jsonpath={.spec.serviceAccountName})',
    );
    const [ns, ksa] = [shellRef(nsVar), shellRef(ksaVar)];
    const who = `${display(nsVar)}/${display(ksaVar)}`;
    return {
      accountId,
      what: `the pods of ${who}`,
      steps: (email) => [
        {
          kind: 'manual',
          title: 'Let the Kubernetes service account act as it (Workload Identity)',
          instructions: `Bind ${who} to the Google service account and annotate the Kubernetes service account; restart the pods.`,
          why: 'Workload Identity maps the pod’s Kubernetes identity to the dedicated Google account',
          command: `gcloud iam service-accounts add-iam-policy-binding "${email}" --project=${p} --role=roles/iam.workloadIdentityUser --member="serviceAccount:${p}.svc.id.goog[${ns}/${ksa}]" && kubectl annotate serviceaccount "${ksa}" --namespace "${ns}" --overwrite iam.gke.io/gcp-service-account="${email}"`,
        },
      ],
    };
  }
  return undefined;
}

/**
 * What undoes a list of steps: the last step's undo first (traffic goes back to the old identity
 * before the new account is deleted, a binding goes before its custom role).
 */
export function rollbackOfSteps(steps: Step[]): NextCheck[] {
  return [...steps].reverse().flatMap(rollbackOf);
}

/** The command that undoes one step (none for steps that change nothing to undo). */
function rollbackOf(step: Step): NextCheck[] {
  switch (step.kind) {
    case 'grant_role':
      return [
        {
          description: `Remove ${step.role} from ${display(step.member)} in ${display(step.project)}`,
          command: `gcloud projects remove-iam-policy-binding ${shellRef(step.project)} --member="${shellRef(step.member)}" --role="${step.role}"`,
        },
      ];
    case 'grant_role_on_service_account':
      return [
        {
          description: `Remove ${step.role} from ${display(step.member)} on the service account ${display(step.serviceAccount)}`,
          command: `gcloud iam service-accounts remove-iam-policy-binding ${word(step.serviceAccount)} --member=${word(step.member)} --role=${dq(step.role)} --project=${word(step.project)}`,
        },
      ];
    case 'create_custom_role':
      return [
        {
          description: `Delete the custom role ${step.roleId} (restorable for 7 days with gcloud iam roles undelete)`,
          command: `gcloud iam roles delete ${step.roleId} --project=${shellRef(step.project)}`,
        },
      ];
    case 'create_service_account':
      return [
        {
          description: `Delete the service account ${step.accountId} (after the workload no longer runs as it)`,
          command: `gcloud iam service-accounts delete ${step.accountId}@${shellRef(step.project)}.iam.gserviceaccount.com --project=${shellRef(step.project)} --quiet`,
        },
      ];
    case 'switch_workload_service_account': {
      const [svc, region, project] = [shellRef(step.service), shellRef(step.region), shellRef(step.project)];
      return [
        {
          description: 'Route traffic back to the previous revision (it still runs as the old identity)',
          // The revision before the switch is the second newest one.
          command: `gcloud run services update-traffic ${svc} --region=${region} --project=${project} --to-revisions="$(gcloud run revisions list --service=${svc} --region=${region} --project=${project} --sort-by='~metadata.creationTimestamp' --format='value(metadata.name)' --limit=2 | tail -n 1)=100"`,
        },
      ];
    }
    case 'revoke_role':
      return [
        {
          description: `Give ${step.role} back to ${display(step.member)} in ${display(step.project)}`,
          command: `gcloud projects add-iam-policy-binding ${word(step.project)} --member=${word(step.member)} --role=${dq(step.role)} --condition=None`,
        },
      ];
    case 'restrict_api_key':
      return [
        {
          description: `Lift the restrictions of the API key ${display(step.key)} again (it had none before)`,
          command: `gcloud services api-keys update ${word(step.key)} --project=${word(step.project)} --location=global --clear-restrictions`,
        },
      ];
    case 'enable_api':
      return [
        {
          description: `Disable ${step.service} again (only if nothing else in the project uses it)`,
          command: `gcloud services disable ${step.service} --project=${shellRef(step.project)}`,
        },
      ];
    case 'set_config':
      return [{ description: `Restore the previous value of ${step.key} in ${step.where}` }];
    default:
      return [];
  }
}
