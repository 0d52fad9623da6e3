/**
 * Probe results -> a Diagnosis in the same model as `diagnose`. The real call's error body goes
 * through `diagnose` unchanged. When no real call could be made, the first failing probe (in the
 * order Google itself judges a call: project, API, billing, IAM, model) is written as the error
 * body Google returns for that state, and that goes through `diagnose` too: one rules engine.
 * Probe evidence and project-source disagreements are added to the top finding; every probe that
 * could not run lowers confidence and is listed under unknowns.
 */
import { diagnose } from '../core/diagnose/index.js';
import type { Context, Diagnosis, Evidence } from '../core/model.js';
import { modelPath } from '../gcp/vertex.js';
import { CALL_PERMISSIONS, type ProbeResult, VERTEX_API } from './probes.js';
import type { Target } from './session.js';

/** Each probe that could not run multiplies confidence by this. */
const UNKNOWN_PROBE_FACTOR = 0.85;

export function liveContext(t: Target, probes: ProbeResult[] = []): Context {
  // Project-source disagreements are NOT notes: context.project against the error's project
  // already says it, and naming the called project in notes would read as "meant to call it".
  // They go in as evidence (see annotate).
  const notes: string[] = [];
  const byId = new Map(probes.map((p) => [p.id, p]));
  const call = byId.get('call');
  const grantsAsWritten = byId.get('bindings')?.data?.grantsCallPermissions === true;
  const denied = byId.get('troubleshooter')?.data?.denied === true;
  if (call?.error?.reason === 'IAM_PERMISSION_DENIED' && grantsAsWritten && !denied) {
    // Live facts the error text cannot carry: the allow policy as written grants the permission,
    // no deny policy applies, yet the call is refused.
    notes.push(
      `live check: the allow policy already grants ${CALL_PERMISSIONS.join(', ')} to ${t.principal} and no deny policy applies, yet the real call is denied: the role was most likely recently granted and has not propagated yet`,
    );
  }
  return {
    project: t.project,
    principal: t.principal,
    ...(t.actor ? { actor: t.actor } : {}),
    runtime: t.runtime,
    location: t.location,
    model: t.model,
    ...(t.cloudRun ? { service: t.cloudRun.service, region: t.cloudRun.region } : {}),
    ...(notes.length ? { notes: notes.join('; ') } : {}),
  };
}

function googleError(
  code: number,
  status: string,
  message: string,
  reason?: string,
  metadata?: object,
): string {
  const details = reason
    ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata }]
    : undefined;
  return JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });
}

/** The error body Google answers a call with when the probe's state holds (its documented wording). */
function derivedErrorText(p: ProbeResult, t: Target, projectNumber?: string): string | undefined {
  const consumer = `projects/${projectNumber ?? t.callProject}`;
  switch (p.id) {
    case 'identity':
    case 'cloud-run':
      return p.error?.text;
    case 'project':
      return googleError(
        403,
        'PERMISSION_DENIED',
        `Permission denied on resource project ${t.callProject}.`,
        'CONSUMER_INVALID',
        { consumer: `projects/${t.callProject}`, service: VERTEX_API },
      );
    case 'api':
      return googleError(
        403,
        'PERMISSION_DENIED',
        `Vertex AI API has not been used in project ${projectNumber ?? t.callProject} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/${VERTEX_API}/overview?project=${projectNumber ?? t.callProject} then retry.`,
        'SERVICE_DISABLED',
        { consumer, service: VERTEX_API },
      );
    case 'billing':
      return googleError(
        403,
        'PERMISSION_DENIED',
        `This API method requires billing to be enabled. Please enable billing on project #${projectNumber ?? t.callProject} by visiting https://console.developers.google.com/billing/enable?project=${projectNumber ?? t.callProject} then retry.`,
        'BILLING_DISABLED',
        { consumer, service: VERTEX_API },
      );
    case 'permissions':
    case 'troubleshooter': {
      const resource = `projects/${t.callProject}/locations/${t.location}/publishers/google/models/${t.model}`;
      return googleError(
        403,
        'PERMISSION_DENIED',
        `Permission '${CALL_PERMISSIONS[0]}' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
        'IAM_PERMISSION_DENIED',
        { permission: CALL_PERMISSIONS[0], resource },
      );
    }
    case 'model':
      return googleError(
        404,
        'NOT_FOUND',
        `Publisher Model \`${modelPath({ project: t.callProject, location: t.location, model: t.model })}\` was not found or your project does not have access to it. Please ensure you are using a valid model version.`,
      );
    default:
      return undefined;
  }
}

/**
 * Policy Troubleshooter's own deny explanation, appended to the diagnosed text when it says a
 * deny policy denies the permission: Google's words, read by the same parser as the error.
 */
function troubleshooterEvidence(probes: ProbeResult[]): string {
  const ts = probes.find((p) => p.id === 'troubleshooter');
  if (ts?.data?.denied !== true) return '';
  return `\n\nPolicy Troubleshooter (iam:troubleshoot) denyPolicyExplanation:\n${JSON.stringify(ts.data.denyPolicyExplanation ?? {})}`;
}

const JUDGE_ORDER = [
  'identity',
  'cloud-run',
  'project',
  'api',
  'billing',
  'permissions',
  'troubleshooter',
  'model',
];

export interface LiveVerdict {
  diagnosis: Diagnosis;
  /** True when the real call succeeded (or nothing stands in its way): exit 0. */
  healthy: boolean;
  /** Where the diagnosed error text came from. */
  basis: 'real-call' | 'derived-from-probe' | 'healthy';
  basisProbe?: string;
}

export function liveDiagnosis(t: Target, probes: ProbeResult[], projectNumber?: string): LiveVerdict {
  const ctx = liveContext(t, probes);
  const byId = new Map(probes.map((p) => [p.id, p]));
  const call = byId.get('call');
  let verdict: LiveVerdict;
  if (call?.status === 'problem' && call.error) {
    verdict = {
      diagnosis: diagnose(call.error.text + troubleshooterEvidence(probes), ctx),
      healthy: false,
      basis: 'real-call',
    };
  } else {
    const failing = JUDGE_ORDER.map((id) => byId.get(id as ProbeResult['id'])).find(
      (p) => p?.status === 'problem',
    );
    const text = failing && derivedErrorText(failing, t, projectNumber);
    if (failing && text) {
      verdict = {
        diagnosis: diagnose(text, ctx),
        healthy: false,
        basis: 'derived-from-probe',
        basisProbe: failing.id,
      };
    } else {
      const d = diagnose('', ctx);
      d.noError =
        call?.status === 'ok'
          ? `A real call as ${t.principal} to ${t.model} at ${t.location} in ${t.callProject} succeeded.`
          : 'No probe found a problem, but the real call could not be made.';
      verdict = { diagnosis: d, healthy: call?.status === 'ok' || !failing, basis: 'healthy' };
    }
  }
  promoteProven(verdict.diagnosis, probes);
  annotate(verdict.diagnosis, t, probes);
  return verdict;
}

/**
 * A live probe can PROVE what the error text only suggests: Policy Troubleshooter evaluating the
 * deny policies and answering DENIED settles a tie between "no role grants it" and "a deny policy
 * blocks it". The proven finding goes first; nothing else is re-scored.
 */
function promoteProven(d: Diagnosis, probes: ProbeResult[]): void {
  const ts = probes.find((p) => p.id === 'troubleshooter');
  if (ts?.data?.denied !== true) return;
  const i = d.findings.findIndex((f) => f.cause === 'iam.deny_policy');
  if (i <= 0) return;
  const [proven] = d.findings.splice(i, 1);
  if (!proven) return;
  proven.evidence.push({
    fact: 'probe troubleshooter',
    value: 'DENY_ACCESS_STATE_DENIED',
    note: 'Policy Troubleshooter evaluated the deny policies: one denies the permission',
  });
  proven.confidence = Math.max(proven.confidence, (d.findings[0]?.confidence ?? 0) + 0.01);
  d.findings.unshift(proven);
}

function annotate(d: Diagnosis, t: Target, probes: ProbeResult[]): void {
  const top = d.findings[0];
  const extra: Evidence[] = [];
  for (const dis of t.disagreements) {
    extra.push({
      fact: 'project source',
      value: `${dis.source} = ${dis.value}`,
      note: `differs from ${dis.intended}${dis.decidesCall ? '; the workload’s call names this project' : ''}`,
    });
  }
  for (const p of probes) {
    if (p.status === 'problem') extra.push({ fact: `probe ${p.id}`, value: p.summary });
  }
  const unknown = probes.filter((p) => p.status === 'unknown');
  for (const p of unknown) d.unknowns.push(`probe ${p.id} could not run: ${p.summary}`);
  if (top) {
    top.evidence.push(...extra);
    top.confidence = Math.round(top.confidence * UNKNOWN_PROBE_FACTOR ** unknown.length * 100) / 100;
  }
}
