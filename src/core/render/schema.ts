/**
 * The versioned JSON output of `diagnose --format json`, `plan --format json`, the HTTP API
 * and the library's `render(..., 'json')`, as a TypeBox schema (JSON Schema draft-07 under
 * the hood). docs/json-schema.md documents it; a test validates real output against it.
 * Version 1 may gain optional fields; removing or renaming one means schemaVersion 2.
 */
import { type Static, Type as T } from '@sinclair/typebox';
import { CAUSE_IDS, ERROR_CODES } from '../taxonomy.js';

const Cause = T.Union(CAUSE_IDS.map((c) => T.Literal(c)));
const Code = T.Union(ERROR_CODES.map((c) => T.Literal(c)));
const Span = T.Object({ start: T.Integer({ minimum: 0 }), end: T.Integer({ minimum: 0 }) });

export const ValueSchema = T.Union(
  [T.String(), T.Object({ var: T.String() }, { additionalProperties: false })],
  {
    description: `A known value, or a reference to a plan variable. Strings may embed \${NAME} references.`,
  },
);

export const EvidenceSchema = T.Object({
  fact: T.String(),
  value: T.String(),
  span: T.Optional(Span),
  note: T.Optional(T.String()),
});

export const NextCheckSchema = T.Object({
  description: T.String(),
  command: T.Optional(T.String()),
  probe: T.Optional(T.String()),
});

export const FindingSchema = T.Object({
  cause: Cause,
  code: Code,
  title: T.String(),
  confidence: T.Number({ minimum: 0, maximum: 1 }),
  summary: T.String(),
  evidence: T.Array(EvidenceSchema),
  against: T.Array(T.String()),
  nextChecks: T.Array(NextCheckSchema),
});

/** The scalar facts every consumer may rely on; more optional facts may appear (open object). */
export const FactsSchema = T.Object(
  {
    http: T.Optional(T.Integer()),
    status: T.Optional(T.String()),
    reason: T.Optional(T.String()),
    domain: T.Optional(T.String()),
    service: T.Optional(T.String()),
    method: T.Optional(T.String()),
    message: T.Optional(T.String()),
    permission: T.Optional(T.String()),
    resource: T.Optional(T.String()),
    project: T.Optional(T.String()),
    projectIsNumber: T.Optional(T.Boolean()),
    location: T.Optional(T.String()),
    publisher: T.Optional(T.String()),
    model: T.Optional(T.String()),
    endpoint: T.Optional(T.String()),
    consumer: T.Optional(T.String()),
    principal: T.Optional(T.String()),
    errors: T.Array(T.Object({}, { additionalProperties: true })),
    spans: T.Optional(T.Record(T.String(), Span)),
  },
  { additionalProperties: true },
);

export const ContextSchema = T.Object(
  {
    project: T.Optional(T.String()),
    principal: T.Optional(T.String()),
    runtime: T.Optional(T.String()),
    location: T.Optional(T.String()),
    model: T.Optional(T.String()),
    service: T.Optional(T.String()),
    notes: T.Optional(T.String()),
    region: T.Optional(T.String({ description: 'Region of the Cloud Run service' })),
    actor: T.Optional(
      T.String({ description: 'The identity that acts as / impersonates the principal service account' }),
    ),
  },
  { additionalProperties: false },
);

const why = T.String({ description: 'Why this step is needed' });
export const StepSchema = T.Union([
  T.Object({
    kind: T.Literal('grant_role'),
    project: ValueSchema,
    member: ValueSchema,
    role: T.String(),
    condition: T.Optional(
      T.Object({ title: T.String(), expression: T.String(), description: T.Optional(T.String()) }),
    ),
    why,
  }),
  T.Object({
    kind: T.Literal('grant_role_on_service_account'),
    project: ValueSchema,
    serviceAccount: ValueSchema,
    member: ValueSchema,
    role: T.String(),
    why,
  }),
  T.Object({
    kind: T.Literal('create_custom_role'),
    project: ValueSchema,
    roleId: T.String({ pattern: '^[a-zA-Z0-9_.]{3,64}$' }),
    title: T.String(),
    description: T.String(),
    permissions: T.Array(T.String(), { minItems: 1 }),
    why,
  }),
  T.Object({
    kind: T.Literal('create_service_account'),
    project: ValueSchema,
    accountId: T.String({ pattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]$' }),
    displayName: T.String(),
    why,
  }),
  T.Object({
    kind: T.Literal('switch_workload_service_account'),
    workload: T.Union([T.Literal('cloud-run'), T.Literal('other')]),
    service: ValueSchema,
    region: ValueSchema,
    project: ValueSchema,
    serviceAccount: ValueSchema,
    why,
  }),
  T.Object({
    kind: T.Literal('revoke_role'),
    project: ValueSchema,
    member: ValueSchema,
    role: T.String(),
    why,
  }),
  T.Object({
    kind: T.Literal('restrict_api_key'),
    project: ValueSchema,
    key: ValueSchema,
    displayName: T.Optional(T.String()),
    apiTargets: T.Array(T.String(), { minItems: 1 }),
    application: T.Optional(
      T.Object({ kind: T.Union([T.Literal('referrers'), T.Literal('ips')]), values: ValueSchema }),
    ),
    why,
  }),
  T.Object({ kind: T.Literal('enable_api'), project: ValueSchema, service: T.String(), why }),
  T.Object({ kind: T.Literal('enable_billing'), project: ValueSchema, why }),
  T.Object({
    kind: T.Literal('set_config'),
    key: T.String(),
    value: ValueSchema,
    where: T.String(),
    why,
    command: T.Optional(T.String()),
  }),
  T.Object({ kind: T.Literal('request_quota'), project: ValueSchema, metric: T.Optional(T.String()), why }),
  T.Object({ kind: T.Literal('wait_propagation'), seconds: T.Integer({ minimum: 0 }), why }),
  T.Object({
    kind: T.Literal('manual'),
    title: T.String(),
    instructions: T.String(),
    why,
    command: T.Optional(T.String()),
  }),
]);

const RoleCandidateSchema = T.Object({
  role: T.String(),
  title: T.Optional(T.String()),
  stage: T.String(),
  permissionCount: T.Integer({ minimum: 0 }),
  sameService: T.Boolean(),
});

export const RoleDecisionSchema = T.Object({
  permissions: T.Array(T.String()),
  outcome: T.Union([T.Literal('chosen'), T.Literal('no-covering-role'), T.Literal('only-unsafe-roles')]),
  chosen: T.Optional(RoleCandidateSchema),
  accepted: T.Array(RoleCandidateSchema),
  rejected: T.Array(
    T.Intersect([
      RoleCandidateSchema,
      T.Object({
        reason: T.Union(
          ['primitive', 'service-agent', 'not-ga', 'deleted', 'custom-role'].map((r) => T.Literal(r)),
        ),
        detail: T.String(),
      }),
    ]),
  ),
  ungranted: T.Array(T.String()),
  catalogSize: T.Integer({ minimum: 0 }),
});

export const PlanSchema = T.Object({
  schemaVersion: T.Literal(1),
  cause: Cause,
  code: Code,
  summary: T.String(),
  /** The recommended option's steps, flattened for consumers that want one list. */
  steps: T.Array(StepSchema),
  options: T.Array(
    T.Object({
      id: T.String(),
      title: T.String(),
      recommended: T.Boolean(),
      steps: T.Array(StepSchema),
      rollback: T.Optional(T.Array(NextCheckSchema)),
    }),
  ),
  variables: T.Array(
    T.Object({
      name: T.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
      description: T.String(),
      discover: T.Optional(T.String()),
    }),
  ),
  verify: T.Array(NextCheckSchema),
  rollback: T.Array(NextCheckSchema),
  notes: T.Array(T.String()),
  roleDecisions: T.Optional(T.Array(RoleDecisionSchema)),
});

/**
 * A plan that removes a risky setup (`scan`'s risk.* findings): the same document with a risk
 * class as its cause and no code (nothing has failed). Kept apart so that a cause plan's `code`
 * stays required.
 */
export const RiskPlanSchema = T.Composite([
  T.Omit(PlanSchema, ['cause', 'code']),
  T.Object({
    cause: T.Union(
      [
        'risk.default_sa_editor',
        'risk.unrestricted_api_key',
        'risk.shared_identity',
        'risk.primitive_role',
      ].map((c) => T.Literal(c)),
    ),
  }),
]);

export const ReportSchema = T.Object(
  {
    schemaVersion: T.Literal(1),
    generator: T.Literal('genai-doctor'),
    noError: T.Optional(T.String()),
    findings: T.Array(FindingSchema, { minItems: 1 }),
    facts: FactsSchema,
    context: ContextSchema,
    unknowns: T.Array(T.String()),
    plan: T.Union([PlanSchema, T.Null()]),
    catalog: T.Object({ code: Code, title: T.String(), tldr: T.String(), page: T.String() }),
  },
  { $id: 'https://genai-doctor.dev/schema/report-v1.json', title: 'genai-doctor report, schema version 1' },
);

export type JsonReport = Static<typeof ReportSchema>;
export type JsonPlan = Static<typeof PlanSchema>;
