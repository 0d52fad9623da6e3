/**
 * The HTTP contract, as TypeBox schemas: they validate requests (see validation.ts), shape the
 * fast response serialisers and become the OpenAPI document.
 */
import { type Static, type TLiteral, type TUnion, Type } from '@sinclair/typebox';

/** Kinds of image the service composes a prompt for; each adds a short style instruction. */
export const IMAGE_TYPES = [
  'illustration',
  'photo',
  'sketch',
  'icon',
  'diagram',
  'painting',
  'cartoon',
  '3d_render',
  'pixel_art',
] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/**
 * The aspect ratios Vertex AI's ImageConfig.aspectRatio accepts for Gemini image models
 * (google.cloud.aiplatform ImageConfig: 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9).
 */
export const ASPECT_RATIOS = [
  '1:1',
  '2:3',
  '3:2',
  '3:4',
  '4:3',
  '4:5',
  '5:4',
  '9:16',
  '16:9',
  '21:9',
] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export const PROMPT_MAX_CHARS = 4000;
export const SESSION_ID_PATTERN = '^[A-Za-z0-9_.-]{1,128}$';

const literalUnion = <T extends readonly string[]>(values: T, description: string, fallback: T[number]) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description, default: fallback },
  ) as unknown as TUnion<TLiteral<T[number]>[]>;

export const GenerateRequest = Type.Object(
  {
    prompt: Type.String({
      minLength: 1,
      maxLength: PROMPT_MAX_CHARS,
      pattern: '\\S',
      description: 'What to draw.',
    }),
    image_type: Type.Optional(literalUnion(IMAGE_TYPES, 'Style of the image.', 'illustration')),
    aspect_ratio: Type.Optional(literalUnion(ASPECT_RATIOS, 'Aspect ratio of the image.', '1:1')),
    session_id: Type.Optional(
      Type.String({
        pattern: SESSION_ID_PATTERN,
        description: 'Groups generations; GET /api/v1/sessions/{id} lists them.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type GenerateRequest = Static<typeof GenerateRequest>;

export const Timings = Type.Object({
  total_ms: Type.Number({ description: 'Time in the service, from request to answer.' }),
  upstream_ms: Type.Number({ description: 'Time spent waiting for the model, all attempts.' }),
  attempts: Type.Integer({ description: 'Model calls made (throttled calls are retried).' }),
});

export const GenerateResponse = Type.Object(
  {
    request_id: Type.String(),
    session_id: Type.Optional(Type.String()),
    model: Type.String(),
    location: Type.String(),
    image_type: Type.String(),
    aspect_ratio: Type.String(),
    image: Type.Object({
      mime_type: Type.String(),
      size_bytes: Type.Integer(),
      base64: Type.String(),
      data_url: Type.String(),
    }),
    text: Type.Optional(Type.String({ description: 'Text the model returned next to the image.' })),
    timings: Timings,
  },
  {},
);
export type GenerateResponse = Static<typeof GenerateResponse>;

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      /** Catalog code (1100-1199) for diagnosed upstream failures; absent for request errors. */
      code: Type.Optional(Type.Integer()),
      cause: Type.String({ description: 'Taxonomy cause id, or request.* / service.* for local errors.' }),
      message: Type.String(),
      docs: Type.Optional(Type.String({ description: 'Path of the catalog page for the code.' })),
      field: Type.Optional(Type.String({ description: 'Request field that failed validation.' })),
      request_id: Type.String(),
      retry_after_s: Type.Optional(Type.Integer()),
    }),
  },
  {},
);
export type ErrorBody = Static<typeof ErrorBody>;

export const SessionItem = Type.Object({
  request_id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  prompt: Type.String(),
  image_type: Type.String(),
  aspect_ratio: Type.String(),
  model: Type.String(),
  mime_type: Type.String(),
  size_bytes: Type.Integer(),
  latency_ms: Type.Number(),
});
export type SessionItem = Static<typeof SessionItem>;

export const SessionParams = Type.Object({ id: Type.String({ pattern: SESSION_ID_PATTERN }) });

export const SessionResponse = Type.Object(
  {
    session_id: Type.String(),
    count: Type.Integer(),
    /** Items the bounded store dropped from this session (oldest first). */
    dropped: Type.Integer(),
    items: Type.Array(SessionItem),
  },
  {},
);
export type SessionResponse = Static<typeof SessionResponse>;

export const Finding = Type.Object({
  cause: Type.String(),
  code: Type.Integer(),
  summary: Type.String(),
});

export const ReadinessBody = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready'), Type.Literal('starting')]),
    checked_at: Type.Optional(Type.String()),
    check: Type.String({ description: 'Which access check produced the verdict.' }),
    finding: Type.Optional(Finding),
    shutting_down: Type.Optional(Type.Boolean()),
  },
  {},
);
