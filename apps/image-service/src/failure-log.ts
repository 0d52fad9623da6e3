/**
 * What the log gets when a model call fails: the whole diagnosis (findings with evidence and next
 * checks, the facts read from the error) and a summary of the fix plan. The line is redacted by
 * the logger before it is written; spans and per-error copies are left out to bound its size.
 */
import type { Diagnosis, Plan, Step } from 'genai-doctor';
import type { GenerationOutcome } from './generation.js';

type Failed = Extract<GenerationOutcome, { ok: false }>;

function describeStep(step: Step): string {
  const v = (x: string | { var: string }) => (typeof x === 'string' ? x : `$${x.var}`);
  switch (step.kind) {
    case 'grant_role':
      return `grant ${step.role} to ${v(step.member)} on ${v(step.project)}`;
    case 'grant_role_on_service_account':
      return `grant ${step.role} to ${v(step.member)} on service account ${v(step.serviceAccount)}`;
    case 'create_custom_role':
      return `create custom role ${step.roleId} (${step.permissions.join(', ')}) in ${v(step.project)}`;
    case 'create_service_account':
      return `create service account ${step.accountId} in ${v(step.project)}`;
    case 'switch_workload_service_account':
      return `run ${v(step.service)} as ${v(step.serviceAccount)}`;
    case 'revoke_role':
      return `remove ${step.role} from ${v(step.member)} on ${v(step.project)}`;
    case 'restrict_api_key':
      return `restrict API key ${v(step.key)} to ${step.apiTargets.join(', ')}`;
    case 'enable_api':
      return `enable ${step.service} on ${v(step.project)}`;
    case 'enable_billing':
      return `enable billing on ${v(step.project)}`;
    case 'set_config':
      return `set ${step.key}=${v(step.value)} in ${step.where}`;
    case 'request_quota':
      return `request more quota${step.metric ? ` for ${step.metric}` : ''} in ${v(step.project)}`;
    case 'wait_propagation':
      return `wait ${step.seconds}s for IAM propagation`;
    case 'manual':
      return step.title;
  }
}

export function planSummary(plan: Plan): Record<string, unknown> {
  const recommended = plan.options.find((o) => o.recommended) ?? plan.options[0];
  return {
    summary: plan.summary,
    recommended: recommended?.title,
    steps: recommended?.steps.map(describeStep) ?? [],
    other_options: plan.options.filter((o) => o !== recommended).map((o) => o.title),
    verify: plan.verify.map((c) => c.command ?? c.description),
  };
}

export function diagnosisForLog(diagnosis: Diagnosis): Record<string, unknown> {
  const { spans: _spans, errors: _errors, ...facts } = diagnosis.facts;
  return {
    findings: diagnosis.findings.slice(0, 3).map((f) => ({
      cause: f.cause,
      code: f.code,
      title: f.title,
      confidence: f.confidence,
      summary: f.summary,
      evidence: f.evidence.map((e) => `${e.fact}=${e.value}`),
      against: f.against,
      next_checks: f.nextChecks.map((c) => c.command ?? c.description),
    })),
    facts,
    context: diagnosis.context,
    unknowns: diagnosis.unknowns,
  };
}

export function failureLogFields(outcome: Failed, plan: Plan | undefined): Record<string, unknown> {
  return {
    cause: outcome.finding.cause,
    code: outcome.finding.code,
    upstream: {
      kind: outcome.failure.kind,
      http_status: outcome.failure.httpStatus,
      error: outcome.failure.text.slice(0, 4000),
    },
    attempts: outcome.attempts,
    retry: outcome.retry,
    diagnosis: diagnosisForLog(outcome.diagnosis),
    ...(plan ? { plan: planSummary(plan) } : {}),
  };
}
