/**
 * The one model of a diagnosis that flows through every front end (CLI, library, HTTP API,
 * web console, image service, log reader, live doctor). Pure data: no I/O, no classes, so a
 * record can be serialised to JSON and read back unchanged.
 */
import type { RoleStage } from './iam.js';
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
  /** Phrases the parser recognised that carry meaning beyond the fields (see `SignalId`). */
  signals?: Signal[];
  spans?: Partial<Record<FactName, Span>>;
}

/**
 * A recognised phrase or marker in the error text, e.g. `(or it may not exist)` or
 * `User location is not supported`. Rules read these instead of re-scanning the text.
 */
export type SignalId =
  | 'may_not_exist'
  | 'model_not_found'
  | 'publisher_model_not_allowed'
  | 'api_keys_not_supported'
  | 'api_key_invalid'
  | 'api_key_expired'
  | 'api_blocked'
  | 'service_not_used'
  | 'billing_disabled'
  | 'end_user_credentials_unsupported'
  | 'quota_project_required'
  | 'permission_denied_on_project'
  | 'project_not_found'
  | 'user_location_unsupported'
  | 'invalid_credentials'
  | 'insufficient_scopes'
  | 'credentials_missing'
  | 'project_id_undetected'
  | 'refresh_error'
  | 'invalid_grant'
  | 'reauth_needed'
  | 'token_expired'
  | 'quota_exceeded'
  | 'resource_exhausted'
  | 'try_again_later'
  | 'out_of_capacity'
  | 'no_free_tier'
  | 'vpc_sc'
  | 'org_policy'
  | 'deny_policy'
  | 'caller_lacks_permission'
  | 'service_agent_named'
  /** The message's subject, the one lacking access, is a Google-managed service agent. */
  | 'service_agent_denied'
  /** The text names the Compute Engine default service account without its e-mail. */
  | 'default_compute_named'
  | 'grant_role_hint'
  /** A resource is read back right after it was created (Terraform's "after creation"). */
  | 'read_after_create'
  /** A service used a customer-managed KMS key on the caller's behalf (CMEK). */
  | 'cmek_key_use'
  /** The text is about impersonated credentials. */
  | 'impersonation'
  /** Wording only the Gemini Developer API uses. */
  | 'gemini_api_wording'
  /** An OAuth 2.0 token endpoint error code (invalid_scope, invalid_client...). */
  | 'oauth_error'
  /** An exception class is named (`FooError`, `BarException`). */
  | 'exception_named'
  /** A failure stated in words (denied, not found, disabled, exceeded...). */
  | 'failure_stated'
  /** A spending cap / budget set on the project or key was reached. */
  | 'spending_cap'
  /** The consumer named by the message is an API key (`Consumer 'api_key:...'`). */
  | 'api_key_consumer';

export interface Signal {
  id: SignalId;
  span?: Span;
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
  'spans' | 'shapes' | 'quota' | 'apiKey' | 'helpLinks' | 'violations' | 'signals'
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
  /** Region of the Cloud Run service (`service`), when known (the live check reads it). */
  region?: string;
  /**
   * The identity that acts as / impersonates `principal` (a workload running as its own account
   * that mints tokens for `principal`, or the operator of `--impersonate`). An `iam.act_as` fix
   * grants to it, on the `principal` service account.
   */
  actor?: string;
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

/**
 * A plan value is either known or refers to a named variable (`{ var: 'SERVICE_ACCOUNT' }`).
 * A known string may embed `${NAME}` references to plan variables where only part of it is
 * unknown (`serviceAccount:sa@${PROJECT_ID}.iam.gserviceaccount.com`); renderers translate them.
 */
export type Value = string | { var: string };

export type Step =
  | { kind: 'grant_role'; project: Value; member: Value; role: string; condition?: IamCondition; why: string }
  /**
   * A role on one service account (its own IAM policy), not on the project: who may act as /
   * mint tokens for it. `project` owns the account.
   */
  | {
      kind: 'grant_role_on_service_account';
      project: Value;
      serviceAccount: Value;
      member: Value;
      role: string;
      why: string;
    }
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
  /**
   * Takes one member's unconditional binding of a role off a project's policy: a broad grant
   * (roles/editor) once a narrower one is in place.
   */
  | { kind: 'revoke_role'; project: Value; member: Value; role: string; why: string }
  /**
   * Restricts an existing API key (API Keys v2 Key.restrictions): to these APIs, and to where it may
   * be used from (HTTP referrers or server IP addresses, as a comma-separated list).
   */
  | {
      kind: 'restrict_api_key';
      project: Value;
      /** The key's id (the last segment of projects/N/locations/global/keys/ID). */
      key: Value;
      displayName?: string;
      apiTargets: string[];
      application?: { kind: 'referrers' | 'ips'; values: Value };
      why: string;
    }
  | { kind: 'enable_api'; project: Value; service: string; why: string }
  | { kind: 'enable_billing'; project: Value; why: string }
  | {
      kind: 'set_config';
      key: string;
      value: Value;
      where: string;
      why: string;
      /** Shell command that applies the setting, where one exists (e.g. gcloud run services update). */
      command?: string;
    }
  | { kind: 'request_quota'; project: Value; metric?: string; why: string }
  | { kind: 'wait_propagation'; seconds: number; why: string }
  | {
      kind: 'manual';
      title: string;
      instructions: string;
      why: string;
      /** A runnable shell command for the step (plan variables as ${NAME}), where one exists. */
      command?: string;
    };

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
  /** Commands that undo this option's steps (filled by buildPlan). */
  rollback?: NextCheck[];
}

/**
 * A setup that works but is dangerous (what `scan` reports beside the taxonomy's failures). It has
 * no error code: nothing has failed yet.
 */
export type RiskClass =
  | 'risk.default_sa_editor'
  | 'risk.unrestricted_api_key'
  | 'risk.shared_identity'
  | 'risk.primitive_role';

/** What a plan fixes: a taxonomy cause, or a risky setup. */
export type PlanCause = CauseId | RiskClass;

/**
 * A fix. `Plan` (the default) fixes a taxonomy cause and carries its code; `Plan<RiskClass>` removes
 * a risky setup and has no code; `Plan<PlanCause>` is either, what the renderers take.
 */
export interface Plan<C extends PlanCause = CauseId> {
  schemaVersion: 1;
  cause: C;
  code: C extends CauseId ? ErrorCode : undefined;
  summary: string;
  options: PlanOption[];
  variables: Unknown[];
  /** Commands that prove the fix worked. */
  verify: NextCheck[];
  /** Commands that undo the recommended option (each option carries its own, too). */
  rollback: NextCheck[];
  notes: string[];
  /** Why each proposed role was chosen (the role index's record), one per set of permissions. */
  roleDecisions?: RoleDecision[];
}

// ---------------------------------------------------------------------------------------------
// Least-privilege role decisions (made by core/roles, carried by plans and reports).

/** Why a role that holds every wanted permission was still not proposed. */
export type RoleRejection = 'primitive' | 'service-agent' | 'not-ga' | 'deleted' | 'custom-role';

export interface RoleCandidate {
  role: string;
  title?: string;
  /** As the catalog says; the IAM API omits the field for ALPHA (the enum's zero value). */
  stage: RoleStage;
  permissionCount: number;
  /** The role belongs to the service of every wanted permission (roles/aiplatform.* for aiplatform.*). */
  sameService: boolean;
}

export interface RejectedCandidate extends RoleCandidate {
  reason: RoleRejection;
  detail: string;
}

/** The typed record of one least-privilege decision. */
export interface RoleDecision {
  /** The permissions asked for (deduplicated, sorted). */
  permissions: string[];
  outcome: 'chosen' | 'no-covering-role' | 'only-unsafe-roles';
  chosen?: RoleCandidate;
  /** Acceptable roles that cover everything, smallest first (the chosen one first). */
  accepted: RoleCandidate[];
  /** Roles that cover everything but must not be proposed, smallest first. */
  rejected: RejectedCandidate[];
  /** Permissions no role in the catalog grants (then only a custom role can help). */
  ungranted: string[];
  /** How many roles the catalog holds (tells the builtin catalog from a full one). */
  catalogSize: number;
}

export type OutputFormat = 'text' | 'md' | 'json';
