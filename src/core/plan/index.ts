/**
 * Plans: a diagnosis -> least-privilege fix steps as typed data (model.ts `Step`), with the
 * variables the evidence leaves open, verification and rollback commands. Renderers
 * (../render) turn a plan into gcloud, Terraform, Console steps, Markdown or JSON.
 *
 * The plan follows the top finding; other findings add to it where they change where or what
 * to fix (a project mismatch ranked anywhere moves grants to the intended project).
 */
import type { Diagnosis, NextCheck, Plan, PlanOption } from '../model.js';
import { type RoleIndex, roleIndexFor } from '../roles/index.js';
import type { CauseId } from '../taxonomy.js';
import { codeOf } from '../taxonomy.js';
import { ACCESS_BUILDERS } from './causes/access.js';
import { AUTH_BUILDERS } from './causes/auth.js';
import { LIMITS_BUILDERS } from './causes/limits.js';
import { MODELS_BUILDERS } from './causes/models.js';
import { SETUP_BUILDERS } from './causes/setup.js';
import { ADC_CHECK, geminiApiCheck, modelCallCheck } from './checks.js';
import type { Builder, Ctx } from './draft.js';
import { projectConfigSteps, rollbackOfSteps } from './grants.js';
import { sanitizeForPlan } from './sanitize.js';
import { resolveTargets } from './targets.js';
import { display, Variables } from './variables.js';

export interface PlanOptions {
  /** Role catalog for least-privilege choices; default: the builtin catalog. */
  roles?: RoleIndex;
}

/** One builder per cause id: a missing one is a type error here. */
const BUILDERS: Record<CauseId, Builder> = {
  ...ACCESS_BUILDERS,
  ...SETUP_BUILDERS,
  ...MODELS_BUILDERS,
  ...AUTH_BUILDERS,
  ...LIMITS_BUILDERS,
};

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

/**
 * An option that first points the client at another project says so in its title: the title is
 * what one-line summaries show, and "Grant X in P" alone would hide that the call must go to P.
 * An option that only sets config is that change already.
 */
function titleWithProjectStep(o: PlanOption): string {
  const step = o.steps.find((s) => s.kind === 'set_config' && s.key === 'GOOGLE_CLOUD_PROJECT');
  if (step?.kind !== 'set_config' || o.steps.every((s) => s.kind === 'set_config')) return o.title;
  return `Point the client at ${display(step.value)}, then: ${o.title}`;
}

export function buildPlan(input: Diagnosis, opts: PlanOptions = {}): Plan {
  const { diagnosis, dropped } = sanitizeForPlan(input);
  const roles = opts.roles ?? roleIndexFor(diagnosis.facts.permission);
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
  for (const o of draft.options) o.title = titleWithProjectStep(o);
  const recommended = draft.options.find((o) => o.recommended) ?? draft.options[0];
  const rollback = draft.rollback ?? rollbackOfSteps(recommended?.steps ?? []);
  // Whichever option a user picks, its own undo goes with it.
  const options = draft.options.map((o) => ({
    ...o,
    rollback: o === recommended ? rollback : rollbackOfSteps(o.steps),
  }));
  const verify = draft.verify ?? defaultVerify(ctx, cause);
  return {
    schemaVersion: 1,
    cause,
    code: codeOf(cause),
    summary: draft.summary,
    options,
    variables: vars.usedBy(JSON.stringify([options, verify, rollback])),
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
