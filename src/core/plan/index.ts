/**
 * Plans: a diagnosis -> least-privilege fix steps as typed data (model.ts `Step`), with the
 * variables the evidence leaves open, verification and rollback commands. Renderers
 * (../render) turn a plan into gcloud, Terraform, Console steps, Markdown or JSON.
 *
 * The plan follows the top finding; other findings add to it where they change where or what
 * to fix (a project mismatch ranked anywhere moves grants to the intended project).
 */
import type { Diagnosis, NextCheck, Plan, PlanOption, RoleDecision, Step } from '../model.js';
import { builtinRoleIndex, type RoleIndex } from '../roles/index.js';
import type { CauseId } from '../taxonomy.js';
import { codeOf } from '../taxonomy.js';
import { ADC_CHECK, geminiApiCheck, modelCallCheck } from './checks.js';
import { envCommand, grantPlan, projectConfigSteps, rollbackOf } from './grants.js';
import { sanitizeForPlan } from './sanitize.js';
import {
  cloudRunService,
  isServiceAgentPrincipal,
  modelAdvice,
  resolveTargets,
  type Targets,
  toMember,
} from './targets.js';
import { display, shellRef, Variables } from './variables.js';

export interface PlanOptions {
  /** Role catalog for least-privilege choices; default: the builtin catalog. */
  roles?: RoleIndex;
}

/** What one cause's builder returns; buildPlan adds the shared parts. */
interface Draft {
  summary: string;
  options: PlanOption[];
  verify?: NextCheck[];
  rollback?: NextCheck[];
  notes?: string[];
  decisions?: RoleDecision[];
}

interface Ctx {
  d: Diagnosis;
  t: Targets;
  vars: Variables;
  roles: RoleIndex;
}

type Builder = (ctx: Ctx) => Draft;

const VERTEX = 'aiplatform.googleapis.com';
/** The permission generateContent / predict on a publisher model checks. */
const PREDICT = 'aiplatform.endpoints.predict';

function option(id: string, title: string, steps: Step[], recommended = false): PlanOption {
  return { id, title, recommended, steps };
}

function manual(title: string, instructions: string, why: string, command?: string): Step {
  return command
    ? { kind: 'manual', title, instructions, why, command }
    : { kind: 'manual', title, instructions, why };
}

/** Permissions the evidence names (every error in the input), else the call's usual one. */
function missingPermissions(ctx: Ctx): { permissions: string[]; assumed: boolean } {
  const named = [
    ...new Set(
      [ctx.d.facts.permission, ...ctx.d.facts.errors.map((e) => e.permission)].filter(
        (p): p is string => !!p,
      ),
    ),
  ];
  if (named.length) return { permissions: named, assumed: false };
  return { permissions: [PREDICT], assumed: true };
}

function grantDraft(ctx: Ctx, summary: string, extraNotes: string[] = []): Draft {
  const { permissions, assumed } = missingPermissions(ctx);
  const g = grantPlan(ctx.t, ctx.vars, ctx.roles, permissions);
  const notes = [...extraNotes, ...g.notes];
  if (assumed) {
    notes.unshift(
      `The error does not name the permission; ${PREDICT} is what generateContent on a Vertex AI model checks. Confirm in the audit log (protoPayload.authorizationInfo[].permission).`,
    );
  }
  return {
    summary,
    options: g.options,
    verify: g.verify,
    rollback: g.rollback,
    notes,
    decisions: g.decisions,
  };
}

/** The project the failing call was billed to / targeted, when a fix may use it. */
const consumerProject = (ctx: Ctx) => ctx.t.resourceProject ?? ctx.t.project;

const BUILDERS: Record<CauseId, Builder> = {
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
    const target = ctx.vars.use(
      'TARGET_SERVICE_ACCOUNT',
      'Email of the service account being run as / impersonated (named in the error resource)',
    );
    const wi = ctx.t.runtime === 'gke';
    return {
      summary: `Let ${display(ctx.t.member)} ${getToken ? 'mint tokens for' : 'act as'} the service account, on that account only (${role}).`,
      options: [
        option(
          'grant-on-service-account',
          `Grant ${role} on the service account (not the project)`,
          [
            manual(
              `Grant ${role} on ${display(target)}`,
              `Grant ${role} to ${display(ctx.t.member)} on the service account ${display(target)} only.`,
              'a binding on the one service account, not project-wide, so the caller cannot become every account',
              `gcloud iam service-accounts add-iam-policy-binding "${shellRef(target)}" --member="${shellRef(ctx.t.member)}" --role="${role}"`,
            ),
          ],
          true,
        ),
        ...(wi
          ? [
              option('workload-identity', 'Bind the Kubernetes service account (Workload Identity)', [
                manual(
                  'Bind the Kubernetes service account to the Google service account',
                  'Grant roles/iam.workloadIdentityUser on the Google service account to NAMESPACE/KSA, and annotate the KSA with iam.gke.io/gcp-service-account.',
                  'Workload Identity needs this binding for the pod to get the account’s tokens',
                  `gcloud iam service-accounts add-iam-policy-binding "${shellRef(target)}" --role=roles/iam.workloadIdentityUser --member="serviceAccount:${shellRef(ctx.t.project)}.svc.id.goog[${shellRef(ctx.vars.use('K8S_NAMESPACE', 'Kubernetes namespace of the pod'))}/${shellRef(ctx.vars.use('K8S_SERVICE_ACCOUNT', 'Kubernetes service account of the pod (kubectl get pod POD -o jsonpath={.spec.serviceAccountName})'))}]"`,
                ),
              ]),
            ]
          : []),
      ],
      decisions: [decision],
      rollback: [
        {
          description: `Remove ${role} from the service account`,
          command: `gcloud iam service-accounts remove-iam-policy-binding "${shellRef(target)}" --member="${shellRef(ctx.t.member)}" --role="${role}"`,
        },
      ],
    };
  },

  'project.invalid': (ctx) => {
    const project =
      ctx.t.intendedProject ??
      ctx.vars.use(
        'PROJECT_ID',
        'Your real project id (list: gcloud projects list)',
        'gcloud config get-value project',
      );
    return {
      summary:
        `Replace the project ${ctx.t.calledProject ?? ''} (placeholder, deleted or mistyped) with a real project id.`.replace(
          '  ',
          ' ',
        ),
      options: [
        option(
          'set-project',
          `Use ${display(project)}`,
          [
            {
              kind: 'set_config',
              key: 'GOOGLE_CLOUD_PROJECT',
              value: project,
              where: 'environment / client constructor (project=...)',
              why: 'the project in the request does not exist or is a placeholder',
            },
          ],
          true,
        ),
      ],
      verify: [
        {
          description: 'The project exists and is ACTIVE',
          command: `gcloud projects describe ${shellRef(project)} --format='value(lifecycleState)'`,
        },
      ],
    };
  },

  'api.disabled': (ctx) => {
    const service = ctx.d.facts.service ?? (ctx.t.geminiApi ? 'generativelanguage.googleapis.com' : VERTEX);
    const project = consumerProject(ctx);
    const admin = ctx.roles.smallestCovering(['serviceusage.services.enable']);
    return {
      summary: `Enable ${service} on ${display(project)}.`,
      options: [
        option(
          'enable-api',
          `Enable ${service}`,
          [
            {
              kind: 'enable_api',
              project,
              service,
              why: 'the consumer project has the API disabled (SERVICE_DISABLED)',
            },
            {
              kind: 'wait_propagation',
              seconds: 300,
              why: 'enabling an API takes a few minutes to reach every frontend',
            },
          ],
          true,
        ),
      ],
      verify: [
        {
          description: `${service} is ENABLED`,
          command: `gcloud services list --enabled --project=${shellRef(project)} --filter="config.name=${service}" --format='value(config.name)'`,
        },
      ],
      rollback: [
        {
          description: 'Disable the API again',
          command: `gcloud services disable ${service} --project=${shellRef(project)}`,
        },
      ],
      notes: [
        `Enabling needs serviceusage.services.enable${admin ? ` (${admin.role})` : ''}: a human admin runs this, the workload does not need it.`,
        ...(ctx.d.facts.projectIsNumber
          ? ['The error names the project by number; gcloud accepts the number as --project.']
          : []),
      ],
    };
  },

  'billing.disabled': (ctx) => {
    const project = consumerProject(ctx);
    const account = ctx.vars.use(
      'BILLING_ACCOUNT',
      'An open billing account id (XXXXXX-XXXXXX-XXXXXX); list: gcloud billing accounts list --filter=open=true',
    );
    return {
      summary: `Link ${display(project)} to an open billing account.`,
      options: [
        option(
          'link-billing',
          'Link a billing account',
          [
            {
              kind: 'enable_billing',
              project,
              why: 'Vertex AI calls are billable; the project has no active billing account',
            },
            manual(
              'Link with gcloud',
              'Link the project to the billing account.',
              'needs roles/billing.projectManager on the project and roles/billing.user on the account',
              `gcloud billing projects link ${shellRef(project)} --billing-account=${shellRef(account)}`,
            ),
          ],
          true,
        ),
      ],
      verify: [
        {
          description: 'billingEnabled is true',
          command: `gcloud billing projects describe ${shellRef(project)} --format='value(billingEnabled)'`,
        },
      ],
    };
  },

  'quota_project.denied': (ctx) => {
    const project = ctx.t.intendedProject ?? consumerProject(ctx);
    const d = grantDraft({ ...ctx, t: { ...ctx.t, project } }, '');
    const cover = ctx.roles.decide(['serviceusage.services.use']);
    const role = cover.chosen?.role ?? 'roles/serviceusage.serviceUsageConsumer';
    return {
      summary: `Set a quota project for user credentials (${display(project)}) and let the caller use it.`,
      options: [
        option(
          'set-quota-project',
          `Set ${display(project)} as the ADC quota project and grant ${role}`,
          [
            {
              kind: 'set_config',
              key: 'quota_project_id',
              value: project,
              where: 'application default credentials',
              why: 'user credentials must name a project that is billed for the call',
              command: `gcloud auth application-default set-quota-project ${shellRef(project)}`,
            },
            {
              kind: 'grant_role',
              project,
              member: ctx.t.member,
              role,
              why: 'using a project as quota project needs serviceusage.services.use on it',
            },
          ],
          true,
        ),
      ],
      decisions: [cover],
      verify: [
        {
          description: 'ADC names the quota project',
          command: 'jq -r .quota_project_id ~/.config/gcloud/application_default_credentials.json',
        },
      ],
      rollback: d.rollback ?? [],
    };
  },

  'model.not_found': (ctx) => modelDraft(ctx, 'model'),
  'model.location_unsupported': (ctx) => modelDraft(ctx, 'location'),

  'model.access_restricted': (ctx) => {
    const advice = modelAdvice(ctx.t.model, ctx.t.location);
    const alt = advice?.model ?? 'gemini-2.5-flash';
    return {
      summary: `${ctx.t.model ?? 'The model'} needs access the project does not have (allowlist, terms or tier).`,
      options: [
        option(
          'request-access',
          'Request access / accept the terms in Model Garden',
          [
            manual(
              'Open the model card',
              `Console > Vertex AI > Model Garden > ${ctx.t.model ?? 'the model'} > Enable / Request access for project ${display(ctx.t.project)}`,
              'preview models are gated per project',
            ),
          ],
          true,
        ),
        option('use-ga-model', `Use a GA model (${alt}) until access is granted`, [
          {
            kind: 'set_config',
            key: 'model',
            value: alt,
            where: 'the client call (model=...)',
            why: 'GA models need no allowlisting',
          },
        ]),
      ],
      notes: ctx.t.model ? [] : ['The error does not name the model.'],
    };
  },

  'region.unsupported': () => ({
    summary:
      'The Gemini Developer API is not offered where the caller is; use Vertex AI or a supported region.',
    options: [
      option(
        'use-vertex',
        'Call Gemini through Vertex AI (available in your project’s regions and at global)',
        [
          {
            kind: 'set_config',
            key: 'GOOGLE_GENAI_USE_VERTEXAI',
            value: 'true',
            where: 'environment',
            why: 'Vertex AI serves Gemini in regions where the Developer API is not offered',
          },
          {
            kind: 'set_config',
            key: 'GOOGLE_CLOUD_LOCATION',
            value: 'global',
            where: 'environment',
            why: 'the global endpoint serves every current Gemini model',
          },
        ],
        true,
      ),
    ],
  }),

  'auth.credentials_missing': (ctx) => ({
    summary: 'No credentials were found: set up Application Default Credentials for where the code runs.',
    options: [
      option(
        'adc',
        ctx.t.runtime && ctx.t.runtime !== 'local' && ctx.t.runtime !== 'colab'
          ? 'Use the attached service account'
          : 'Log in for local development',
        [
          ctx.t.runtime && ctx.t.runtime !== 'local' && ctx.t.runtime !== 'colab'
            ? manual(
                'Attach a service account to the workload',
                'On Cloud Run/GCE/GKE the metadata server provides credentials: make sure the workload has a service account and the code does not override GOOGLE_APPLICATION_CREDENTIALS.',
                'no key files needed on Google Cloud runtimes',
              )
            : manual(
                'Log in for Application Default Credentials',
                'Run gcloud auth application-default login on the machine that runs the code.',
                'creates user ADC the client libraries find',
                'gcloud auth application-default login',
              ),
        ],
        true,
      ),
    ],
    notes: ['Avoid downloaded service account keys: they leak and do not expire.'],
  }),

  'auth.credentials_invalid': () => ({
    summary: 'The credentials are expired, revoked or malformed: refresh them.',
    options: [
      option(
        'refresh',
        'Refresh credentials',
        [
          manual(
            'Re-login',
            'Refresh user credentials (or, for a service account key, create a new key / move to an attached service account).',
            'invalid_grant / reauth needed means the refresh token is dead',
            'gcloud auth application-default login',
          ),
          manual(
            'Check the clock',
            'JWT-based auth fails when the clock is off by minutes: compare with an NTP source.',
            'skewed clocks make fresh tokens look expired',
            'date -u',
          ),
        ],
        true,
      ),
    ],
  }),

  'auth.scope_insufficient': (ctx) => {
    ctx.vars.use('INSTANCE', 'Name of the VM that makes the call');
    ctx.vars.use(
      'ZONE',
      'Zone of the VM',
      `gcloud compute instances list --filter="name=\${INSTANCE}" --format="value(zone.basename())" --limit=1`,
    );
    ctx.vars.use(
      'SERVICE_ACCOUNT',
      'Email of the VM service account',
      `gcloud compute instances describe "\${INSTANCE}" --zone="\${ZONE}" --format="value(serviceAccounts[0].email)"`,
    );
    return {
      summary: 'The access token lacks the cloud-platform scope.',
      options: [
        option(
          'scopes',
          'Give the VM the cloud-platform scope (access is then controlled by IAM)',
          [
            manual(
              'Set scopes (the VM must be stopped)',
              'Stop the VM, set its service account scopes to cloud-platform, start it again.',
              'legacy access scopes cap what any IAM grant can do',
              `gcloud compute instances set-service-account "\${INSTANCE}" --zone="\${ZONE}" --service-account="\${SERVICE_ACCOUNT}" --scopes=cloud-platform`,
            ),
          ],
          true,
        ),
      ],
      notes: ['In code that mints tokens itself, request https://www.googleapis.com/auth/cloud-platform.'],
    };
  },

  'auth.api_key_invalid': (ctx) => ({
    summary: 'The API key is invalid, expired or restricted: fix the key or its restrictions.',
    options: [
      option(
        'fix-key',
        'Check and fix the key’s restrictions',
        [
          manual(
            'List keys and their restrictions',
            'Find the key the client uses and read its API targets and referrer/IP restrictions.',
            'shows why the key is refused',
            `gcloud services api-keys list --project=${shellRef(ctx.t.project)} --format='table(uid,displayName,restrictions)'`,
          ),
          manual(
            'Allow the Gemini API on the key',
            'Add generativelanguage.googleapis.com to the key’s API targets (or create a new key restricted to it).',
            'an API restriction that omits the service blocks it',
            `gcloud services api-keys update "${shellRef(ctx.vars.use('API_KEY_UID', 'uid of the API key (from gcloud services api-keys list)'))}" --project=${shellRef(ctx.t.project)} --api-target=service=generativelanguage.googleapis.com`,
          ),
        ],
        true,
      ),
    ],
    notes: ['Never paste the key into tickets or logs; genai-doctor redacts it from its output.'],
  }),

  'auth.api_key_unsupported': () => ({
    summary: 'This endpoint needs OAuth (ADC), not an API key.',
    options: [
      option(
        'use-adc',
        'Call Vertex AI with Application Default Credentials',
        [
          {
            kind: 'set_config',
            key: 'GOOGLE_GENAI_USE_VERTEXAI',
            value: 'true',
            where: 'environment',
            why: 'Vertex AI endpoints authenticate with OAuth tokens',
          },
          manual(
            'Remove the key from the Vertex call',
            'Drop api_key=... / x-goog-api-key from the client; let it use ADC.',
            'the key is rejected, not ignored',
          ),
        ],
        true,
      ),
    ],
  }),

  'quota.exceeded': (ctx) => {
    const project = consumerProject(ctx);
    const metric = ctx.d.facts.quota?.metric;
    return {
      summary: `A hard quota is used up${metric ? ` (${metric})` : ''}: raise it or move off the free tier.`,
      options: [
        option(
          'request-quota',
          'Request a quota increase',
          [
            {
              kind: 'request_quota',
              project,
              ...(metric ? { metric } : {}),
              why: 'retries do not help until the quota resets or grows',
            },
          ],
          true,
        ),
      ],
      notes: ctx.d.facts.quota?.freeTier
        ? ['The limit is a free-tier limit: enabling billing lifts it.']
        : [],
    };
  },

  'rate.throttled': (ctx) => {
    const project = consumerProject(ctx);
    return {
      summary: 'Short-term throttling: retry with exponential backoff; raise throughput only if it persists.',
      options: [
        option(
          'backoff',
          'Retry with exponential backoff and jitter',
          [
            manual(
              'Back off',
              `Retry 429s with exponential backoff (1s, 2s, 4s... up to 60s, with jitter)${ctx.d.facts.retryDelaySeconds ? `, honouring RetryInfo (${ctx.d.facts.retryDelaySeconds}s)` : ''}.`,
              'shared capacity frees up within seconds',
            ),
            {
              kind: 'set_config',
              key: 'GOOGLE_CLOUD_LOCATION',
              value: 'global',
              where: 'environment / client',
              why: 'the global endpoint spreads load over more capacity than one region',
            },
          ],
          true,
        ),
        option('throughput', 'Raise throughput (quota or Provisioned Throughput)', [
          {
            kind: 'request_quota',
            project,
            ...(ctx.d.facts.quota?.metric ? { metric: ctx.d.facts.quota.metric } : {}),
            why: 'sustained load above the per-minute limit',
          },
        ]),
      ],
    };
  },

  'org_policy.violation': (ctx) => {
    const constraint = ctx.d.facts.constraint ?? 'constraints/CONSTRAINT';
    return {
      summary: `The organization policy ${constraint} forbids this call or setting.`,
      options: [
        option(
          'comply',
          'Read the effective policy and comply (or ask for an exception)',
          [
            manual(
              'Read the effective policy',
              'Read which values the constraint allows, then change the call (e.g. its location) to comply or ask the org admins for an exception.',
              'shows which values are allowed',
              `gcloud org-policies describe ${constraint.replace(/^constraints\//, '')} --project=${shellRef(ctx.t.project)} --effective`,
            ),
          ],
          true,
        ),
      ],
      notes: [
        'Organization policies are owned by the org admins; do not work around them with another project.',
      ],
    };
  },

  unknown: (ctx) => ({
    summary: 'The evidence does not tell the cause: collect what is listed under next checks and run again.',
    options: [
      option(
        'collect',
        'Collect more evidence',
        [
          manual(
            'Get the full error and the audit log',
            'Read the failing call in the audit log and pass the whole error text (JSON body included) to genai-doctor.',
            'the audit log names the principal, permission and resource the error hides',
            `gcloud logging read 'protoPayload.status.code>=7 AND protoPayload.serviceName="${VERTEX}"' --project=${shellRef(ctx.t.project)} --limit=5 --format=json`,
          ),
        ],
        true,
      ),
    ],
  }),
};

/** model.not_found / model.location_unsupported: set model or location from the models table. */
function modelDraft(ctx: Ctx, what: 'model' | 'location'): Draft {
  const advice = modelAdvice(ctx.t.model, ctx.t.location);
  const steps: Step[] = [];
  if (advice?.location) {
    const command = envCommand(ctx.t, ctx.vars, 'GOOGLE_CLOUD_LOCATION', advice.location);
    steps.push({
      kind: 'set_config',
      key: 'GOOGLE_CLOUD_LOCATION',
      value: advice.location,
      where: 'environment / client (location=...)',
      why: advice.why,
      ...(command ? { command } : {}),
    });
  }
  if (advice?.model) {
    steps.push({
      kind: 'set_config',
      key: 'model',
      value: advice.model,
      where: 'the client call (model=...)',
      why: advice.why,
    });
  }
  if (steps.length === 0) {
    const model = ctx.vars.use(
      'MODEL',
      'A current model id served at your location (see the Vertex AI model list)',
    );
    steps.push({
      kind: 'set_config',
      key: what === 'location' ? 'GOOGLE_CLOUD_LOCATION' : 'model',
      value:
        what === 'location'
          ? ctx.vars.use('LOCATION', 'A location that serves the model (often global)')
          : model,
      where: 'the client configuration',
      why: advice?.why ?? `the ${what} in the request is not served`,
    });
  }
  return {
    summary: `Use a ${what === 'location' ? 'location that serves the model' : 'model id that exists'}${advice ? `: ${advice.why.replace(/`/g, '')}` : '.'}`,
    options: [
      option(
        what === 'location' ? 'set-location' : 'set-model',
        `Set the ${steps.map((s) => (s.kind === 'set_config' ? s.key : '')).join(' and ')}`,
        steps,
        true,
      ),
    ],
    verify: [
      modelCallCheck(
        {
          ...ctx.t,
          ...(advice?.location ? { location: advice.location } : {}),
          ...(advice?.model ? { model: advice.model } : {}),
        },
        ctx.t.project,
      ),
    ],
  };
}

/** Causes where who calls matters: the check must run as the failing caller. */
const IDENTITY_CAUSES = new Set<CauseId>([
  'iam.missing_permission',
  'iam.cross_project',
  'iam.vpc_service_controls',
  'iam.deny_policy',
  'iam.propagation_delay',
  'project.mismatch',
  'org_policy.violation',
  'unknown',
]);

/** The proof for causes whose builder has no specific one: a real call on the right surface. */
function defaultVerify(ctx: Ctx, cause: CauseId): NextCheck[] {
  const { t } = ctx;
  if (
    cause === 'auth.api_key_invalid' ||
    (t.geminiApi && !cause.startsWith('iam.') && cause !== 'region.unsupported')
  ) {
    return [geminiApiCheck(t, ctx.vars)];
  }
  if (cause === 'auth.credentials_missing' || cause === 'auth.credentials_invalid') {
    return [ADC_CHECK, modelCallCheck(t, t.project)];
  }
  if (cause === 'auth.scope_insufficient') {
    return [
      {
        description: 'On the VM: the attached account has the cloud-platform scope',
        command:
          "curl -s -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/scopes | grep -x https://www.googleapis.com/auth/cloud-platform",
      },
    ];
  }
  return [IDENTITY_CAUSES.has(cause) ? modelCallCheck(t, t.project, t.member) : modelCallCheck(t, t.project)];
}

export function buildPlan(input: Diagnosis, opts: PlanOptions = {}): Plan {
  const { diagnosis, dropped } = sanitizeForPlan(input);
  const roles = opts.roles ?? builtinRoleIndex();
  const vars = new Variables();
  const t = resolveTargets(diagnosis, vars);
  const top = diagnosis.findings[0];
  const cause: CauseId = top?.cause ?? 'unknown';
  const ctx: Ctx = { d: diagnosis, t, vars, roles };
  const draft = BUILDERS[cause](ctx);

  // A project fix ranked below the top cause still moves the whole plan: prepend it to options
  // that do not set the project themselves.
  if (t.fixConfigProject && cause !== 'project.mismatch' && cause !== 'project.invalid') {
    const fix = projectConfigSteps(t, vars);
    for (const o of draft.options) {
      if (!o.steps.some((s) => s.kind === 'set_config' && s.key === 'GOOGLE_CLOUD_PROJECT'))
        o.steps.unshift(...fix);
    }
  }
  const recommended = draft.options.find((o) => o.recommended) ?? draft.options[0];
  const rollback = draft.rollback ?? recommended?.steps.flatMap(rollbackOf) ?? [];
  const verify = draft.verify ?? defaultVerify(ctx, cause);
  return {
    schemaVersion: 1,
    cause,
    code: codeOf(cause),
    summary: draft.summary,
    options: draft.options,
    variables: vars.usedBy(JSON.stringify([draft.options, verify, rollback])),
    verify,
    rollback,
    notes: [
      ...(draft.notes ?? []),
      ...(dropped.length
        ? [
            `Ignored ${dropped.join(', ')}: not a plain identifier, so not put into commands (set it as a variable instead).`,
          ]
        : []),
    ],
    ...(draft.decisions?.length ? { roleDecisions: draft.decisions } : {}),
  };
}
