/**
 * The readiness access check: can the service's own identity call its model, in its project and
 * location, right now? Default: genai-doctor's live check (`runCheck`: identity, project, API,
 * billing, the exact permission via testIamPermissions, model at the location, and one real
 * countTokens call), run as the service itself. Fallback when the live check cannot run: the real
 * countTokens call alone, which passes the same credential, project, API, IAM and model checks as
 * generateContent at no cost. A failure is diagnosed like a failed generation.
 */
import tracer from 'dd-trace';
import type { Context, Finding } from 'genai-doctor';
import { redactSecrets } from 'genai-doctor';
import { runCheck } from 'genai-doctor/workload';
import { publicMessage } from './failure-response.js';
import type { Diagnose } from './generation.js';
import type { ImageModel } from './image-model.js';
import type { AccessCheck, AccessFinding, AccessVerdict } from './readiness.js';
import { classifyUpstreamError } from './upstream-failure.js';

export const COUNT_TOKENS_CHECK = 'vertex-count-tokens';
export const LIVE_CHECK = 'genai-doctor-live-check';

function accessFinding(f: Finding): AccessFinding {
  return { cause: f.cause, code: f.code, summary: publicMessage(f.cause), detail: redactSecrets(f.summary) };
}

export function countTokensAccessCheck(model: ImageModel, diagnose: Diagnose, context: Context): AccessCheck {
  return async (signal) => {
    try {
      await model.countTokens(signal);
      return { ok: true, check: COUNT_TOKENS_CHECK };
    } catch (err) {
      const failure = classifyUpstreamError(err, signal);
      return {
        ok: false,
        check: COUNT_TOKENS_CHECK,
        finding: accessFinding(diagnose(failure.text, context).findings[0]!),
      };
    }
  };
}

export interface LiveCheckTarget {
  project: string;
  location: string;
  model: string;
  /** Base URL override for Google APIs (the service's own GENAI_DOCTOR_ENDPOINT). */
  endpoint?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The real call decides ready / not ready (it is the access path itself, and cheap); only when it
 * fails does genai-doctor's live check run, to name the cause with more evidence than the error
 * text alone (the principal's bindings, testIamPermissions, the troubleshooter...). Its finding
 * replaces the direct one when it names a cause; if it cannot run, the direct finding stands.
 */
export function liveAccessCheck(
  target: LiveCheckTarget,
  direct: AccessCheck,
  onLiveError?: (err: unknown) => void,
): AccessCheck {
  const env: NodeJS.ProcessEnv = {
    ...target.env,
    ...(target.endpoint ? { GENAI_DOCTOR_ENDPOINT: target.endpoint } : {}),
  };
  return async (signal) => {
    const verdict = await direct(signal);
    if (verdict.ok || signal.aborted) return verdict;
    try {
      const record = await runCheck(
        { project: target.project, location: target.location, model: target.model, env },
        { save: false },
      );
      const live = record.diagnosis.findings[0];
      if (!record.healthy && live && live.cause !== 'unknown') {
        return { ok: false, check: `${verdict.check}+${LIVE_CHECK}`, finding: accessFinding(live) };
      }
    } catch (err) {
      onLiveError?.(err);
    }
    return verdict;
  };
}

/** One trace per check, so its token and API calls are not scattered root spans. */
export function tracedAccessCheck(check: AccessCheck, model: ImageModel): AccessCheck {
  return (signal) =>
    tracer.trace(
      'image_service.access_check',
      {
        resource: `${model.model}@${model.location}`,
        tags: { 'gemini.model': model.model, 'gemini.location': model.location },
      },
      async (span): Promise<AccessVerdict> => {
        const verdict = await check(signal);
        span?.setTag('image_service.check', verdict.check);
        if (!verdict.ok)
          span?.addTags({
            'genai_doctor.cause': verdict.finding.cause,
            'genai_doctor.code': verdict.finding.code,
          });
        return verdict;
      },
    );
}
