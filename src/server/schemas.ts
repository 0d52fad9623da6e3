/**
 * Request and response schemas of the console API (TypeBox, so the same objects validate requests
 * in fastify and document them in the OpenAPI answer at /api/openapi.json).
 */
import { type Static, Type } from '@sinclair/typebox';
import { type IdKind, idPattern } from '../core/ids.js';

const RuntimeSchema = Type.Union(
  [
    Type.Literal('cloud-run'),
    Type.Literal('gke'),
    Type.Literal('gce'),
    Type.Literal('cloud-functions'),
    Type.Literal('local'),
    Type.Literal('colab'),
    Type.Literal('vertex-workbench'),
    Type.Literal('other'),
  ],
  { description: 'Where the failing code runs' },
);

const short = (description: string) => Type.String({ maxLength: 500, description });

export const ContextSchema = Type.Object(
  {
    project: Type.Optional(short('The project the caller meant to use / runs in')),
    principal: Type.Optional(short('The identity making the call')),
    runtime: Type.Optional(RuntimeSchema),
    location: Type.Optional(short('Location of the call, e.g. global or us-central1')),
    model: Type.Optional(short('Model id, e.g. gemini-2.5-flash')),
    service: Type.Optional(short('API service, e.g. aiplatform.googleapis.com')),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    region: Type.Optional(short('Region of the Cloud Run service, e.g. us-central1')),
    actor: Type.Optional(
      short('The identity that acts as / impersonates the principal (for act-as and token errors)'),
    ),
  },
  { additionalProperties: false, description: 'What the user knows (never read from the error)' },
);

export const PLAN_FORMATS = ['gcloud', 'terraform', 'console', 'md', 'json'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export const DiagnoseBody = Type.Object(
  {
    text: Type.String({ minLength: 1, description: 'The error text, in any shape Google prints it' }),
    context: Type.Optional(ContextSchema),
  },
  { additionalProperties: false },
);
export type DiagnoseBody = Static<typeof DiagnoseBody>;

export const PlanBody = Type.Object(
  {
    text: Type.Optional(Type.String({ minLength: 1 })),
    diagnosis: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'A diagnosis from /api/diagnose' }),
    ),
    context: Type.Optional(ContextSchema),
    format: Type.Union(
      [
        Type.Literal('gcloud'),
        Type.Literal('terraform'),
        Type.Literal('console'),
        Type.Literal('md'),
        Type.Literal('json'),
      ],
      { default: 'gcloud' },
    ),
  },
  { additionalProperties: false },
);
export type PlanBody = Static<typeof PlanBody>;

export const ExplainParams = Type.Object({
  code: Type.String({
    maxLength: 80,
    description: 'A catalog code (1152) or a cause id (iam.missing_permission)',
  }),
});
export type ExplainParams = Static<typeof ExplainParams>;

/** A field holding an id (ids.ts): anything else is a 400 before it reaches Google's URLs. */
const id = (kinds: readonly IdKind[], description: string) =>
  Type.String({ maxLength: 500, pattern: idPattern(kinds), description });

export const CheckQuery = Type.Object(
  {
    project: Type.Optional(id(['project'], 'Project to check (the sandbox project by default)')),
    model: Type.Optional(id(['model'], 'Model the service calls')),
    location: Type.Optional(id(['location'], 'Location of the call')),
    principal: Type.Optional(
      id(['email', 'member'], 'Principal to check (the resolved identity by default)'),
    ),
    cloudRun: Type.Optional(id(['runService'], 'Cloud Run service whose identity and env to use')),
    region: Type.Optional(id(['location'], 'Region of the Cloud Run service')),
  },
  { additionalProperties: false },
);
export type CheckQuery = Static<typeof CheckQuery>;

export const LogsQuery = Type.Object(
  {
    project: Type.Optional(short('The project the service runs in')),
    runtime: Type.Optional(RuntimeSchema),
    principal: Type.Optional(short('Principal')),
    location: Type.Optional(short('Location')),
    model: Type.Optional(short('Model')),
    name: Type.Optional(
      Type.String({ maxLength: 300, description: 'The uploaded file name (for messages)' }),
    ),
  },
  { additionalProperties: false },
);
export type LogsQuery = Static<typeof LogsQuery>;

export const ErrorReply = Type.Object(
  {
    error: Type.Object({
      status: Type.Integer(),
      code: Type.String({ description: 'Stable machine-readable code, e.g. BODY_TOO_LARGE' }),
      message: Type.String(),
    }),
  },
  { description: 'Every error answer' },
);

/** Answers carry the core's own model (Diagnosis, Plan...), documented by name, passed through whole. */
export const anyObject = (description: string) =>
  Type.Object({}, { additionalProperties: true, description });
