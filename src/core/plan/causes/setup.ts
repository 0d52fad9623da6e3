/**
 * Project setup causes: invalid project, disabled API, billing, quota project, organization
 * policy, and the unknown fallback.
 */
import { type Builders, consumerProject, grantDraft, manual, option, VERTEX } from '../draft.js';
import { display, shellRef } from '../variables.js';

export const SETUP_BUILDERS: Builders<
  | 'project.invalid'
  | 'api.disabled'
  | 'billing.disabled'
  | 'quota_project.denied'
  | 'org_policy.violation'
  | 'unknown'
> = {
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
