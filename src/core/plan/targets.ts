/**
 * Where a fix must land: which project, which member, which workload, which location and model.
 * Read from the diagnosis (facts + context + the ranking of findings), never guessed: anything
 * not in the evidence becomes a named variable (see ./variables.ts).
 */
import { modelInfo, servedAt } from '../data/models.js';
import type { Diagnosis, Runtime, Value } from '../model.js';
import { isTenantProject, projectPlaceholder } from '../parse/resource.js';
import type { CauseId } from '../taxonomy.js';
import { shellRef, type Variables } from './variables.js';

/** Why the plan targets the project it targets: a typed record for the report. */
export type ProjectChoice =
  | 'intended-project' // project.mismatch: the call should have gone to the context project
  | 'resource-project' // cross-project or no context: the project the call really targets
  | 'context-project' // only the context names a project
  | 'unknown'; // neither: a PROJECT_ID variable

export interface Targets {
  /** Where grants, custom roles and service accounts go. */
  project: Value;
  projectChoice: ProjectChoice;
  /** Project the failing request named (error text). */
  calledProject?: string;
  /**
   * The called project when a fix may use it: not a placeholder, a redaction or a Google tenant
   * project (`...-tp`), where nothing the user does can help.
   */
  resourceProject?: string;
  /** Project the user meant / runs in (context). */
  intendedProject?: string;
  /** The call went to a different project than meant, and the config must change. */
  fixConfigProject: boolean;
  /** The member to grant to (`serviceAccount:...`, `user:...`) or a MEMBER variable. */
  member: Value;
  /** The principal as given (context, else a non-agent principal the error names). */
  principal?: string;
  /** Member of the identity that acts as / impersonates the principal (context.actor). */
  actor?: string;
  memberIsDefaultComputeAccount: boolean;
  runtime?: Runtime;
  /** Workload name (Cloud Run service), from context.service when it is not an API name. */
  workload?: string;
  /** Region of the Cloud Run workload, from context.region. */
  region?: string;
  location?: string;
  model?: string;
  /** Gemini Developer API (API key / generativelanguage) rather than Vertex AI. */
  geminiApi: boolean;
}

const DEFAULT_COMPUTE = /^\d+-compute@developer\.gserviceaccount\.com$/;

/** A project a plan may target: not a placeholder, a redaction or a Google tenant project. */
export function usableProject(project: string): boolean {
  return !projectPlaceholder(project) && !isTenantProject(project);
}

/** `serviceAccount:x`, `user:x`, `group:x`, `principal://...` kept; bare emails get a prefix. */
export function toMember(principal: string): string {
  const p = principal.trim();
  if (/^(serviceAccount|user|group|domain|principal|principalSet|deleted:[a-z]+):/.test(p)) return p;
  if (/^principal(Set)?:\/\//.test(p)) return p;
  if (/\.gserviceaccount\.com$/.test(p)) return `serviceAccount:${p}`;
  return `user:${p}`;
}

export function isServiceAgentPrincipal(principal: string): boolean {
  return /@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com$|@cloudservices\.gserviceaccount\.com$/.test(
    principal,
  );
}

function rank(diagnosis: Diagnosis, cause: CauseId): number {
  const i = diagnosis.findings.findIndex((f) => f.cause === cause);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

function workloadName(diagnosis: Diagnosis): string | undefined {
  const s = diagnosis.context.service?.trim();
  return s && !/\.googleapis\.com$/.test(s) ? s : undefined;
}

export function resolveTargets(diagnosis: Diagnosis, vars: Variables): Targets {
  const { facts, context } = diagnosis;
  const calledProject = facts.project;
  const resourceProject = calledProject && usableProject(calledProject) ? calledProject : undefined;
  const intendedProject = context.project;
  const mismatchRank = rank(diagnosis, 'project.mismatch');
  const crossRank = rank(diagnosis, 'iam.cross_project');
  const invalidRank = rank(diagnosis, 'project.invalid');

  let project: Value;
  let projectChoice: ProjectChoice;
  let fixConfigProject = false;
  // The ranking decides between the two readings of "the error names another project": the
  // caller meant its own project (fix the config, grant there) or really targets the other one.
  const configRank = Math.min(mismatchRank, invalidRank);
  const configFinding = diagnosis.findings[configRank];
  // A wrong-project finding moves the plan when it is the top cause, or a confident runner-up
  // (the seed: mismatch and missing permission together); a faint one does not.
  const configCounts = configRank === 0 || (configFinding !== undefined && configFinding.confidence >= 0.5);
  if (configCounts && configRank < crossRank) {
    fixConfigProject = true;
    projectChoice = intendedProject ? 'intended-project' : 'unknown';
    project =
      intendedProject ??
      vars.use(
        'PROJECT_ID',
        'The project the workload should call Gemini in (its own project, not the one in the error)',
        'gcloud config get-value project',
      );
  } else if (resourceProject) {
    project = resourceProject;
    projectChoice = 'resource-project';
  } else if (intendedProject) {
    project = intendedProject;
    projectChoice = 'context-project';
  } else {
    projectChoice = 'unknown';
    project = vars.use(
      'PROJECT_ID',
      'The project that makes the Gemini call',
      'gcloud config get-value project',
    );
  }

  const runtime = context.runtime;
  const workload = workloadName(diagnosis);
  const region = context.region?.trim() || undefined;
  const principal =
    context.principal ??
    (facts.principal && !isServiceAgentPrincipal(facts.principal) ? facts.principal : undefined);

  const member: Value = principal
    ? toMember(principal)
    : memberVariable(runtime, { project, workload, region }, vars);
  const memberIsDefaultComputeAccount =
    typeof member === 'string' && DEFAULT_COMPUTE.test(member.replace(/^[a-zA-Z]+:/, ''));

  const geminiApi =
    facts.service === 'generativelanguage.googleapis.com' || facts.apiKey?.sentTo === 'gemini-api';
  const location = facts.location ?? context.location;
  const model = facts.model ?? context.model;
  return {
    project,
    projectChoice,
    fixConfigProject,
    member,
    memberIsDefaultComputeAccount,
    geminiApi,
    ...(calledProject ? { calledProject } : {}),
    ...(resourceProject ? { resourceProject } : {}),
    ...(intendedProject ? { intendedProject } : {}),
    ...(principal ? { principal } : {}),
    ...(context.actor ? { actor: toMember(context.actor) } : {}),
    ...(runtime ? { runtime } : {}),
    ...(workload ? { workload } : {}),
    ...(region ? { region } : {}),
    ...(location ? { location } : {}),
    ...(model ? { model } : {}),
  };
}

const SA_EMAIL = /^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9.-]+\.gserviceaccount\.com$/;

/**
 * The service account an act-as / token error is about, from the evidence: the error's resource
 * (`projects/-/serviceAccounts/EMAIL`, the email often percent-encoded) or the request URL
 * (`...serviceAccounts/EMAIL:generateAccessToken`), of any error in the input. Only a plain
 * service account email counts, so nothing else reaches a command.
 */
export function serviceAccountInEvidence(diagnosis: Diagnosis): string | undefined {
  const { facts } = diagnosis;
  for (const e of [facts, ...facts.errors]) {
    for (const text of [e.resource, e.url]) {
      const m = text && /serviceAccounts\/([^/:?\s"']+)/.exec(text);
      if (!m?.[1]) continue;
      let email: string;
      try {
        email = decodeURIComponent(m[1]).toLowerCase();
      } catch {
        continue;
      }
      if (SA_EMAIL.test(email)) return email;
    }
  }
  return undefined;
}

/** The project that owns a user-managed service account (`NAME@PROJECT.iam.gserviceaccount.com`). */
export function serviceAccountProject(email: string): string | undefined {
  return /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
}

/** The Cloud Run service and its region: known from context or named variables. */
export function cloudRunService(
  target: { project: Value; workload?: string | undefined; region?: string | undefined },
  vars: Variables,
): { service: Value; region: Value } {
  const project = shellRef(target.project);
  const service =
    target.workload ??
    vars.use(
      'SERVICE',
      `Name of the Cloud Run service that calls Gemini (list them: gcloud run services list --project ${project})`,
    );
  const region =
    target.region ??
    vars.use(
      'REGION',
      'Region of the Cloud Run service',
      `gcloud run services list --project ${project} --filter "metadata.name=${shellRef(service)}" --format 'value(region)' --limit 1`,
    );
  return { service, region };
}

/** MEMBER for the identity that calls (see memberVariable), from resolved targets. */
export function callerMemberVariable(t: Targets, vars: Variables): Value {
  return memberVariable(t.runtime, { project: t.project, workload: t.workload, region: t.region }, vars);
}

/**
 * MEMBER for an unknown caller: discovered from the runtime where a command can tell (Cloud Run
 * service identity, falling back to the default compute account when none is set; the gcloud
 * account for local runs), otherwise a variable the user must set.
 */
function memberVariable(
  runtime: Runtime | undefined,
  workload: { project: Value; workload: string | undefined; region: string | undefined },
  vars: Variables,
): Value {
  const { project } = workload;
  const p = shellRef(project);
  if (runtime === 'cloud-run') {
    const { service, region } = cloudRunService(workload, vars);
    // An empty serviceAccountName means the service runs as the default compute account.
    vars.use(
      'SERVICE_ACCOUNT',
      'Email of the service account the Cloud Run service runs as',
      `sa=$(gcloud run services describe ${shellRef(service)} --region ${shellRef(region)} --project ${p} --format 'value(spec.template.spec.serviceAccountName)'); echo "\${sa:-$(gcloud projects describe ${p} --format 'value(projectNumber)')-compute@developer.gserviceaccount.com}"`,
    );
    return vars.use(
      'MEMBER',
      'IAM member of the identity that calls Gemini',
      `echo "serviceAccount:\${SERVICE_ACCOUNT}"`,
    );
  }
  if (runtime === 'local' || runtime === 'colab') {
    vars.use(
      'ACCOUNT',
      'The Google account your local credentials (ADC) belong to',
      'gcloud config get-value account',
    );
    return vars.use('MEMBER', 'IAM member of the identity that calls Gemini', `echo "user:\${ACCOUNT}"`);
  }
  const where =
    runtime === 'gce' || runtime === 'gke' || runtime === 'cloud-functions' || runtime === 'vertex-workbench'
      ? ` On the ${runtime} workload itself: curl -s -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/email`
      : ' (the audit log names it: protoPayload.authenticationInfo.principalEmail)';
  return vars.use(
    'MEMBER',
    `IAM member of the identity that calls Gemini, e.g. serviceAccount:NAME@PROJECT.iam.gserviceaccount.com.${where}`,
  );
}

/** Location and model advice from the models table: where the model is served, what replaces it. */
export interface ModelAdvice {
  location?: string;
  model?: string;
  why: string;
}

export function modelAdvice(
  model: string | undefined,
  location: string | undefined,
): ModelAdvice | undefined {
  if (!model) return undefined;
  const info = modelInfo(model);
  if (!info) return undefined;
  if (info.status === 'retired') {
    const served = servedAt(model, location ?? 'global');
    return info.replacement ? { model: info.replacement, why: served.why } : { why: served.why };
  }
  if (location) {
    const served = servedAt(model, location);
    if (served.verdict === 'served') return { why: served.why };
    const where = served.servedAt ?? info.vertexLocations;
    const next = where.includes('global') ? 'global' : where[0];
    if (next) return { location: next, why: served.why };
    return info.replacement ? { model: info.replacement, why: served.why } : { why: served.why };
  }
  if (info.vertexLocations.length === 1 && info.vertexLocations[0] === 'global') {
    return { location: 'global', why: `\`${info.id}\` is served only at the \`global\` location.` };
  }
  return undefined;
}
