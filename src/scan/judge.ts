/**
 * Inventory -> findings. A workload that will fail is judged the way `check` judges one: the
 * first state that breaks the call, in the order Google checks a request (API, billing, IAM),
 * becomes the error body Google returns for it, and that text goes through `diagnose` and the
 * plan builder (live/findings.ts), so cause, code and plan are the ones `check` gives. Risky
 * setups (the call works) get a `risk.*` class and the plan that removes the risk (core/plan/risk).
 */
import type { Evidence } from '../core/model.js';
import { buildPlan } from '../core/plan/index.js';
import { buildRiskPlan, type RiskInput, type RiskWorkload } from '../core/plan/risk.js';
import type { RoleIndex } from '../core/roles/index.js';
import { liveDiagnosis } from '../live/findings.js';
import type { ProbeResult } from '../live/probes.js';
import type { ProjectSourceName, Target } from '../live/session.js';
import { type Inventory, PREDICT, VERTEX_API } from './inventory.js';
import { RISK_TITLES, type RiskClass, type ScanFinding, type Workload } from './model.js';
import { isDefaultCompute } from './recognise.js';

/** A user-managed account running at least this many services is "shared by many services". */
export const SHARED_IDENTITY_MIN = 5;

const memberOf = (email: string) => `serviceAccount:${email}`;
const APP_RESTRICTIONS = 'application (referrer / IP / app) restrictions';

export function ownerOf(inv: Inventory, projectIdOrNumber: string): string {
  const n = inv.idToNumber.get(projectIdOrNumber) ?? projectIdOrNumber;
  const p = inv.projects.get(n);
  return p?.labels?.owner ?? p?.owners[0] ?? '(no owner)';
}

const RUNTIMES: Record<Workload['kind'], Target['runtime']> = {
  'cloud-run': 'cloud-run',
  'cloud-function': 'cloud-functions',
  'reasoning-engine': 'other',
  'vertex-endpoint': 'other',
  'gke-cluster': 'gke',
  'compute-instance': 'gce',
};

/** The workload as `check --cloud-run` would see it (other kinds: the same, without the Cloud Run block). */
export function targetOf(w: Workload): Target {
  const run = w.kind === 'cloud-run';
  const hostSource: ProjectSourceName = run ? 'Cloud Run service project' : 'workload hosting project';
  const envSource = (v: string) => (run ? `Cloud Run env ${v}` : `workload env ${v}`) as ProjectSourceName;
  const sources: Target['sources'] = [{ source: hostSource, value: w.hostProject }];
  for (const [v, value] of Object.entries(w.projectVars)) sources.push({ source: envSource(v), value });
  const decides = w.targetVar ? envSource(w.targetVar) : undefined;
  return {
    project: w.hostProject,
    callProject: w.targetProject,
    location: w.location,
    model: w.model,
    principal: w.identity,
    principalSource: !run
      ? 'workload runtime identity'
      : w.identitySource === 'default compute account'
        ? 'Cloud Run default compute account'
        : 'Cloud Run service account',
    runtime: RUNTIMES[w.kind],
    ...(run
      ? {
          cloudRun: {
            service: w.service,
            region: w.region,
            name: `projects/${w.hostProject}/locations/${w.region}/services/${w.service}`,
            ...(w.identitySource === 'service account' ? { serviceAccount: w.identity } : {}),
            env: { ...w.projectVars },
          },
        }
      : {}),
    sources,
    disagreements: sources
      .filter((s) => s.value !== w.hostProject)
      .map((s) => ({
        source: s.source,
        value: s.value,
        intended: w.hostProject,
        decidesCall: s.source === decides,
      })),
  };
}

type Verdict =
  | { probe: 'api' | 'billing' | 'permissions'; summary: string; evidence: Evidence[] }
  | 'ok'
  | 'unknown';

/** The first thing that breaks this workload's call, as Google would judge it. */
function judgeWorkload(inv: Inventory, w: Workload): Verdict {
  const target = w.targetProject;
  const n = inv.idToNumber.get(target);
  const confirmedApi = inv.apiState.get(target)?.get(VERTEX_API);
  const listedEnabled = n !== undefined && inv.enabled.get(n)?.has(VERTEX_API) === true;
  if (!listedEnabled && confirmedApi === undefined) return 'unknown';
  if (!listedEnabled && confirmedApi !== 'ENABLED') {
    return {
      probe: 'api',
      summary: `${VERTEX_API} is ${confirmedApi ?? 'not enabled'} in ${target}`,
      evidence: [{ fact: 'Service Usage batchGet', value: `${target}: ${VERTEX_API} ${confirmedApi}` }],
    };
  }
  if (inv.billingOn && !inv.billingOn.has(target) && inv.billingState.get(target) === false) {
    return {
      probe: 'billing',
      summary: `billing is disabled on ${target}`,
      evidence: [{ fact: 'Cloud Billing billingInfo', value: `${target}: billingEnabled false` }],
    };
  }
  const project = n ? inv.projects.get(n) : undefined;
  if (!n || !project || !inv.analysed.has(project.scope)) return 'unknown';
  if (!inv.predict.get(n)?.has(memberOf(w.identity))) {
    return {
      probe: 'permissions',
      summary: `${w.identity} does not hold ${PREDICT} on ${target}`,
      evidence: [
        {
          fact: 'Policy Analyzer',
          value: `no binding grants ${PREDICT} on projects/${n} (${target}) to ${memberOf(w.identity)}`,
          note: 'analyzeIamPolicy with expandResources and expandGroups, inherited grants included',
        },
      ],
    };
  }
  return 'ok';
}

const PROBE_TITLES = { api: 'Vertex AI API', billing: 'Billing', permissions: 'Permissions' } as const;

function willFail(inv: Inventory, w: Workload, roles: RoleIndex | undefined): ScanFinding | undefined {
  const v = judgeWorkload(inv, w);
  if (v === 'ok') return undefined;
  if (v === 'unknown') {
    inv.unknowns.push(
      `${w.name}: could not judge its calls to ${w.targetProject} (outside the scanned scopes or unreadable)`,
    );
    return undefined;
  }
  const probe: ProbeResult = {
    id: v.probe,
    title: PROBE_TITLES[v.probe],
    status: 'problem',
    summary: v.summary,
    ms: 0,
  };
  const { diagnosis } = liveDiagnosis(targetOf(w), [probe], inv.idToNumber.get(w.targetProject));
  const top = diagnosis.findings[0];
  if (!top) return undefined;
  top.evidence.push(...v.evidence, ...w.recognisedBy.map((r) => ({ fact: 'recognised by', value: r })));
  const plan = buildPlan(diagnosis, roles ? { roles } : {});
  return {
    id: `${top.cause}|${w.name}`,
    severity: 'will-fail',
    class: top.cause,
    code: top.code,
    title: top.title,
    summary: top.summary,
    subject: w.name,
    project: w.hostProject,
    owner: ownerOf(inv, w.hostProject),
    workload: w,
    evidence: top.evidence,
    confidence: top.confidence,
    impact: 1,
    finding: top,
    plan,
  };
}

/** The workload as a risk plan sees it. */
function riskWorkload(w: Workload): RiskWorkload {
  return {
    kind: w.kind,
    name: w.service,
    region: w.region,
    project: w.hostProject,
    targetProject: w.targetProject,
    location: w.location,
    model: w.model,
  };
}

interface RiskFacts {
  subject: string;
  project: string;
  summary: string;
  evidence: Evidence[];
  impact: number;
  workload?: Workload;
}

/** One risky finding: its facts, and the plan built from the same facts (one piece of code per rule). */
function risk(inv: Inventory, input: RiskInput, f: RiskFacts, roles: RoleIndex | undefined): ScanFinding {
  const cls: RiskClass = input.risk;
  return {
    id: `${cls}|${f.subject}`,
    severity: 'risky',
    class: cls,
    title: RISK_TITLES[cls],
    summary: f.summary,
    subject: f.subject,
    project: f.project,
    owner: ownerOf(inv, f.project),
    ...(f.workload ? { workload: f.workload } : {}),
    evidence: f.evidence,
    confidence: 1,
    impact: f.impact,
    plan: buildRiskPlan(input, roles ? { roles } : {}),
  };
}

function risks(inv: Inventory, roles: RoleIndex | undefined): ScanFinding[] {
  const out: ScanFinding[] = [];
  const projectId = (n: string) => inv.projects.get(n)?.id || n;
  for (const [key, role] of inv.primitive) {
    const [n, member] = key.split('|') as [string, string];
    const email = member.replace(/^serviceAccount:/, '');
    if (role !== 'roles/editor' || !isDefaultCompute(email) || !email.startsWith(`${n}-`)) continue;
    const id = projectId(n);
    const callers = inv.workloads.filter((w) => w.identity === email);
    out.push(
      risk(
        inv,
        { risk: 'risk.default_sa_editor', project: id, account: email, workloads: callers.map(riskWorkload) },
        {
          subject: id,
          project: id,
          summary: `${email} holds roles/editor on ${id}: every workload that runs as the default account can change almost anything in the project.`,
          evidence: [{ fact: 'searchAllIamPolicies', value: `projects/${n}: roles/editor -> ${member}` }],
          impact: callers.length || 1,
        },
        roles,
      ),
    );
  }
  for (const k of inv.keys) {
    const r = k.restrictions ?? {};
    const missing: string[] = [];
    if (!r.apiTargets?.length) missing.push('API restrictions');
    if (
      !r.browserKeyRestrictions &&
      !r.serverKeyRestrictions &&
      !r.androidKeyRestrictions &&
      !r.iosKeyRestrictions
    )
      missing.push(APP_RESTRICTIONS);
    if (!missing.length) continue;
    const id = projectId(k.projectNumber);
    const uid = k.name.split('/').pop() as string;
    out.push(
      risk(
        inv,
        {
          risk: 'risk.unrestricted_api_key',
          project: id,
          keyId: uid,
          ...(k.displayName ? { displayName: k.displayName } : {}),
          apiTargets: (r.apiTargets ?? []).map((t) => t.service ?? '').filter(Boolean),
          applicationRestricted: !missing.includes(APP_RESTRICTIONS),
        },
        {
          subject: k.name,
          project: id,
          summary: `API key "${k.displayName ?? uid}" in ${id} has no ${missing.join(' and no ')}: anyone who finds it can spend the project's quota on any API it has enabled.`,
          evidence: [
            { fact: 'API Keys v2 keys.list', value: `${k.name}: restrictions ${JSON.stringify(r)}` },
          ],
          impact: 1,
        },
        roles,
      ),
    );
  }
  const genaiIdentities = new Map<string, Workload>();
  for (const w of inv.workloads)
    if (w.identitySource === 'service account') genaiIdentities.set(w.identity, w);
  for (const [email, w] of genaiIdentities) {
    const count = inv.identityServices.get(email) ?? 0;
    if (count < SHARED_IDENTITY_MIN) continue;
    out.push(
      risk(
        inv,
        { risk: 'risk.shared_identity', identity: email, services: count, workload: riskWorkload(w) },
        {
          subject: email,
          project: w.hostProject,
          summary: `${email} runs ${count} services, ${w.service} among them: each holds every role any of them needs, and a leak in one is a leak in all.`,
          evidence: [
            {
              fact: 'searchAllResources run.googleapis.com/Service',
              value: `${count} services run as ${email}`,
            },
          ],
          impact: count,
          workload: w,
        },
        roles,
      ),
    );
  }
  const seen = new Set<string>();
  for (const w of inv.workloads) {
    if (w.identitySource !== 'service account') continue;
    const n = inv.idToNumber.get(w.targetProject);
    const role = n ? inv.primitive.get(`${n}|${memberOf(w.identity)}`) : undefined;
    const subject = `${w.identity} ${role} on ${w.targetProject}`;
    if (!role || seen.has(subject)) continue;
    seen.add(subject);
    out.push(
      risk(
        inv,
        { risk: 'risk.primitive_role', identity: w.identity, role, workload: riskWorkload(w) },
        {
          subject,
          project: w.hostProject,
          summary: `${w.service} calls Gemini as ${w.identity}, which holds ${role} on ${w.targetProject}; roles/aiplatform.user is all the call needs.`,
          evidence: [
            { fact: 'searchAllIamPolicies', value: `${w.targetProject}: ${role} -> ${memberOf(w.identity)}` },
          ],
          impact: 1,
          workload: w,
        },
        roles,
      ),
    );
  }
  return out;
}

/**
 * Ranked: what will fail before what is risky; then, when usage was read (`--usage`), findings
 * whose project is confirmed to call Gemini before those not read, before those with no calls;
 * then by the number of workloads touched, then confidence.
 */
export function rank(findings: ScanFinding[]): ScanFinding[] {
  const sev = (f: ScanFinding) => (f.severity === 'will-fail' ? 0 : 1);
  const used = (f: ScanFinding) => (f.usage ? (f.usage.confirmed ? 0 : 2) : 1);
  return findings.sort(
    (a, b) =>
      sev(a) - sev(b) ||
      used(a) - used(b) ||
      b.impact - a.impact ||
      b.confidence - a.confidence ||
      a.id.localeCompare(b.id),
  );
}

export function judge(inv: Inventory, roles?: RoleIndex): ScanFinding[] {
  const out: ScanFinding[] = [];
  for (const w of inv.workloads) {
    if (w.api !== 'vertex') continue;
    const f = willFail(inv, w, roles);
    if (f) out.push(f);
  }
  out.push(...risks(inv, roles));
  return rank(out);
}
