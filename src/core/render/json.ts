/** Diagnosis + plan -> the versioned JSON document of ./schema.ts. */
import { catalogPage } from '../catalog/index.js';
import type { Diagnosis, Plan, PlanCause } from '../model.js';
import type { JsonPlan, JsonReport } from './schema.js';

/** A plan with the recommended option's steps flattened into `steps`. */
export function planJson(plan: Plan<PlanCause>): JsonPlan {
  const recommended = plan.options.find((o) => o.recommended) ?? plan.options[0];
  const { schemaVersion, cause, code, summary, options, variables, verify, rollback, notes, roleDecisions } =
    plan;
  return {
    schemaVersion,
    cause,
    // A risky setup's plan has no code (nothing failed): the key is left out, not null.
    ...(code === undefined ? {} : { code }),
    summary,
    steps: recommended?.steps ?? [],
    options,
    variables,
    verify,
    rollback,
    notes,
    ...(roleDecisions ? { roleDecisions } : {}),
  } as JsonPlan;
}

export function reportJson(diagnosis: Diagnosis, plan: Plan | undefined): JsonReport {
  const top = diagnosis.findings[0];
  const page = catalogPage(top?.code ?? 1199);
  return {
    schemaVersion: 1,
    generator: 'genai-doctor',
    ...(diagnosis.noError ? { noError: diagnosis.noError } : {}),
    findings: diagnosis.findings,
    facts: diagnosis.facts,
    context: diagnosis.context,
    unknowns: diagnosis.unknowns,
    plan: plan ? planJson(plan) : null,
    catalog: { code: page.code, title: page.title, tldr: page.tldr, page: `/errors/${page.code}` },
  } as JsonReport;
}
