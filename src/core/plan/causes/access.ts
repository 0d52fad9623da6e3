/**
 * Access causes: missing permissions, the project a grant belongs in, perimeters, deny policies,
 * propagation, service agents, acting as a service account.
 */
import type { Step, Value } from '../../model.js';
import { dq, word } from '../../render/shell.js';
import { modelCallCheck } from '../checks.js';
import {
  type Builders,
  type Ctx,
  consumerProject,
  grantDraft,
  manual,
  missingPermissions,
  option,
} from '../draft.js';
import { grantPlan, PROPAGATION } from '../grants.js';
import {
  callerMemberVariable,
  cloudRunService,
  isServiceAgentPrincipal,
  serviceAccountInEvidence,
  serviceAccountProject,
  type Targets,
  toMember,
} from '../targets.js';
import { display, shellRef } from '../variables.js';

export const ACCESS_BUILDERS: Builders<
  | 'iam.missing_permission'
  | 'project.mismatch'
  | 'iam.cross_project'
  | 'iam.propagation_delay'
  | 'iam.vpc_service_controls'
  | 'iam.deny_policy'
  | 'iam.service_agent'
  | 'iam.act_as'
> = {
  'iam.missing_permission': (ctx) =>
    grantDraft(
      ctx,
      `Grant ${display(ctx.t.member)} the least-privilege role for ${missingPermissions(ctx).permissions.join(', ')} in ${display(ctx.t.project)}${ctx.t.fixConfigProject ? ', after pointing the client at that project' : ''}.`,
    ),

  'project.mismatch': (ctx) => {
    const d = grantDraft(
      ctx,
      `Point the client at ${display(ctx.t.project)}${ctx.t.calledProject ? ` instead of ${ctx.t.calledProject}` : ''}, and make sure the caller may call Gemini there.`,
      [
        `The request went to ${ctx.t.calledProject ?? 'another project'}; granting there would give the workload access to the wrong project and leave the misconfiguration in place.`,
      ],
    );
    const run = ctx.t.runtime === 'cloud-run' ? cloudRunService(ctx.t, ctx.vars) : undefined;
    d.verify = [
      {
        description: 'The deployed configuration names the intended project',
        command: run
          ? `gcloud run services describe ${shellRef(run.service)} --region ${shellRef(run.region)} --project ${shellRef(ctx.t.project)} --format 'value(spec.template.spec.containers[0].env)'`
          : `echo "GOOGLE_CLOUD_PROJECT=\${GOOGLE_CLOUD_PROJECT:-unset}"; gcloud config get-value project`,
      },
      ...(d.verify ?? []),
    ];
    return d;
  },

  'iam.cross_project': (ctx) => {
    const d = grantDraft(
      ctx,
      `Grant ${display(ctx.t.member)} access in the resource project ${display(ctx.t.project)}, where the call really goes.`,
      [
        'Cross-project: the binding must be in the project that owns the model endpoint (and is billed), not in the caller’s own project.',
      ],
    );
    if (ctx.t.intendedProject && ctx.t.intendedProject !== ctx.t.calledProject) {
      d.options.push(
        option('call-own-project', `Call Gemini in ${ctx.t.intendedProject} instead`, [
          {
            kind: 'set_config',
            key: 'GOOGLE_CLOUD_PROJECT',
            value: ctx.t.intendedProject,
            where: 'the client configuration',
            why: 'publisher models are available in every project; using your own avoids a cross-project grant',
          },
        ]),
      );
    }
    return d;
  },

  'iam.propagation_delay': (ctx) => ({
    summary: 'Wait for the new grant to propagate, then retry; change nothing else meanwhile.',
    options: [
      option(
        'wait',
        'Wait and retry with backoff',
        [
          {
            kind: 'wait_propagation',
            seconds: 420,
            why: 'IAM allow-policy changes usually apply within 2 minutes and can take 7 or more',
          },
        ],
        true,
      ),
    ],
    verify: [modelCallCheck(ctx.t, ctx.t.project, ctx.t.member)],
  }),

  'iam.vpc_service_controls': (ctx) => {
    const id = ctx.d.facts.vpcScId;
    return {
      summary:
        'A VPC Service Controls perimeter blocks the call: allow it with an ingress/egress rule or access level.',
      options: [
        option(
          'perimeter-rule',
          'Find the violation and add a narrow ingress rule',
          [
            manual(
              'Read the violation',
              'The audit log entry names the perimeter, the violated ingress/egress rule and the identity.',
              'the fix depends on which rule denied the call',
              `gcloud logging read 'protoPayload.metadata.@type="type.googleapis.com/google.cloud.audit.VpcServiceControlAuditMetadata"${id ? ` AND protoPayload.metadata.vpcServiceControlsUniqueId="${id}"` : ''}' --project=${shellRef(consumerProject(ctx))} --limit=5 --format=json`,
            ),
            manual(
              'Add an ingress rule for this identity and aiplatform.googleapis.com',
              `Ask the perimeter owner to add an ingress rule (gcloud access-context-manager perimeters update PERIMETER --policy=POLICY_ID --set-ingress-policies=ingress.yaml) with identities [${display(ctx.t.member)}] and operations on aiplatform.googleapis.com.`,
              'scoped to one identity and one service, not a perimeter bypass',
            ),
          ],
          true,
        ),
      ],
      notes: [
        'VPC-SC changes are made by the organization’s security admins; send them the unique id and the identity.',
      ],
    };
  },

  'iam.deny_policy': (ctx) => ({
    summary: 'An IAM deny policy blocks the permission; the allow policy is not the problem.',
    options: [
      option(
        'deny-exception',
        'Find the deny rule and add a reviewed exception',
        [
          manual(
            'List deny policies on the project',
            'Find the deny rule whose deniedPermissions include the missing permission.',
            'deny policies override any allow grant',
            `gcloud iam policies list --attachment-point=cloudresourcemanager.googleapis.com/projects/${shellRef(ctx.t.project)} --kind=denypolicies --format=json`,
          ),
          manual(
            'Ask the policy owner for an exception principal',
            `Add ${display(ctx.t.member)} to exceptionPrincipals of the rule that denies ${missingPermissions(ctx).permissions.join(', ')} (gcloud iam policies update ...).`,
            'granting more roles cannot override a deny rule',
          ),
        ],
        true,
      ),
    ],
    notes: ['Do not add roles: a deny rule wins over every allow binding.'],
  }),

  'iam.service_agent': (ctx) => {
    const { permissions } = missingPermissions(ctx);
    const agent =
      ctx.d.facts.principal && isServiceAgentPrincipal(ctx.d.facts.principal)
        ? ctx.d.facts.principal
        : undefined;
    // Which agent depends on the product (Vertex AI, Agent Engine, custom training...): named by
    // the error or the audit log, never assumed.
    const member = agent
      ? toMember(agent)
      : ctx.vars.use(
          'SERVICE_AGENT',
          'IAM member of the Google service agent that makes the call, e.g. serviceAccount:service-PROJECT_NUMBER@gcp-sa-aiplatform.iam.gserviceaccount.com (Vertex AI) or ...@gcp-sa-aiplatform-re.iam.gserviceaccount.com (Agent Engine); the audit log names it (protoPayload.authenticationInfo.principalEmail)',
        );
    const t: Targets = { ...ctx.t, member, fixConfigProject: false, memberIsDefaultComputeAccount: false };
    const g = grantPlan(t, ctx.vars, ctx.roles, permissions, { serviceAgent: true });
    const options = g.options;
    if (permissions.some((p) => p.startsWith('storage.'))) {
      const role =
        g.decisions.find((d) => d.permissions.some((p) => p.startsWith('storage.')))?.chosen?.role ??
        'roles/storage.objectViewer';
      const bucket = ctx.vars.use(
        'BUCKET',
        'The Cloud Storage bucket the Vertex AI job reads (named in the error or the job config)',
      );
      for (const o of options) o.recommended = false;
      options.unshift(
        option(
          'grant-on-bucket',
          `Grant ${role} to the service agent on the one bucket`,
          [
            manual(
              'Grant on the bucket, not the project',
              `Grant ${role} to ${display(member)} on the bucket the job reads.`,
              'the service agent only needs the one bucket it reads',
              `gcloud storage buckets add-iam-policy-binding "gs://${shellRef(bucket)}" --member="${shellRef(member)}" --role="${role}"`,
            ),
          ],
          true,
        ),
      );
    }
    return {
      summary: `Grant the service agent ${display(member)} what it needs on your resource (${permissions.join(', ')}).`,
      options,
      verify: g.verify,
      rollback: g.rollback,
      decisions: g.decisions,
      notes: [
        'The member here is Google’s service agent; the role granted to it is an ordinary predefined role, never a *serviceAgent role.',
        ...g.notes,
      ],
    };
  },

  'iam.act_as': (ctx) => {
    const { permissions } = missingPermissions(ctx);
    const iamPermissions = permissions.filter((p) => p.startsWith('iam.serviceAccounts.'));
    const wanted = iamPermissions.length ? iamPermissions : ['iam.serviceAccounts.actAs'];
    const getToken = wanted.some((p) => !p.endsWith('.actAs'));
    const decision = ctx.roles.decide(wanted);
    const role =
      decision.chosen?.role ??
      (getToken ? 'roles/iam.serviceAccountTokenCreator' : 'roles/iam.serviceAccountUser');
    const { target, member } = actAsParties(ctx);
    const project = (typeof target === 'string' && serviceAccountProject(target)) || ctx.t.project;
    const wi = ctx.t.runtime === 'gke';
    const grant: Step = {
      kind: 'grant_role_on_service_account',
      project,
      serviceAccount: target,
      member,
      role,
      why: 'a binding on the one service account, not project-wide, so the caller cannot become every account',
    };
    const verify = [
      {
        description: `${display(member)} holds ${role} on ${display(target)}`,
        command: `gcloud iam service-accounts get-iam-policy ${word(target)} --project=${word(project)} --flatten='bindings[].members' --filter=${dq(`bindings.members:${shellRef(member)}`)} --format='table(bindings.role)'`,
      },
      ...(getToken ? [modelCallCheck(ctx.t, ctx.t.project, `serviceAccount:${shellRef(target)}`)] : []),
    ];
    return {
      summary: `Let ${display(member)} ${getToken ? 'mint tokens for' : 'act as'} the service account ${display(target)}, on that account only (${role}).`,
      options: [
        option(
          'grant-on-service-account',
          `Grant ${role} on the service account (not the project)`,
          [grant, PROPAGATION],
          true,
        ),
        ...(wi ? [workloadIdentityOption(ctx, target, project)] : []),
      ],
      decisions: [decision],
      verify,
    };
  },
};

/**
 * Who must be let act as whom. The account acted as: named by the evidence (error resource or
 * token URL), else the principal when an actor impersonates it, else TARGET_SERVICE_ACCOUNT. The
 * member: the actor when known; the principal when it is not that very account (it is the
 * caller then); else MEMBER (the caller's identity, discovered from the runtime where possible).
 */
function actAsParties(ctx: Ctx): { target: Value; member: Value } {
  const principal = ctx.t.principal?.replace(/^serviceAccount:/, '');
  const target =
    serviceAccountInEvidence(ctx.d) ??
    (ctx.t.actor && principal?.endsWith('.gserviceaccount.com') ? principal.toLowerCase() : undefined) ??
    ctx.vars.use(
      'TARGET_SERVICE_ACCOUNT',
      'Email of the service account being run as / impersonated (named in the error resource)',
    );
  const member =
    ctx.t.actor ??
    (principal && principal.toLowerCase() !== target ? ctx.t.member : callerMemberVariable(ctx.t, ctx.vars));
  return { target, member };
}

/** GKE: the pod's Kubernetes service account gets the Google account through Workload Identity. */
function workloadIdentityOption(ctx: Ctx, target: Value, project: Value) {
  const ns = ctx.vars.use('K8S_NAMESPACE', 'Kubernetes namespace of the pod');
  const ksa = ctx.vars.use(
    'K8S_SERVICE_ACCOUNT',
    'Kubernetes service account of the pod (kubectl get pod POD -o jsonpath={.spec.serviceAccountName})',
  );
  return option('workload-identity', 'Bind the Kubernetes service account (Workload Identity)', [
    {
      kind: 'grant_role_on_service_account',
      project,
      serviceAccount: target,
      member: `serviceAccount:${shellRef(ctx.t.project)}.svc.id.goog[${shellRef(ns)}/${shellRef(ksa)}]`,
      role: 'roles/iam.workloadIdentityUser',
      why: 'Workload Identity needs this binding for the pod to get the account’s tokens',
    },
    manual(
      'Annotate the Kubernetes service account with the Google service account',
      `Annotate ${display(ns)}/${display(ksa)} with iam.gke.io/gcp-service-account=${display(target)} and restart the pods.`,
      'the annotation tells GKE which Google account the pod’s Kubernetes identity maps to',
      `kubectl annotate serviceaccount ${word(ksa)} --namespace ${word(ns)} --overwrite iam.gke.io/gcp-service-account=${word(target)}`,
    ),
  ]);
}
