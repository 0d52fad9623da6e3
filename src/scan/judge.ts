/**
 * Inventory -> findings. A workload that will fail is judged the way `check` judges one: the
 * first state that breaks the call, in the order Google checks a request (API, billing, IAM),
 * becomes the error body Google returns for it, and that text goes through `diagnose` and the
 * plan builder (live/findings.ts), so cause, code and plan are the ones `check` gives. Risky
 * setups (the call works) get a `risk.*` class and the commands that remove the risk.
 */
import type { Evidence } from '../core/model.js';
import { buildPlan } from '../core/plan/index.js';
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

/** The command that moves one workload onto its own service account, per kind. */
function moveIdentityCommand(w: Workload, sa: string): string {
  const at = `--project=${w.hostProject} --service-account=${sa}`;
  switch (w.kind) {
    case 'cloud-run':
      return `gcloud run services update ${w.service} --region=${w.region} ${at}`;
    case 'cloud-function':
      return `gcloud functions deploy ${w.service} --gen2 --region=${w.region} ${at}`;
    case 'compute-instance':
      return `gcloud compute instances set-service-account ${w.service} --zone=${w.region} ${at} --scopes=cloud-platform`;
    case 'gke-cluster':
      return `gcloud container node-pools create ${w.service}-own-sa --cluster=${w.service} --location=${w.region} ${at}`;
    default:
      return `redeploy ${w.name} with serviceAccount ${sa} (Vertex AI: the spec's serviceAccount field)`;
  }
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

function risk(
  inv: Inventory,
  cls: RiskClass,
  subject: string,
  project: string,
  summary: string,
  evidence: Evidence[],
  remediation: string[],
  impact: number,
  workload?: Workload,
): ScanFinding {
  return {
    id: `${cls}|${subject}`,
    severity: 'risky',
    class: cls,
    title: RISK_TITLES[cls],
    summary,
    subject,
    project,
    owner: ownerOf(inv, project),
    ...(workload ? { workload } : {}),
    evidence,
    confidence: 1,
    impact,
    remediation,
  };
}

function risks(inv: Inventory): ScanFinding[] {
  const out: ScanFinding[] = [];
  const projectId = (n: string) => inv.projects.get(n)?.id || n;
  for (const [key, role] of inv.primitive) {
    const [n, member] = key.split('|') as [string, string];
    const email = member.replace(/^serviceAccount:/, '');
    if (role !== 'roles/editor' || !isDefaultCompute(email) || !email.startsWith(`${n}-`)) continue;
    const id = projectId(n);
    out.push(
      risk(
        inv,
        'risk.default_sa_editor',
        id,
        id,
        `${email} holds roles/editor on ${id}: every workload that runs as the default account can change almost anything in the project.`,
        [{ fact: 'searchAllIamPolicies', value: `projects/${n}: roles/editor -> ${member}` }],
        [
          `gcloud projects remove-iam-policy-binding ${id} --member=${member} --role=roles/editor  # first give workloads that run as it their own accounts`,
        ],
        inv.workloads.filter((w) => w.identity === email).length || 1,
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
      missing.push('application (referrer / IP / app) restrictions');
    if (!missing.length) continue;
    const id = projectId(k.projectNumber);
    const uid = k.name.split('/').pop() as string;
    out.push(
      risk(
        inv,
        'risk.unrestricted_api_key',
        k.name,
        id,
        `API key "${k.displayName ?? uid}" in ${id} has no ${missing.join(' and no ')}: anyone who finds it can spend the project's quota on any API it has enabled.`,
        [{ fact: 'API Keys v2 keys.list', value: `${k.name}: restrictions ${JSON.stringify(r)}` }],
        [
          `gcloud services api-keys update ${uid} --project=${id} --api-target=service=generativelanguage.googleapis.com --allowed-referrers='https://YOUR-SITE/*'`,
        ],
        1,
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
        'risk.shared_identity',
        email,
        w.hostProject,
        `${email} runs ${count} services, ${w.service} among them: each holds every role any of them needs, and a leak in one is a leak in all.`,
        [
          {
            fact: 'searchAllResources run.googleapis.com/Service',
            value: `${count} services run as ${email}`,
          },
        ],
        [
          `gcloud iam service-accounts create ${w.service}-sa --project=${w.hostProject}`,
          moveIdentityCommand(w, `${w.service}-sa@${w.hostProject}.iam.gserviceaccount.com`),
        ],
        count,
        w,
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
        'risk.primitive_role',
        subject,
        w.hostProject,
        `${w.service} calls Gemini as ${w.identity}, which holds ${role} on ${w.targetProject}; roles/aiplatform.user is all the call needs.`,
        [{ fact: 'searchAllIamPolicies', value: `${w.targetProject}: ${role} -> ${memberOf(w.identity)}` }],
        [
          `gcloud projects add-iam-policy-binding ${w.targetProject} --member=${memberOf(w.identity)} --role=roles/aiplatform.user`,
          `gcloud projects remove-iam-policy-binding ${w.targetProject} --member=${memberOf(w.identity)} --role=${role}`,
        ],
        1,
        w,
      ),
    );
  }
  return out;
}

/** Ranked: what will fail before what is risky, then by the number of workloads touched, then confidence. */
export function rank(findings: ScanFinding[]): ScanFinding[] {
  const sev = (f: ScanFinding) => (f.severity === 'will-fail' ? 0 : 1);
  return findings.sort(
    (a, b) =>
      sev(a) - sev(b) || b.impact - a.impact || b.confidence - a.confidence || a.id.localeCompare(b.id),
  );
}

export function judge(inv: Inventory, roles?: RoleIndex): ScanFinding[] {
  const out: ScanFinding[] = [];
  for (const w of inv.workloads) {
    if (w.api !== 'vertex') continue;
    const f = willFail(inv, w, roles);
    if (f) out.push(f);
  }
  out.push(...risks(inv));
  return rank(out);
}
