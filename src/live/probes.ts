/**
 * The live probes. Each answers one question about the target and never throws: a probe that
 * cannot run (no permission to read a policy, no metadata server) reports `unknown` with why,
 * which lowers the diagnosis's confidence instead of failing the check.
 */
import { servedAt } from '../core/data/models.js';
import { bindingsOf } from '../core/policy.js';
import { redactSecrets } from '../core/redact.js';
import { geminiApiUrl, postWithApiKey } from '../gcp/apikey.js';
import { getBillingInfo } from '../gcp/billing.js';
import { describeError, isGoogleApiError, isNotFound } from '../gcp/errors.js';
import { testIamPermissions } from '../gcp/resourcemanager.js';
import { runServiceEnv } from '../gcp/run.js';
import { getService } from '../gcp/serviceusage.js';
import { projectResourceName, troubleshoot } from '../gcp/troubleshooter.js';
import { generateContent, getPublisherModel, isImageModel, modelUrl, PROBE_CONTENTS } from '../gcp/vertex.js';
import { type LiveSession, memberOf } from './session.js';

export type ProbeId =
  | 'identity'
  | 'cloud-run'
  | 'project'
  | 'api'
  | 'billing'
  | 'permissions'
  | 'bindings'
  | 'troubleshooter'
  | 'model'
  | 'call';

/** ok: fine; problem: would make the call fail; unknown: could not tell; skipped: not relevant. */
export type ProbeStatus = 'ok' | 'problem' | 'unknown' | 'skipped';

export interface ProbeError {
  httpStatus: number;
  status?: string;
  reason?: string;
  message: string;
  /** Raw Google error body (what `diagnose` reads). */
  body?: string;
  /** `HTTP 403 POST url` + body, as a user would paste it. */
  text: string;
}

export interface ProbeResult {
  id: ProbeId;
  title: string;
  status: ProbeStatus;
  summary: string;
  ms: number;
  details?: string[];
  error?: ProbeError;
  data?: Record<string, unknown>;
}

export interface ProbeSpec {
  id: ProbeId;
  title: string;
  /** A reason the probe does not apply to this target (reported as skipped). */
  skip?: (s: LiveSession) => string | undefined;
  run: (s: LiveSession) => Promise<Omit<ProbeResult, 'id' | 'title' | 'ms'>>;
}

/** The permission every generateContent / countTokens call on a publisher model needs. */
export const CALL_PERMISSIONS = ['aiplatform.endpoints.predict'];
export const VERTEX_API = 'aiplatform.googleapis.com';
export const GEMINI_API = 'generativelanguage.googleapis.com';

function apiOf(s: LiveSession): string {
  return s.opts.api === 'gemini' ? GEMINI_API : VERTEX_API;
}

/** Error details for reports and state files, with anything secret-looking redacted. */
export function probeError(e: unknown): ProbeError {
  if (isGoogleApiError(e)) {
    return {
      httpStatus: e.httpStatus,
      status: e.status,
      reason: e.reason,
      message: redactSecrets(e.message),
      body: e.body ? redactSecrets(e.body) : undefined,
      text: redactSecrets(e.diagnosable()),
    };
  }
  const message = redactSecrets(e instanceof Error ? e.message : String(e));
  return { httpStatus: 0, message, text: message };
}

/** A read the caller may not be allowed to make: `unknown`, with what it would have needed. */
function cannotRun(what: string, e: unknown): Omit<ProbeResult, 'id' | 'title' | 'ms'> {
  return {
    status: 'unknown',
    summary: `could not ${what}: ${describeError(e)}`,
    error: probeError(e),
  };
}

async function effectivePermissions(
  s: LiveSession,
  project: string,
  principal: string,
): Promise<{ granted: string[]; roles: string[]; conditional: string[] }> {
  const policy = await s.policy(project);
  const member = memberOf(principal);
  const bindings = bindingsOf(policy, member);
  const granted = new Set<string>();
  const conditional: string[] = [];
  await Promise.all(
    bindings.map(async (b) => {
      const perms = await s.rolePermissions(b.role).catch(() => [] as string[]);
      // A conditional grant may or may not apply to this call: counted apart, never as granted.
      if (b.condition) conditional.push(...perms.filter((p) => CALL_PERMISSIONS.includes(p)));
      else for (const p of perms) granted.add(p);
    }),
  );
  return { granted: [...granted], roles: bindings.map((b) => b.role), conditional };
}

/** IAM probes say nothing about a call made with an API key. */
function skipForApiKey(s: LiveSession): string | undefined {
  return s.opts.apiKeyEnv ? 'the call uses an API key: IAM bindings do not apply' : undefined;
}

export const PROBES: ProbeSpec[] = [
  {
    id: 'identity',
    title: 'Identity',
    run: async (s) => {
      try {
        const [caller, email, t] = await Promise.all([s.caller(), s.callerEmail(), s.target()]);
        return {
          status: 'ok',
          summary: `caller ${email ?? '(unknown)'} via ${caller.source}; principal ${t.principal} (${t.principalSource})`,
          data: {
            caller: email,
            callerSource: caller.source,
            principal: t.principal,
            principalSource: t.principalSource,
          },
        };
      } catch (e) {
        return { status: 'problem', summary: describeError(e), error: probeError(e) };
      }
    },
  },
  {
    id: 'cloud-run',
    title: 'Cloud Run service',
    run: async (s) => {
      if (!s.opts.cloudRun) return { status: 'skipped', summary: 'no --cloud-run service named' };
      try {
        const svc = await s.runService();
        if (!svc) return { status: 'skipped', summary: 'no service' };
        const env = runServiceEnv(svc);
        const projectVars = Object.entries(env).filter(([k]) => /PROJECT|LOCATION/.test(k));
        return {
          status: 'ok',
          summary: `${svc.name} runs as ${svc.template?.serviceAccount || 'the default compute service account'}`,
          details: projectVars.map(([k, v]) => `env ${k}=${v}`),
          data: {
            name: svc.name,
            serviceAccount: svc.template?.serviceAccount ?? '',
            env: Object.fromEntries(projectVars),
          },
        };
      } catch (e) {
        return isNotFound(e)
          ? { status: 'problem', summary: `service not found: ${describeError(e)}`, error: probeError(e) }
          : cannotRun('read the Cloud Run service', e);
      }
    },
  },
  {
    id: 'project',
    title: 'Project',
    run: async (s) => {
      const t = await s.target();
      const ids = [...new Set([t.callProject, t.project])];
      const lines: string[] = [];
      const data: Record<string, unknown> = {};
      // Both reads start at once (memoised: the target already fetched one of them).
      const reads = ids.map((id) => s.project(id));
      for (const r of reads) r.catch(() => undefined);
      for (const [i, id] of ids.entries()) {
        try {
          const p = await reads[i]!;
          data[id] = { projectNumber: p.projectNumber, lifecycleState: p.lifecycleState };
          if (p.lifecycleState && p.lifecycleState !== 'ACTIVE') {
            return { status: 'problem', summary: `${id} is ${p.lifecycleState}`, data };
          }
          lines.push(`${id} (#${p.projectNumber})`);
        } catch (e) {
          if (isNotFound(e)) {
            return { status: 'problem', summary: `project ${id} does not exist`, error: probeError(e), data };
          }
          return cannotRun(`read project ${id}`, e);
        }
      }
      return { status: 'ok', summary: `exists: ${lines.join(', ')}`, data };
    },
  },
  {
    id: 'api',
    title: 'API enabled',
    run: async (s) => {
      const t = await s.target();
      const api = apiOf(s);
      try {
        const svc = await getService(await s.callerClient(), t.callProject, api);
        return svc.state === 'ENABLED'
          ? { status: 'ok', summary: `${api} enabled on ${t.callProject}` }
          : {
              status: 'problem',
              summary: `${api} is ${svc.state} on ${t.callProject}`,
              data: { project: t.callProject, service: api, state: svc.state },
            };
      } catch (e) {
        return cannotRun(`read services on ${t.callProject}`, e);
      }
    },
  },
  {
    id: 'billing',
    title: 'Billing',
    run: async (s) => {
      const t = await s.target();
      try {
        const b = await getBillingInfo(await s.callerClient(), t.callProject);
        return b.billingEnabled
          ? { status: 'ok', summary: `billing enabled on ${t.callProject}` }
          : { status: 'problem', summary: `billing is not enabled on ${t.callProject}` };
      } catch (e) {
        return cannotRun(`read billing of ${t.callProject}`, e);
      }
    },
  },
  {
    id: 'permissions',
    skip: skipForApiKey,
    title: 'Permissions',
    run: async (s) => {
      const t = await s.target();
      const creds = await s.principalCredentials();
      const projects = [...new Set([t.callProject, t.project])];
      const data: Record<string, { missing: string[]; via: string }> = {};
      const lines: string[] = [];
      let unknown: unknown;
      const checks = await Promise.all(
        projects.map(async (project) => {
          try {
            if (creds.ok && creds.via !== 'impersonation') {
              // The principal asks for itself: exactly what IAM answers for this caller.
              const granted = await testIamPermissions(creds.client, project, CALL_PERMISSIONS);
              return {
                project,
                missing: CALL_PERMISSIONS.filter((p) => !granted.includes(p)),
                via: 'testIamPermissions',
              };
            }
            const eff = await effectivePermissions(s, project, t.principal);
            return {
              project,
              missing: CALL_PERMISSIONS.filter((p) => !eff.granted.includes(p)),
              via: 'policy bindings x role permissions',
            };
          } catch (e) {
            return { project, error: e };
          }
        }),
      );
      for (const c of checks) {
        if ('error' in c) {
          unknown ??= c.error;
          lines.push(`${c.project}: could not tell (${describeError(c.error)})`);
          continue;
        }
        data[c.project] = { missing: c.missing, via: c.via };
        lines.push(
          c.missing.length
            ? `${c.project}: missing ${c.missing.join(', ')}`
            : `${c.project}: ${CALL_PERMISSIONS.join(', ')} granted`,
        );
      }
      const callMissing = data[t.callProject]?.missing ?? [];
      if (callMissing.length) {
        return {
          status: 'problem',
          summary: `${t.principal} lacks ${callMissing.join(', ')} on ${t.callProject}`,
          details: lines,
          data,
        };
      }
      if (!data[t.callProject])
        return { ...cannotRun(`read the policy of ${t.callProject}`, unknown), details: lines };
      return { status: 'ok', summary: lines.join('; '), data };
    },
  },
  {
    id: 'bindings',
    skip: skipForApiKey,
    title: 'Principal bindings',
    run: async (s) => {
      const t = await s.target();
      try {
        const policy = await s.policy(t.callProject);
        const roles = bindingsOf(policy, memberOf(t.principal)).map(
          (b) => b.role + (b.condition ? ` (if ${b.condition.title ?? b.condition.expression})` : ''),
        );
        // What the allow policy grants as written (propagated or not): set against the real
        // call, it tells a missing grant from one that has not taken effect yet.
        const eff = await effectivePermissions(s, t.callProject, t.principal);
        const grants = CALL_PERMISSIONS.every((p) => eff.granted.includes(p));
        // A policy that does not grant the call permissions is a finding, never a pass.
        const held = roles.length
          ? `${t.principal} holds ${roles.join(', ')} on ${t.callProject}`
          : `${t.principal} holds no role on ${t.callProject}`;
        return {
          status: grants ? 'ok' : 'problem',
          summary: grants
            ? `${held} (grants ${CALL_PERMISSIONS.join(', ')})`
            : `${held}: nothing in its allow policy grants ${CALL_PERMISSIONS.join(', ')}`,
          data: { project: t.callProject, roles, grantsCallPermissions: grants },
        };
      } catch (e) {
        return cannotRun(`read the IAM policy of ${t.callProject}`, e);
      }
    },
  },
  {
    id: 'troubleshooter',
    skip: skipForApiKey,
    title: 'Policy Troubleshooter',
    run: async (s) => {
      const t = await s.target();
      try {
        const r = await troubleshoot(
          await s.callerClient(),
          t.principal,
          projectResourceName(t.callProject),
          CALL_PERMISSIONS[0]!,
        );
        const denied = r.denyPolicyExplanation?.denyAccessState === 'DENY_ACCESS_STATE_DENIED';
        const state = r.overallAccessState ?? 'OVERALL_ACCESS_STATE_UNSPECIFIED';
        return {
          status: state === 'CAN_ACCESS' ? 'ok' : state === 'CANNOT_ACCESS' ? 'problem' : 'unknown',
          summary:
            `${state}: ${t.principal} ${state === 'CAN_ACCESS' ? 'holds' : 'does not hold'} ${CALL_PERMISSIONS[0]} on ${t.callProject}` +
            (denied ? ' (an IAM deny policy denies it)' : ''),
          data: {
            overallAccessState: state,
            denied,
            ...(denied ? { denyPolicyExplanation: r.denyPolicyExplanation } : {}),
          },
        };
      } catch (e) {
        return cannotRun('use Policy Troubleshooter', e);
      }
    },
  },
  {
    id: 'model',
    title: 'Model at location',
    run: async (s) => {
      const t = await s.target();
      const v = servedAt(t.model, s.opts.api === 'gemini' ? 'gemini-api' : t.location);
      const table = {
        verdict: v.verdict,
        servedAt: v.servedAt,
        ...(v.source ? { source: v.source, asOf: v.asOf } : {}),
      };
      const fromTable = {
        status: v.verdict === 'served' ? 'ok' : v.verdict === 'unknown_model' ? 'unknown' : 'problem',
        summary: v.why + (v.asOf ? ` (model table, as of ${v.asOf})` : ''),
      } as const;
      if (s.opts.api === 'gemini') return { ...fromTable, data: table };
      // The API itself, at the location's endpoint: the table is data with a date, not the truth.
      try {
        const card = await getPublisherModel(await s.operatorClient(), t.location, t.model);
        const live = { published: true, launchStage: card.launchStage ?? '' };
        if (v.verdict === 'unknown_model' || v.verdict === 'retired')
          return {
            status: 'ok',
            summary: `Vertex AI answers for \`${t.model}\` at \`${t.location}\`${card.launchStage ? ` (${card.launchStage})` : ''}; the model table ${v.verdict === 'retired' ? 'calls it retired' : 'does not know it'} and is out of date.`,
            data: { ...table, live },
          };
        return { ...fromTable, data: { ...table, live } };
      } catch (e) {
        if (isNotFound(e))
          return {
            status: 'problem',
            summary:
              `Vertex AI does not know \`${t.model}\` at \`${t.location}\` (publishers.models.get answered NOT_FOUND). ${v.verdict === 'served' ? '' : v.why}`.trim(),
            data: { ...table, live: { published: false } },
            error: probeError(e),
          };
        return {
          ...fromTable,
          details: [`publishers.models.get could not be asked: ${describeError(e)}`],
          data: table,
        };
      }
    },
  },
  {
    id: 'call',
    title: 'Real call',
    run: async (s) => {
      const t = await s.target();
      const method = s.opts.call ?? 'countTokens';
      const target = { project: t.callProject, location: t.location, model: t.model };
      const body = { contents: PROBE_CONTENTS };
      const gemini = s.opts.api === 'gemini';
      const url = gemini ? geminiApiUrl(s.endpoints, t.model, method) : modelUrl(s.endpoints, target, method);
      const headers: Record<string, string> = s.opts.quotaProject
        ? { 'x-goog-user-project': s.opts.quotaProject }
        : {};
      let as: string;
      let send: () => Promise<unknown>;
      if (s.opts.apiKeyEnv) {
        const key = s.env[s.opts.apiKeyEnv];
        if (!key)
          return { status: 'unknown', summary: `could not be made: env ${s.opts.apiKeyEnv} is empty` };
        as = `the API key in ${s.opts.apiKeyEnv}`;
        send = () => postWithApiKey(url, key, body, headers);
      } else {
        const creds = await s.principalCredentials();
        if (!creds.ok) {
          // The workload's own impersonation step failing IS the call failing.
          return creds.workloadFails && creds.error
            ? { status: 'problem', summary: creds.reason, error: probeError(creds.error) }
            : { status: 'unknown', summary: `could not be made: ${creds.reason}` };
        }
        as = `${t.principal} (${creds.via})`;
        send = () => creds.client.request({ method: 'POST', url, body, headers });
      }
      try {
        const r = (await send()) as { totalTokens?: number };
        return {
          status: 'ok',
          summary: `${method} as ${as} on ${gemini ? 'the Gemini API' : t.callProject}: ok${r.totalTokens !== undefined ? ` (${r.totalTokens} tokens)` : ''}`,
          data: { method },
        };
      } catch (e) {
        return {
          status: 'problem',
          summary: `${method} as ${as} failed: ${describeError(e)}`,
          error: probeError(e),
          data: { method },
        };
      }
    },
  },
];

/** For verify on image models: a real image generation as the principal. */
export async function realGenerate(
  s: LiveSession,
): Promise<{ ok: true; summary: string } | { ok: false; error: unknown }> {
  const t = await s.target();
  const creds = await s.principalCredentials();
  if (!creds.ok) return { ok: false, error: creds.error ?? new Error(creds.reason) };
  try {
    const image = isImageModel(t.model);
    const r = await generateContent(
      creds.client,
      { project: t.callProject, location: t.location, model: t.model },
      image ? 'A small red square' : 'Say ok',
      { image },
    );
    const parts = r.candidates?.[0]?.content?.parts ?? [];
    const img = parts.find((p) => p.inlineData);
    return {
      ok: true,
      summary: img?.inlineData
        ? `generateContent returned ${img.inlineData.mimeType}, ${Buffer.from(img.inlineData.data, 'base64').length} bytes`
        : `generateContent returned ${parts.length} part(s)`,
    };
  } catch (e) {
    return { ok: false, error: e };
  }
}

export interface RunOptions {
  sequential?: boolean;
  onResult?: (r: ProbeResult) => void;
  only?: ProbeId[];
}

/** Runs the probes in parallel (Promise.allSettled) or one after another for the baseline. */
export async function runProbes(s: LiveSession, opts: RunOptions = {}): Promise<ProbeResult[]> {
  const specs = PROBES.filter((p) => !opts.only || opts.only.includes(p.id));
  const runOne = async (p: ProbeSpec): Promise<ProbeResult> => {
    const start = performance.now();
    let out: Omit<ProbeResult, 'id' | 'title' | 'ms'>;
    try {
      const skipped = p.skip?.(s);
      out = skipped ? { status: 'skipped', summary: skipped } : await p.run(s);
    } catch (e) {
      out = { status: 'unknown', summary: describeError(e), error: probeError(e) };
    }
    const r: ProbeResult = { id: p.id, title: p.title, ms: Math.round(performance.now() - start), ...out };
    opts.onResult?.(r);
    return r;
  };
  if (opts.sequential) {
    // The baseline: each probe runs alone, only after the previous one finished.
    const out: ProbeResult[] = [];
    for (const p of specs) out.push(await runOne(p));
    return out;
  }
  s.prefetch();
  const settled = await Promise.allSettled(specs.map(runOne));
  return settled.map((r, i) =>
    r.status === 'fulfilled'
      ? r.value
      : { id: specs[i]!.id, title: specs[i]!.title, status: 'unknown', summary: String(r.reason), ms: 0 },
  );
}
