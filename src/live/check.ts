/**
 * `check` as a library call: resolve identity and target, run every probe (in parallel unless
 * asked otherwise), turn the results into a diagnosis and a plan, and save them for fix/verify.
 */
import type { Diagnosis, Plan } from '../core/model.js';
import { buildPlan } from '../core/plan/index.js';
import { NoCredentialsError } from '../gcp/client.js';
import { liveDiagnosis } from './findings.js';
import { type ProbeResult, runProbes } from './probes.js';
import { type CheckOptions, LiveSession, type Target, UnknownServiceError } from './session.js';
import { LAST_CHECK, writeState } from './state.js';

export interface CheckRecord {
  schemaVersion: 1;
  checkedAt: string;
  /** The options check ran with (so fix and verify look at the same target). */
  options: Omit<CheckOptions, 'env' | 'sequential'>;
  target?: Target;
  identity: {
    caller?: string;
    callerSource?: string;
    /** With --impersonate: the ADC account that asks for the service account's tokens. */
    operator?: string;
  };
  projectNumber?: string;
  probes: ProbeResult[];
  diagnosis: Diagnosis;
  plan: Plan;
  healthy: boolean;
  basis: string;
  basisProbe?: string;
  wallMs: number;
}

export interface RunCheckOptions {
  onProbe?: (r: ProbeResult) => void;
  save?: boolean;
}

export async function runCheck(opts: CheckOptions, run: RunCheckOptions = {}): Promise<CheckRecord> {
  const start = performance.now();
  const session = new LiveSession(opts);
  session.prefetch();
  // With no credentials at all every probe would fail the same way: that is one finding, said once.
  const noCredentials = await session.caller().then(
    () => undefined,
    (e: unknown) => (e instanceof NoCredentialsError ? e : undefined),
  );
  if (noCredentials) throw noCredentials;
  if (opts.cloudRun) {
    // A --cloud-run name that does not exist ends the check before the probes report it 10 times.
    const missing = await session.runService().then(
      () => undefined,
      (e: unknown) => (e instanceof UnknownServiceError ? e : undefined),
    );
    if (missing) throw missing;
  }
  const probes = await runProbes(session, { sequential: opts.sequential, onResult: run.onProbe });
  // When the target cannot be resolved (no credentials, no project), the identity probe holds why.
  const target = await session.target().catch(() => undefined);
  const caller = await session.caller().catch(() => undefined);
  const callerEmail = await session.callerEmail().catch(() => undefined);
  const operator = opts.impersonate ? await session.operatorEmail().catch(() => undefined) : undefined;
  const projectNumber = target
    ? await session
        .project(target.callProject)
        .then((p) => p.projectNumber)
        .catch(() => undefined)
    : undefined;
  const verdict = target
    ? liveDiagnosis(target, probes, projectNumber)
    : liveDiagnosis(fallbackTarget(opts), probes, undefined);
  const roles = await session.roleIndex();
  const plan = buildPlan(verdict.diagnosis, { roles });
  const { env: _env, sequential: _seq, ...saved } = opts;
  const record: CheckRecord = {
    schemaVersion: 1,
    checkedAt: new Date().toISOString(),
    options: saved,
    target,
    identity: { caller: callerEmail, callerSource: caller?.source, ...(operator ? { operator } : {}) },
    projectNumber,
    probes,
    diagnosis: verdict.diagnosis,
    plan,
    healthy: verdict.healthy,
    basis: verdict.basis,
    basisProbe: verdict.basisProbe,
    wallMs: Math.round(performance.now() - start),
  };
  if (run.save !== false) await writeState(LAST_CHECK, record, opts.env);
  return record;
}

/** When the target itself cannot be resolved (no credentials...), diagnose with what we know. */
function fallbackTarget(opts: CheckOptions): Target {
  const project = opts.project ?? '';
  return {
    project,
    callProject: project,
    location: opts.location ?? 'global',
    model: opts.model ?? 'gemini-2.5-flash',
    principal: opts.principal ?? '',
    principalSource: 'caller',
    runtime: 'other',
    sources: [],
    disagreements: [],
  };
}
