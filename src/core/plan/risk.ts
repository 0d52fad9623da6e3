/**
 * Plans for risky setups (`scan`'s risk.* findings: the calls work, the setup is dangerous), built
 * from the same typed steps, verification and rollback as a cause's plan, so the gcloud, Terraform,
 * Console and Markdown renderers render them unchanged. One builder per risk class:
 *
 * - default compute account with roles/editor: every Gemini caller running as it gets its own
 *   account (the Vertex AI role in the project it calls), then roles/editor comes off the default
 *   account;
 * - unrestricted API key: restrict it to the Gemini API and to its callers (referrers or IPs);
 * - one account for many services: the Gemini caller gets an account of its own;
 * - primitive role: the Vertex AI role first, then the primitive role comes off.
 *
 * Inventory values (project ids, e-mails, service names, key ids) come from an organization's
 * resources and pass the same id validator (../ids.ts) as error text does before they reach a
 * command: one that fails becomes a named variable.
 */
import { type IdKind, isValidId } from '../ids.js';
import type { NextCheck, Plan, PlanOption, RiskClass, RoleDecision, Step, Value } from '../model.js';
import type { RoleIndex } from '../roles/index.js';
import { roleIndexFor } from '../roles/index.js';
import { memberEmail, modelCallCheck } from './checks.js';
import { PREDICT } from './draft.js';
import { PROPAGATION, rollbackOfSteps, serviceAccountId } from './grants.js';
import { isSafeWord } from './sanitize.js';
import { display, shellRef, Variables } from './variables.js';

/** Where a workload runs (the Cloud Asset Inventory asset type `scan` read it from). */
export type WorkloadHost =
  | 'cloud-run'
  | 'cloud-function'
  | 'reasoning-engine'
  | 'vertex-endpoint'
  | 'gke-cluster'
  | 'compute-instance';

/** A Gemini caller a risk plan moves or grants to. */
export interface RiskWorkload {
  kind: WorkloadHost;
  /** Service, function, cluster, instance... name. */
  name: string;
  region: string;
  /** Hosting project id. */
  project: string;
  /** The project its calls go to. */
  targetProject: string;
  location: string;
  model: string;
}

export type RiskInput =
  | {
      risk: 'risk.default_sa_editor';
      project: string;
      /** The default compute account's e-mail. */
      account: string;
      /** Gemini callers that run as it (each gets an account of its own first). */
      workloads: RiskWorkload[];
    }
  | {
      risk: 'risk.unrestricted_api_key';
      project: string;
      /** The key's id: the last segment of projects/N/locations/global/keys/ID. */
      keyId: string;
      displayName?: string;
      /** The APIs it is already restricted to (empty: none). */
      apiTargets: string[];
      /** It has referrer, IP or app restrictions already. */
      applicationRestricted: boolean;
    }
  | { risk: 'risk.shared_identity'; identity: string; services: number; workload: RiskWorkload }
  | { risk: 'risk.primitive_role'; identity: string; role: string; workload: RiskWorkload };

export interface RiskPlanOptions {
  /** Role catalog for the least-privilege Vertex AI role; default: the builtin catalog. */
  roles?: RoleIndex;
}

/** The API a Gemini Developer API key must be limited to. */
export const GEMINI_API = 'generativelanguage.googleapis.com';

interface Draft {
  summary: string;
  options: PlanOption[];
  verify: NextCheck[];
  notes: string[];
  decisions?: RoleDecision[];
}

/** Builds values, each checked against its id shape: valid, or a named variable. */
class Values {
  readonly vars = new Variables();

  /** `value` when it is a valid `kind` and a plain shell word; else the variable `name`. */
  id(kind: IdKind, value: string, name: string, description: string, discover?: string): Value {
    return isSafeWord(value) && isValidId(kind, value) ? value : this.vars.use(name, description, discover);
  }

  project(value: string, name = 'PROJECT_ID'): Value {
    return this.id('project', value, name, 'Project id');
  }

  member(email: string, name: string, description: string): Value {
    return this.id('member', `serviceAccount:${email}`, name, description);
  }

  /** The workload's name as prose and commands may show it (valid, or <WORKLOAD>). */
  workload(w: RiskWorkload): Value {
    return this.id('workloadName', w.name, 'WORKLOAD', `Name of the ${w.kind} that calls Gemini`);
  }
}

/** The smallest safe predefined role that lets a caller generate content (the same choice as cause plans). */
function callerRole(roles: RoleIndex): { role: string; decision: RoleDecision } {
  const decision = roles.decide([PREDICT]);
  return { role: decision.chosen?.role ?? 'roles/aiplatform.user', decision };
}

function serviceAccountEmail(accountId: string, project: Value): string {
  return `${accountId}@${shellRef(project)}.iam.gserviceaccount.com`;
}

/** The steps that make one workload run as `email`, per host. */
function switchStep(v: Values, w: RiskWorkload, email: string): Step {
  const project = v.project(w.project, 'WORKLOAD_PROJECT');
  const name = v.workload(w);
  const region = v.id('location', w.region, 'WORKLOAD_REGION', `Region or zone of ${display(name)}`);
  const [p, n, r] = [shellRef(project), shellRef(name), shellRef(region)];
  switch (w.kind) {
    case 'cloud-run':
      return {
        kind: 'switch_workload_service_account',
        workload: 'cloud-run',
        service: name,
        region,
        project,
        serviceAccount: email,
        why: 'deploys a new revision running as the dedicated account (the deployer needs roles/iam.serviceAccountUser on it)',
      };
    case 'cloud-function':
      return {
        kind: 'manual',
        title: `Run the function ${display(name)} as ${email}`,
        instructions:
          'Redeploy the function with the dedicated account, from its source directory (a deploy without --source uploads the current directory).',
        why: 'a function runs as the account set at deploy time',
        command: `gcloud functions deploy "${n}" --gen2 --region="${r}" --project="${p}" --service-account="${email}"`,
      };
    case 'compute-instance':
      return {
        kind: 'manual',
        title: `Run the VM ${display(name)} as ${email}`,
        instructions:
          'Stop the VM, set its service account (scope cloud-platform; IAM decides access), start it again.',
        why: 'a VM’s service account can only change while it is stopped',
        command: `gcloud compute instances stop "${n}" --zone="${r}" --project="${p}" && gcloud compute instances set-service-account "${n}" --zone="${r}" --project="${p}" --service-account="${email}" --scopes=cloud-platform && gcloud compute instances start "${n}" --zone="${r}" --project="${p}"`,
      };
    case 'gke-cluster':
      return {
        kind: 'manual',
        title: `Give the Gemini pods of ${display(name)} a node pool running as ${email}`,
        instructions:
          'Create a node pool that runs as the dedicated account and move the pods that call Gemini to it (a nodeSelector on the pool), or bind their Kubernetes service account to it with Workload Identity.',
        why: 'a node pool’s account is fixed when the pool is created',
        command: `gcloud container node-pools create genai-own-sa --cluster="${n}" --location="${r}" --project="${p}" --service-account="${email}"`,
      };
    case 'reasoning-engine':
    case 'vertex-endpoint':
      return {
        kind: 'manual',
        title: `Run ${display(name)} as ${email}`,
        instructions: `Redeploy the ${w.kind === 'reasoning-engine' ? 'reasoning engine (spec.serviceAccount)' : "endpoint's deployed model (deployedModels[].serviceAccount)"} with the dedicated account.`,
        why: 'Vertex AI runs it as the account its spec names',
      };
  }
}

/** A dedicated account for one Gemini caller: create it, let it call Gemini where it calls, move the caller. */
function dedicatedAccount(
  v: Values,
  w: RiskWorkload,
  role: string,
  was: string,
): { steps: Step[]; member: string; target: Value } {
  const project = v.project(w.project, 'WORKLOAD_PROJECT');
  const target = v.project(w.targetProject, 'TARGET_PROJECT');
  const name = display(v.workload(w));
  const title = `${name} (was ${was})`;
  const accountId = serviceAccountId(typeof v.workload(w) === 'string' ? w.name : undefined);
  const email = serviceAccountEmail(accountId, project);
  const member = `serviceAccount:${email}`;
  return {
    member,
    target,
    steps: [
      {
        kind: 'create_service_account',
        project,
        accountId,
        displayName: title.slice(0, 100),
        why: `${name} gets an identity of its own, holding only what it needs`,
      },
      {
        kind: 'grant_role',
        project: target,
        member,
        role,
        why: `all a Gemini call on Vertex AI needs (${PREDICT}) in ${display(target)}, the project it calls`,
      },
      switchStep(v, w, email),
    ],
  };
}

function callCheck(w: RiskWorkload, project: Value, member: Value): NextCheck {
  return modelCallCheck({ location: w.location, model: w.model, runtime: 'other' }, project, member);
}

/** `! gcloud ... | grep -q .`: passes when the project no longer grants `role` to `member`. */
function bindingGoneCheck(project: Value, member: Value, role: string): NextCheck {
  return {
    description: `${display(member)} no longer holds ${role} in ${display(project)}`,
    command: `! gcloud projects get-iam-policy ${shellRef(project)} --flatten='bindings[].members' --filter="bindings.role=${role} AND bindings.members=${shellRef(member)}" --format='value(bindings.role)' | grep -q .`,
  };
}

function defaultSaEditor(
  v: Values,
  input: Extract<RiskInput, { risk: 'risk.default_sa_editor' }>,
  roles: RoleIndex,
): Draft {
  const project = v.project(input.project);
  const member = v.member(
    input.account,
    'DEFAULT_ACCOUNT',
    'Member of the default compute account (serviceAccount:N-compute@developer.gserviceaccount.com)',
  );
  const p = shellRef(project);
  const email = memberEmail(member);
  const { role, decision } = callerRole(roles);
  const steps: Step[] = [
    {
      kind: 'manual',
      title: `List what runs as ${email}`,
      instructions:
        'Every workload in the list loses roles/editor with the last step: give each one that needs more than reading an account of its own first (the Gemini callers below get theirs).',
      why: 'the default account is what every Cloud Run service, function and VM without an account of its own runs as',
      command: `gcloud asset search-all-resources --scope=projects/${p} --query="${email}" --format='table(assetType,name)'`,
    },
  ];
  const verify: NextCheck[] = [];
  for (const w of input.workloads) {
    const d = dedicatedAccount(v, w, role, 'the default compute account');
    steps.push(...d.steps);
    verify.push(callCheck(w, d.target, d.member));
  }
  if (input.workloads.length) steps.push(PROPAGATION);
  steps.push({
    kind: 'revoke_role',
    project,
    member,
    role: 'roles/editor',
    why: 'the default account keeps only what Google grants it; a leaked token of any workload running as it can no longer change the project',
  });
  verify.unshift(bindingGoneCheck(project, member, 'roles/editor'));
  const callers = input.workloads.length;
  return {
    summary: `The default compute account ${email} holds roles/editor on ${display(project)}: ${callers ? `move its ${callers} Gemini caller${callers === 1 ? '' : 's'} to accounts of their own, then ` : ''}remove roles/editor from it.`,
    options: [
      {
        id: 'dedicated-accounts',
        title: callers
          ? `Give ${callers === 1 ? 'the Gemini caller its' : `the ${callers} Gemini callers their`} own account, then remove roles/editor from the default account`
          : 'Remove roles/editor from the default compute account',
        recommended: true,
        steps,
      },
    ],
    verify,
    notes: [
      'New projects get this grant automatically unless the organization policy constraints/iam.automaticIamGrantsForDefaultServiceAccounts is enforced: `gcloud resource-manager org-policies enable-enforce iam.automaticIamGrantsForDefaultServiceAccounts --organization=ORG_ID`.',
    ],
    decisions: [decision],
  };
}

function unrestrictedKey(v: Values, input: Extract<RiskInput, { risk: 'risk.unrestricted_api_key' }>): Draft {
  const project = v.project(input.project);
  const key = v.id('opaqueId', input.keyId, 'KEY_ID', 'Id of the API key (last segment of its name)');
  const [p, k] = [shellRef(project), shellRef(key)];
  // Targets it already has stay (only valid API names reach the command); none: the Gemini API.
  const kept = input.apiTargets.filter((s) => isValidId('apiService', s) && isSafeWord(s));
  const targets = kept.length ? kept : [GEMINI_API];
  const step = (application?: { kind: 'referrers' | 'ips'; values: Value }): Step => ({
    kind: 'restrict_api_key',
    project,
    key,
    ...(input.displayName ? { displayName: input.displayName } : {}),
    apiTargets: targets,
    ...(application ? { application } : {}),
    why: application
      ? 'a key limited to one API and to its own callers is worthless to whoever finds it'
      : 'a key limited to the Gemini API cannot spend quota on every other API the project enables',
  });
  const describe = `gcloud services api-keys describe "${k}" --project="${p}" --location=global`;
  const verify: NextCheck[] = [
    {
      description: `The key is limited to ${targets.join(', ')}`,
      command: `${describe} --format='value(restrictions.apiTargets[].service)' | grep -q ${targets[0]}`,
    },
  ];
  let options: PlanOption[];
  if (input.applicationRestricted) {
    options = [
      {
        id: 'api-target',
        title: `Limit the key to ${targets.join(', ')}`,
        recommended: true,
        steps: [step()],
      },
    ];
  } else {
    const referrers = v.vars.use(
      'ALLOWED_REFERRERS',
      'Comma-separated web addresses the key is used from, e.g. https://app.example.com/*',
    );
    const ips = v.vars.use(
      'ALLOWED_IPS',
      'Comma-separated IP addresses or ranges of the servers that use the key',
    );
    options = [
      {
        id: 'referrers',
        title: `Limit the key to ${targets.join(', ')} and to its web pages`,
        recommended: true,
        steps: [step({ kind: 'referrers', values: referrers })],
      },
      {
        id: 'server-ips',
        title: `Limit the key to ${targets.join(', ')} and to its servers' IP addresses`,
        recommended: false,
        steps: [step({ kind: 'ips', values: ips })],
      },
    ];
    verify.push({
      description: 'The key has an application restriction',
      command: `${describe} --format='value(restrictions.browserKeyRestrictions.allowedReferrers,restrictions.serverKeyRestrictions.allowedIps)' | grep -q '[^[:space:]]'`,
    });
  }
  const what = [input.apiTargets.length ? '' : 'API', input.applicationRestricted ? '' : 'application']
    .filter(Boolean)
    .join(' and ');
  return {
    summary: `The API key ${input.displayName ? `"${input.displayName}" ` : ''}(${display(key)}) in ${display(project)} has no ${what} restriction: restrict it.`,
    options,
    verify,
    notes: [
      'A key used by other APIs too needs an --api-target for each of them: Cloud Monitoring shows which (serviceruntime.googleapis.com/api/request_count on consumed_api, whose credential_id label names the key by its id).',
      'An Android or iOS app key takes --allowed-application=sha1_fingerprint=...,package_name=... or --allowed-bundle-ids=... instead of referrers or IPs.',
      'If the key string may have leaked, restricting it is not enough: create a new key, move the callers, delete this one.',
    ],
  };
}

function sharedIdentity(
  v: Values,
  input: Extract<RiskInput, { risk: 'risk.shared_identity' }>,
  roles: RoleIndex,
): Draft {
  const w = input.workload;
  const { role, decision } = callerRole(roles);
  const shared = v.member(input.identity, 'SHARED_ACCOUNT', 'Member of the account shared by many services');
  const d = dedicatedAccount(v, w, role, display(shared).replace(/^serviceAccount:/, ''));
  const name = display(v.workload(w));
  return {
    summary: `${display(shared).replace(/^serviceAccount:/, '')} runs ${input.services} services; ${name} calls Gemini as it: give ${name} an account of its own with only the Vertex AI role.`,
    options: [
      {
        id: 'dedicated-account',
        title: `Give ${name} its own service account with ${role}`,
        recommended: true,
        steps: [...d.steps, PROPAGATION],
      },
    ],
    verify: [callCheck(w, d.target, d.member)],
    notes: [
      `Grant the new account the other roles ${name} itself uses (what the shared account holds: gcloud projects get-iam-policy PROJECT --flatten='bindings[].members' --filter="bindings.members:${memberEmail(shared)}"), no more.`,
      `Once no service that calls Gemini runs as ${memberEmail(shared)}, take ${role} off it.`,
    ],
    decisions: [decision],
  };
}

function primitiveRole(
  v: Values,
  input: Extract<RiskInput, { risk: 'risk.primitive_role' }>,
  roles: RoleIndex,
): Draft {
  const w = input.workload;
  const { role, decision } = callerRole(roles);
  const target = v.project(w.targetProject, 'TARGET_PROJECT');
  const member = v.member(input.identity, 'MEMBER', 'Member of the account that calls Gemini');
  const primitive = isValidId('role', input.role) && isSafeWord(input.role) ? input.role : 'roles/editor';
  return {
    summary: `${memberEmail(member)} holds ${primitive} on ${display(target)} where ${role} is all a Gemini call needs: grant ${role}, then remove ${primitive}.`,
    options: [
      {
        id: 'least-privilege',
        title: `Grant ${role}, then remove ${primitive}`,
        recommended: true,
        steps: [
          {
            kind: 'grant_role',
            project: target,
            member,
            role,
            why: `all a Gemini call on Vertex AI needs (${PREDICT}), granted before the broad role goes so the calls never fail`,
          },
          PROPAGATION,
          {
            kind: 'revoke_role',
            project: target,
            member,
            role: primitive,
            why: `${primitive} lets a leaked token of ${display(v.workload(w))} change almost anything in ${display(target)}`,
          },
        ],
      },
    ],
    verify: [callCheck(w, target, member), bindingGoneCheck(target, member, primitive)],
    notes: [
      `${primitive} also gave the account every other service of ${display(target)}: if ${display(v.workload(w))} uses any (Cloud Storage, Secret Manager...), grant those roles before the last step. IAM Recommender lists what it used: gcloud recommender recommendations list --recommender=google.iam.policy.Recommender --project=${shellRef(target)} --location=global`,
    ],
    decisions: [decision],
  };
}

export function buildRiskPlan(input: RiskInput, opts: RiskPlanOptions = {}): Plan<RiskClass> {
  const roles = opts.roles ?? roleIndexFor(PREDICT);
  const v = new Values();
  const draft: Draft =
    input.risk === 'risk.default_sa_editor'
      ? defaultSaEditor(v, input, roles)
      : input.risk === 'risk.unrestricted_api_key'
        ? unrestrictedKey(v, input)
        : input.risk === 'risk.shared_identity'
          ? sharedIdentity(v, input, roles)
          : primitiveRole(v, input, roles);
  const recommended = draft.options.find((o) => o.recommended) ?? draft.options[0];
  const rollback = rollbackOfSteps(recommended?.steps ?? []);
  const options = draft.options.map((o) => ({
    ...o,
    rollback: o === recommended ? rollback : rollbackOfSteps(o.steps),
  }));
  return {
    schemaVersion: 1,
    cause: input.risk,
    code: undefined,
    summary: draft.summary,
    options,
    variables: v.vars.usedBy(JSON.stringify([options, draft.verify, rollback])),
    verify: draft.verify,
    rollback,
    notes: draft.notes,
    ...(draft.decisions?.length ? { roleDecisions: draft.decisions } : {}),
  };
}
