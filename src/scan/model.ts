/**
 * What `scan` knows and reports. A will-fail finding carries the same Finding, Diagnosis-derived
 * cause and code, and Plan that `check` produces for one workload; a risky finding (the call works,
 * but the setup is dangerous) has a `risk.*` class and a Plan that removes the risk (core/plan/risk),
 * rendered by the same renderers.
 */
import type { Evidence, Finding, Plan, PlanCause, RiskClass } from '../core/model.js';
import type { CauseId, ErrorCode } from '../core/taxonomy.js';
import type { WorkloadKind } from './recognise.js';

export type { RiskClass };

export const RISK_TITLES: Record<RiskClass, string> = {
  'risk.default_sa_editor': 'Default compute service account holds roles/editor',
  'risk.unrestricted_api_key': 'API key without API or application restrictions',
  'risk.shared_identity': 'One service account runs many services',
  'risk.primitive_role': 'Primitive role where roles/aiplatform.user would do',
};

export type FindingClass = CauseId | RiskClass;

/** A workload recognised as a Gemini / Vertex AI caller, and how. */
export interface Workload {
  /** Full resource name, e.g. //run.googleapis.com/projects/p/locations/r/services/s. */
  name: string;
  kind: WorkloadKind;
  service: string;
  region: string;
  hostProject: string;
  hostProjectNumber: string;
  identity: string;
  /** `service agent`: a Vertex AI-managed identity (reasoning engines, endpoints) when none is set. */
  identitySource: 'service account' | 'default compute account' | 'service agent';
  api: 'vertex' | 'gemini';
  /** The project the call names (env), else the hosting project (what client libraries fall back to). */
  targetProject: string;
  /** Which env var named the target, if any. */
  targetVar?: string;
  location: string;
  model: string;
  /** Env vars that made it a Gemini caller and the identity it runs as: "how it was recognised". */
  recognisedBy: string[];
  /** The project-naming env vars and their values (never any other env value: those may be secrets). */
  projectVars: Record<string, string>;
}

export interface ScanFinding {
  /** `class|subject`: stable across runs, and what precision / recall are counted on. */
  id: string;
  severity: 'will-fail' | 'risky';
  class: FindingClass;
  /** Taxonomy code for will-fail findings. */
  code?: ErrorCode;
  title: string;
  summary: string;
  /** What the finding is about: a workload, project, key or identity. */
  subject: string;
  project: string;
  owner: string;
  workload?: Workload;
  evidence: Evidence[];
  confidence: number;
  /** How many workloads it touches (ranking). */
  impact: number;
  /** The diagnosis's top finding (the same model `diagnose` and `check` print). */
  finding?: Finding;
  /** The fix: a cause's plan (will fail) or a risk's plan (risky); every finding has one. */
  plan: Plan<PlanCause>;
  /** What Cloud Monitoring says about the calls (`--usage`), when it was asked and could answer. */
  usage?: UsageEvidence;
}

/** Requests a project consumed, per API, over the last `days` (Cloud Monitoring, `--usage`). */
export interface UsageEvidence {
  project: string;
  days: number;
  /** API -> requests counted (0: none seen). */
  requests: Record<string, number>;
  /** Whether the API this finding is about was called at all. */
  confirmed: boolean;
  /** The sentence the reports print. */
  text: string;
}

export interface ScopeStatus {
  scope: string;
  status: 'ok' | 'denied' | 'error';
  message?: string;
}

export interface ScanCounts {
  projects: number;
  workloads: number;
  genaiWorkloads: number;
  apiCalls: number;
  retries: number;
  /** `--usage`: projects asked (one timeSeries.list each, plus pages) and the calls it took. */
  usageProjects?: number;
  usageCalls?: number;
}

export interface ScanResult {
  schemaVersion: 1;
  scannedAt: string;
  scopes: ScopeStatus[];
  counts: ScanCounts;
  findings: ScanFinding[];
  /** What the scan could not settle (targets outside the scopes, checks it could not run). */
  unknowns: string[];
  wallMs: number;
}
