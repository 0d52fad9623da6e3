/**
 * One image generation: call the model, and when it fails, diagnose the failure; retry only
 * throttling (see retry.ts), all within the request's deadline. Every model call is one APM span
 * `gemini.generate_content` tagged with the model, location, upstream status and, on failure, the
 * diagnosed cause and code.
 */
import tracer from 'dd-trace';
import type { Context, Diagnosis, Finding } from 'genai-doctor';
import { redactSecrets } from 'genai-doctor';
import type { ImageModel, ImageResult } from './image-model.js';
import { decideRetry, type RetryDecision, type RetryPolicy } from './retry.js';
import { classifyUpstreamError, DeadlineExceeded, type UpstreamFailure } from './upstream-failure.js';

export type Diagnose = (text: string, context?: Context) => Diagnosis;

export interface AttemptRecord {
  attempt: number;
  ms: number;
  outcome: 'ok' | 'failed';
  cause?: string;
  code?: number;
  httpStatus?: number;
  retry?: RetryDecision;
}

export type GenerationOutcome =
  | { ok: true; image: ImageResult; attempts: AttemptRecord[]; upstreamMs: number }
  | {
      ok: false;
      failure: UpstreamFailure;
      diagnosis: Diagnosis;
      finding: Finding;
      attempts: AttemptRecord[];
      upstreamMs: number;
      /** Why the last failure was not retried. */
      retry: RetryDecision;
    };

export interface GenerationRequest {
  model: ImageModel;
  prompt: string;
  aspectRatio: string;
  /** Epoch ms after which no model call may still run. */
  deadlineAt: number;
  deadlineMs: number;
  policy: RetryPolicy;
  diagnose: Diagnose;
  context: Context;
  /** Aborts in-flight calls (shutdown). */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Upstream text kept on spans: enough to read the error, bounded, credentials removed. */
const SPAN_TEXT_CHARS = 2000;

type AttemptResult =
  | { ok: true; image: ImageResult }
  | { ok: false; failure: UpstreamFailure; diagnosis: Diagnosis; finding: Finding };

async function attemptOnce(req: GenerationRequest, attempt: number): Promise<AttemptResult> {
  const remaining = Math.max(0, req.deadlineAt - Date.now());
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(req.deadlineMs)), remaining);
  const onOuterAbort = () => controller.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const { model } = req;
  return tracer.trace(
    'gemini.generate_content',
    {
      resource: `${model.model}:generateContent`,
      type: 'http',
      tags: {
        'span.kind': 'client',
        'peer.service': 'aiplatform.googleapis.com',
        'gemini.model': model.model,
        'gemini.location': model.location,
        'gemini.attempt': attempt,
      },
    },
    async (span): Promise<AttemptResult> => {
      try {
        const image = await model.generate({
          prompt: req.prompt,
          aspectRatio: req.aspectRatio,
          signal: controller.signal,
        });
        span?.setTag('http.status_code', '200');
        span?.setTag('gemini.image.mime_type', image.mimeType);
        span?.setTag('gemini.image.size_bytes', image.sizeBytes);
        return { ok: true, image };
      } catch (err) {
        const failure = classifyUpstreamError(err, controller.signal);
        const diagnosis = req.diagnose(failure.text, req.context);
        const finding = diagnosis.findings[0]!;
        if (failure.httpStatus) span?.setTag('http.status_code', String(failure.httpStatus));
        span?.addTags({
          error: 1,
          'error.type': finding.cause,
          'error.message': redactSecrets(failure.text).slice(0, SPAN_TEXT_CHARS),
          'genai_doctor.cause': finding.cause,
          'genai_doctor.code': finding.code,
          'genai_doctor.failure_kind': failure.kind,
        });
        return { ok: false, failure, diagnosis, finding };
      } finally {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onOuterAbort);
      }
    },
  );
}

export async function generateImage(req: GenerationRequest): Promise<GenerationOutcome> {
  const attempts: AttemptRecord[] = [];
  let upstreamMs = 0;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const result = await attemptOnce(req, attempt);
    const ms = performance.now() - started;
    upstreamMs += ms;
    if (result.ok) {
      attempts.push({ attempt, ms, outcome: 'ok' });
      return { ok: true, image: result.image, attempts, upstreamMs };
    }
    const retry = decideRetry(
      {
        cause: result.finding.cause,
        attempts: attempt,
        retryDelaySeconds: result.diagnosis.facts.retryDelaySeconds,
        remainingMs: req.deadlineAt - Date.now(),
        jitter: Math.random(),
      },
      req.policy,
    );
    attempts.push({
      attempt,
      ms,
      outcome: 'failed',
      cause: result.finding.cause,
      code: result.finding.code,
      ...(result.failure.httpStatus ? { httpStatus: result.failure.httpStatus } : {}),
      retry,
    });
    if (!retry.retry || req.signal?.aborted) {
      return { ...result, attempts, upstreamMs, retry };
    }
    await sleep(retry.delayMs);
  }
}
