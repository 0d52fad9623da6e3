/**
 * The one model of a diagnosis that flows through every front end (CLI, library, HTTP API,
 * web console, image service, log reader, live doctor). Pure data: no I/O, no classes, so a
 * record can be serialised to JSON and read back unchanged.
 */
import type { CauseId, ErrorCode } from './taxonomy.js';

/** Half-open character range [start, end) into the input text a fact was read from. */
export interface Span {
  start: number;
  end: number;
}

/** gRPC / google.rpc canonical status names, as Google prints them. */
export type RpcStatus =
  | 'OK'
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

/** The shape an error arrived in; several may apply to one text (a Python exception around JSON). */
export type InputShape =
  | 'rest-json'
  | 'python-dict'
  | 'escaped-json'
  | 'grpc-text'
  | 'text-proto'
  | 'java-gax'
  | 'go-googleapi'
  | 'gcloud'
  | 'google-auth'
  | 'sdk-exception'
  | 'http-status-line'
  | 'plain-text';

export interface QuotaFacts {
  metric?: string;
  id?: string;
  limit?: string;
  value?: string;
  dimensions?: Record<string, string>;
  /** 'minute' | 'day' ... read off the metric / quota id / message, where it says. */
  window?: 'second' | 'minute' | 'hour' | 'day' | 'unknown';
  freeTier?: boolean;
}

export interface HelpLink {
  description?: string;
  url: string;
}

export interface Violation {
  /** PreconditionFailure / QuotaFailure / BadRequest / org-policy violation, as reported. */
  kind: 'precondition' | 'quota' | 'field' | 'org-policy';
  type?: string;
  subject?: string;
  field?: string;
  description?: string;
}

/**
 * What the text says about one error: every field optional, filled only from the text.
 * `spans` says where each scalar fact was read, so front ends can highlight the evidence.
 */
export interface ErrorFacts {
  http?: number;
  status?: RpcStatus;
  reason?: string;
  domain?: string;
  /** The API the error is about, e.g. aiplatform.googleapis.com. */
  service?: string;
  /** RPC method, e.g. google.cloud.aiplatform.v1.PredictionService.GenerateContent. */
  method?: string;
  message?: string;
  permission?: string;
  /** Full resource name as printed (//aiplatform.googleapis.com/projects/...) or relative. */
  resource?: string;
  /** Project id or number from the resource, consumer or message. */
  project?: string;
  projectIsNumber?: boolean;
  location?: string;
  publisher?: string;
  model?: string;
  endpoint?: string;
  /** The consumer, e.g. projects/123456. */
  consumer?: string;
  /** A principal named by the text (service agent, service account, user). */
  principal?: string;
  quota?: QuotaFacts;
  retryDelaySeconds?: number;
  vpcScId?: string;
  /** An org-policy constraint such as constraints/gcp.resourceLocations. */
  constraint?: string;
  apiKey?: ApiKeyHints;
  helpLinks?: HelpLink[];
  violations?: Violation[];
  localizedMessage?: string;
  /** Request URL seen in the text (credentials redacted). */
  url?: string;
  sdk?: string;
  language?: string;
  shapes?: InputShape[];
  spans?: Partial<Record<FactName, Span>>;
}

export interface ApiKeyHints {
  /** An API key was visibly used (?key=, x-goog-api-key, AIza..., an API-key error reason). */
  used?: boolean;
  /** Where the key went, if the text shows it. */
  sentTo?: 'vertex' | 'gemini-api' | 'other';
  /** API-key specific reason, e.g. API_KEY_HTTP_REFERRER_BLOCKED. */
  restriction?: string;
}

export type FactName = Exclude<
  keyof ErrorFacts,
  'spans' | 'shapes' | 'quota' | 'apiKey' | 'helpLinks' | 'violations'
>;

/** Facts for the whole input: the primary error merged with the others, and each error alone. */
export interface Facts extends ErrorFacts {
  errors: ErrorFacts[];
}

export type Runtime =
  | 'cloud-run'
  | 'gke'
  | 'gce'
  | 'cloud-functions'
  | 'local'
  | 'colab'
  | 'vertex-workbench'
  | 'other';

/** What the user knows and may pass (`--project` etc.); never read from the error text. */
export interface Context {
  /** The project the caller meant to use / runs in. */
  project?: string;
  principal?: string;
  runtime?: Runtime;
  location?: string;
  model?: string;
  service?: string;
  notes?: string;
}

export interface Evidence {
  /** The fact (or `context.x`) that speaks for the finding. */
  fact: string;
  value: string;
  span?: Span;
  note?: string;
}

/** Something a user or the live doctor can do to settle a finding. */
export interface NextCheck {
  description: string;
  command?: string;
  /** Id of a live probe that answers this check (see gcp/probes). */
  probe?: string;
}

export interface Finding {
  cause: CauseId;
  code: ErrorCode;
  title: string;
  /** In [0, 1]; findings are ranked by it. */
  confidence: number;
  summary: string;
  evidence: Evidence[];
  against: string[];
  nextChecks: NextCheck[];
}

export interface Diagnosis {
  schemaVersion: 1;
  facts: Facts;
  context: Context;
  /** Ranked, most likely first; never empty (`unknown` when nothing fits). */
  findings: Finding[];
  /** What the evidence does not tell and would change the answer. */
  unknowns: string[];
  /** Set when the input is empty or carries no error at all. */
  noError?: string;
}

// ---------------------------------------------------------------------------------------------
// Plans: least-privilege fixes as typed data first; renderers turn them into gcloud / Terraform /
// Console / Markdown.

/** A value the plan could not fill from facts or context: rendered as a named variable. */
export interface Unknown {
  name: string;
  description: string;
  /** Shell command that finds the value, if there is one. */
  discover?: string;
}

/** A plan value is either known or refers to a named variable (`{ var: 'SERVICE_ACCOUNT' }`). */
export type Value = string | { var: string };

export type Step =
  | { kind: 'grant_role'; project: Value; member: Value; role: string; condition?: IamCondition; why: string }
  | {
      kind: 'create_custom_role';
      project: Value;
      roleId: string;
      title: string;
      description: string;
      permissions: string[];
      why: string;
    }
  | { kind: 'create_service_account'; project: Value; accountId: string; displayName: string; why: string }
  | {
      kind: 'switch_workload_service_account';
      workload: 'cloud-run' | 'other';
      service: Value;
      region: Value;
      project: Value;
      serviceAccount: Value;
      why: string;
    }
  | { kind: 'enable_api'; project: Value; service: string; why: string }
  | { kind: 'enable_billing'; project: Value; why: string }
  | { kind: 'set_config'; key: string; value: Value; where: string; why: string }
  | { kind: 'request_quota'; project: Value; metric?: string; why: string }
  | { kind: 'wait_propagation'; seconds: number; why: string }
  | { kind: 'manual'; title: string; instructions: string; why: string };

export interface IamCondition {
  title: string;
  expression: string;
  description?: string;
}

export interface PlanOption {
  id: string;
  title: string;
  recommended: boolean;
  steps: Step[];
}

export interface Plan {
  schemaVersion: 1;
  cause: CauseId;
  code: ErrorCode;
  summary: string;
  options: PlanOption[];
  variables: Unknown[];
  /** Commands that prove the fix worked. */
  verify: NextCheck[];
  /** Commands that undo the recommended option. */
  rollback: NextCheck[];
  notes: string[];
}

export type OutputFormat = 'text' | 'md' | 'json';
