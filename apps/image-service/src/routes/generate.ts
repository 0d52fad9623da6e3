/** POST /api/v1/images/generate: validate, generate (diagnosing any failure), record, answer. */
import type { FastifyInstance } from 'fastify';
import type { Plan } from 'genai-doctor';
import type { AppDeps } from '../app.js';
import { failureLogFields } from '../failure-log.js';
import { publicFailure } from '../failure-response.js';
import { generateImage } from '../generation.js';
import { composePrompt, hasVisibleText } from '../prompt.js';
import { ErrorBody, GenerateRequest, GenerateResponse } from '../schemas.js';
import { RequestValidationError } from '../validation.js';

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The base64 alphabets (standard and URL-safe): nothing in them needs escaping in JSON. */
const BASE64 = /^[A-Za-z0-9+/_=-]*$/;

/**
 * The 200 body as one Buffer, the image written into it as-is (as `base64` and inside `data_url`).
 * The image is most of the answer (~28 KB for a 10 KB PNG): JSON.stringify builds a string that
 * large out of parts, fastify flattens it (a copy) to measure it and node copies it again into a
 * Buffer to write; that path was ~90 of the ~210 KB a request allocated (sampling heap profile
 * under bench/service.ts's load). The schema serialiser is slower still (it escapes the image
 * character by character); GenerateResponse stays the contract (units.test.ts checks this body
 * against it). Data the upstream sent outside the base64 alphabet goes through JSON.stringify, so
 * the body is valid JSON whatever arrives.
 */
export function successBody(
  answer: Omit<GenerateResponse, 'image'>,
  mimeType: string,
  sizeBytes: number,
  data: string,
): Buffer | string {
  const image = { mime_type: mimeType, size_bytes: sizeBytes };
  const dataUrlPrefix = `data:${mimeType};base64,`;
  if (!BASE64.test(data)) {
    const full: GenerateResponse = {
      ...answer,
      image: { ...image, base64: data, data_url: dataUrlPrefix + data },
    };
    return JSON.stringify(full);
  }
  // {...answer,"image":{"mime_type":..,"size_bytes":..,"base64":"<data>","data_url":"<prefix><data>"}}
  const head = `${JSON.stringify(answer).slice(0, -1)},"image":${JSON.stringify(image).slice(0, -1)},"base64":"`;
  const middle = `","data_url":${JSON.stringify(dataUrlPrefix).slice(0, -1)}`;
  const tail = '"}}';
  const headBytes = Buffer.byteLength(head);
  const middleBytes = Buffer.byteLength(middle);
  const out = Buffer.allocUnsafe(headBytes + middleBytes + tail.length + 2 * data.length);
  let at = out.write(head, 0);
  at += out.write(data, at, 'latin1');
  at += out.write(middle, at);
  at += out.write(data, at, 'latin1');
  out.write(tail, at, 'latin1');
  return out;
}

export function registerGenerateRoute(app: FastifyInstance, deps: AppDeps): void {
  const { config, model, sessions, readiness } = deps;
  app.post<{ Body: GenerateRequest }>(
    '/api/v1/images/generate',
    {
      schema: {
        summary: 'Generate an image with the configured Gemini image model',
        tags: ['images'],
        body: GenerateRequest,
        response: {
          200: GenerateResponse,
          '4xx': ErrorBody,
          '5xx': ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      const body = request.body;
      if (!hasVisibleText(body.prompt)) {
        throw new RequestValidationError(
          'prompt',
          'prompt: is empty once invisible characters are removed (zero-width spaces, joiners, BOM, whitespace); say what to draw',
        );
      }
      const imageType = body.image_type ?? 'illustration';
      const aspectRatio = body.aspect_ratio ?? '1:1';
      const outcome = await generateImage({
        model,
        prompt: composePrompt(body.prompt, imageType),
        aspectRatio,
        deadlineAt: Date.now() + config.requestDeadlineMs,
        deadlineMs: config.requestDeadlineMs,
        policy: { maxAttempts: config.maxAttempts, baseDelayMs: config.retryBaseDelayMs, maxDelayMs: 10_000 },
        diagnose: deps.diagnose,
        context: deps.context,
        signal: deps.shutdownSignal,
      });
      const totalMs = performance.now() - started;
      if (outcome.ok) {
        const { image } = outcome;
        if (body.session_id) {
          sessions.add(body.session_id, {
            request_id: request.id,
            created_at: new Date().toISOString(),
            prompt: body.prompt,
            image_type: imageType,
            aspect_ratio: aspectRatio,
            model: model.model,
            mime_type: image.mimeType,
            size_bytes: image.sizeBytes,
            latency_ms: round(totalMs),
          });
        }
        request.log.info(
          {
            event: 'image.generated',
            latency_ms: round(totalMs),
            upstream_ms: round(outcome.upstreamMs),
            attempts: outcome.attempts.length,
            model: model.model,
            location: model.location,
            image_type: imageType,
            aspect_ratio: aspectRatio,
            mime_type: image.mimeType,
            size_bytes: image.sizeBytes,
            session_id: body.session_id,
          },
          'Image generation completed',
        );
        if (readiness.snapshot().status === 'not_ready') readiness.nudge();
        const answer: Omit<GenerateResponse, 'image'> = {
          request_id: request.id,
          ...(body.session_id ? { session_id: body.session_id } : {}),
          model: model.model,
          location: model.location,
          image_type: imageType,
          aspect_ratio: aspectRatio,
          ...(image.text ? { text: image.text } : {}),
          timings: {
            total_ms: round(performance.now() - started),
            upstream_ms: round(outcome.upstreamMs),
            attempts: outcome.attempts.length,
          },
        };
        return reply
          .code(200)
          .type('application/json; charset=utf-8')
          .send(successBody(answer, image.mimeType, image.sizeBytes, image.data));
      }

      const answer = publicFailure(
        outcome.finding,
        outcome.failure,
        request.id,
        outcome.diagnosis.facts.retryDelaySeconds,
      );
      let plan: Plan | undefined;
      try {
        plan = outcome.failure.kind === 'api-error' ? deps.buildPlan?.(outcome.diagnosis) : undefined;
      } catch (err) {
        request.log.warn({ err }, 'could not build a fix plan');
      }
      request.log.error(
        {
          event: 'image.failed',
          latency_ms: round(totalMs),
          model: model.model,
          location: model.location,
          http_status: answer.status,
          session_id: body.session_id,
          ...failureLogFields(outcome, plan),
        },
        `Image generation failed: ${outcome.finding.cause} (${outcome.finding.code})`,
      );
      // Access problems (503) may be fixed or broken from outside at any time: re-check readiness.
      if (answer.status === 503) readiness.nudge();
      if (answer.retryAfterS !== undefined) reply.header('retry-after', String(answer.retryAfterS));
      return reply.code(answer.status).send(answer.body);
    },
  );
}
