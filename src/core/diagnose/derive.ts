/**
 * What the rules reason over: the facts, the context, and conclusions drawn once from both
 * (does the error's project differ from the intended one, what kind of principal is calling,
 * is the model served where it was called, what the user's notes say). Pure.
 */
import { type ModelInfo, modelInfo, type ServedAt, servedAt } from '../data/models.js';
import type { Context, Facts, SignalId, Span } from '../model.js';
import {
  isProjectNumber,
  isTenantProject,
  type ProjectIdProblem,
  type ProjectPlaceholder,
  projectIdProblem,
  projectPlaceholder,
} from '../parse/resource.js';

export type PrincipalKind =
  | 'default_compute'
  | 'app_engine_default'
  | 'service_agent'
  | 'service_account'
  | 'user'
  | 'workload_identity'
  | 'unknown';

export interface PrincipalView {
  /** E-mail when one is known. */
  email?: string;
  /** As the user or text described it, when no e-mail is known. */
  description?: string;
  kind: PrincipalKind;
  source: 'context' | 'error' | 'runtime-default' | 'managed-runtime';
  /** Project the principal belongs to, when its e-mail says (sa@P.iam..., N-compute@...). */
  homeProject?: string;
  /** Why this kind, in words. */
  why: string;
}

export type ProjectRelation = 'same' | 'differ' | 'incomparable' | 'unknown';

export type ManagedRuntime = 'agent-engine' | 'vertex-training' | 'bigquery-connection';

export interface NotesView {
  text: string;
  retrySucceeds: boolean;
  justGranted: boolean;
  /** The same credentials / key work for other APIs or another way of loading them. */
  worksOtherwise: boolean;
  serviceAccountKey: boolean;
  apiKey: boolean;
  autoDetectedProject: boolean;
  managedRuntime?: ManagedRuntime;
  model?: string;
  location?: string;
  denyPolicy: boolean;
  /** Other models work for the same caller (so the caller's access in general is fine). */
  otherModelsWork: boolean;
  /** The notes say the call goes to Vertex AI. */
  vertex: boolean;
  /** The failure lasts until the next day / resets at midnight (a daily quota). */
  dailyReset: boolean;
  /** The project, account or resource was created just before the failing call (same run). */
  justCreated: boolean;
  /** The called resource lives in another project than the caller's (a vendor's, a published dataset). */
  otherProjectResource: boolean;
  /** The project in the code is someone else's: a sample's, a tutorial's, a public dataset's. */
  borrowedProject: boolean;
  /** The same call is spread over several regions (a gateway, a load balancer). */
  multiRegion: boolean;
  /** The same call worked earlier (the first request, before): what it uses existed then. */
  workedBefore: boolean;
  /** The notes name a customer-managed encryption key. */
  cmek: boolean;
}

export interface ModelView {
  id: string;
  source: 'error' | 'context' | 'notes';
  info?: ModelInfo;
  /** Where it was called: a Vertex location, `gemini-api`, or undefined when unknown. */
  location?: string;
  locationSource?: 'error' | 'context' | 'notes' | 'service';
  served?: ServedAt;
}

export interface Derived {
  facts: Facts;
  context: Context;
  signal(id: SignalId): boolean;
  signalSpan(id: SignalId): Span | undefined;
  errorProject?: string;
  errorProjectPlaceholder?: ProjectPlaceholder;
  errorProjectProblem?: ProjectIdProblem;
  contextProject?: string;
  contextProjectPlaceholder?: ProjectPlaceholder;
  projectRelation: ProjectRelation;
  tenantProject: boolean;
  /**
   * The user's notes name the error's project, or say the call crosses projects on purpose:
   * the project in the error is the intended target (cross-project), not a mix-up.
   */
  errorProjectIntended: boolean;
  /**
   * The user's notes name the error's project and disown it ("even though my project was set",
   * "instead of", "not my project"): the request went to a project the caller did not mean.
   */
  errorProjectForeign: boolean;
  principal?: PrincipalView;
  notes: NotesView;
  model?: ModelView;
  /** Vertex AI (aiplatform) rather than the Gemini API or another service. */
  api: 'vertex' | 'gemini-api' | 'other' | 'unknown';
  /** 403 / PERMISSION_DENIED. */
  denied: boolean;
  /** 404 / NOT_FOUND. */
  notFound: boolean;
  /** 401 / UNAUTHENTICATED. */
  unauthenticated: boolean;
  /** 429 / RESOURCE_EXHAUSTED. */
  exhausted: boolean;
  permission?: string;
}

export function derive(facts: Facts, context: Context): Derived {
  const ids = new Set((facts.signals ?? []).map((s) => s.id));
  const notes = readNotes(context.notes ?? '');
  const errorProject = facts.project;
  const contextProject = context.project?.trim() || undefined;
  const api = apiOf(facts);
  const d: Derived = {
    facts,
    context,
    signal: (id) => ids.has(id),
    signalSpan: (id) => facts.signals?.find((s) => s.id === id)?.span,
    projectRelation: relate(errorProject, contextProject),
    tenantProject: errorProject !== undefined && isTenantProject(errorProject),
    errorProjectForeign: notesDisown(notes.text, errorProject),
    errorProjectIntended:
      !notesDisown(notes.text, errorProject) &&
      ((errorProject !== undefined && errorProject.length >= 6 && notes.text.includes(errorProject)) ||
        /cross[- ]project|shared project|central project|in another project on purpose|hosted in (?:a|another|the) (?:separate|shared|other) project/.test(
          notes.text.toLowerCase(),
        )),
    notes,
    api,
    denied: facts.http === 403 || facts.status === 'PERMISSION_DENIED',
    notFound: facts.http === 404 || facts.status === 'NOT_FOUND',
    unauthenticated: facts.http === 401 || facts.status === 'UNAUTHENTICATED',
    exhausted: facts.http === 429 || facts.status === 'RESOURCE_EXHAUSTED',
  };
  if (errorProject !== undefined) {
    d.errorProject = errorProject;
    const ph = projectPlaceholder(errorProject);
    if (ph) d.errorProjectPlaceholder = ph;
    const problem = projectIdProblem(errorProject);
    if (problem && !ph) d.errorProjectProblem = problem;
  }
  if (contextProject !== undefined) {
    d.contextProject = contextProject;
    const ph = projectPlaceholder(contextProject);
    if (ph) d.contextProjectPlaceholder = ph;
  }
  if (facts.permission) d.permission = facts.permission;
  const principal = principalOf(facts, context, notes);
  if (principal) d.principal = principal;
  const model = modelOf(facts, context, notes, api);
  if (model) d.model = model;
  return d;
}

/** The notes name `project` and say it is not the one meant. */
function notesDisown(text: string, project: string | undefined): boolean {
  if (!project || project.length < 6 || !text.includes(project)) return false;
  return /even though|instead of|rather than|not (?:my|our|the one)|wrong project|different project|unknown project|someone else/.test(
    text.toLowerCase(),
  );
}

function relate(errorProject: string | undefined, contextProject: string | undefined): ProjectRelation {
  if (!errorProject || !contextProject) return 'unknown';
  if (projectPlaceholder(errorProject) || projectPlaceholder(contextProject)) return 'incomparable';
  const a = errorProject.trim();
  const b = contextProject.trim();
  if (a === b) return 'same';
  // An id and a number may name the same project: only `gcloud projects describe` can tell.
  if (isProjectNumber(a) !== isProjectNumber(b)) return 'incomparable';
  return 'differ';
}

function apiOf(f: Facts): Derived['api'] {
  const s = f.service ?? '';
  if (s === 'aiplatform.googleapis.com' || f.domain === 'aiplatform.googleapis.com') return 'vertex';
  if (s.startsWith('generativelanguage')) return 'gemini-api';
  if (f.publisher || f.resource?.includes('/publishers/')) return 'vertex';
  if (f.apiKey?.sentTo === 'vertex') return 'vertex';
  if (f.apiKey?.sentTo === 'gemini-api') return 'gemini-api';
  // `models/x is not found for API version v1beta` is the Gemini API's wording.
  if (f.signals?.some((x) => x.id === 'gemini_api_wording')) return 'gemini-api';
  if (s) return 'other';
  return 'unknown';
}

const SERVICE_AGENT =
  /^service-\d+@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com$|@gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com$/;

/** Classifies a principal e-mail: which kind of account, and which project it lives in. */
export function classifyEmail(email: string): { kind: PrincipalKind; homeProject?: string; why: string } {
  const e = email.trim().toLowerCase();
  let m = /^(\d{6,20})-compute@developer\.gserviceaccount\.com$/.exec(e);
  if (m) {
    return {
      kind: 'default_compute',
      homeProject: m[1] as string,
      why: `the Compute Engine default service account of project number ${m[1]} (what Cloud Run, GCE, GKE node pools and Workbench use unless told otherwise)`,
    };
  }
  m = /^([a-z][a-z0-9-]{0,61})@appspot\.gserviceaccount\.com$/.exec(e);
  if (m) {
    return {
      kind: 'app_engine_default',
      homeProject: m[1] as string,
      why: `the App Engine default service account of project ${m[1]} (also the default for 1st-gen Cloud Functions)`,
    };
  }
  if (SERVICE_AGENT.test(e)) {
    const n = /^service-(\d+)@/.exec(e)?.[1];
    return {
      kind: 'service_agent',
      ...(n ? { homeProject: n } : {}),
      why: 'a Google-managed service agent (acts for a Google service, not for your code)',
    };
  }
  m = /^[a-z0-9-]{1,63}@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(e);
  if (m)
    return {
      kind: 'service_account',
      homeProject: m[1] as string,
      why: `a user-managed service account of project ${m[1]}`,
    };
  if (e.startsWith('principal://') || e.startsWith('principalset://')) {
    return { kind: 'workload_identity', why: 'a Workload Identity Federation principal' };
  }
  if (e.endsWith('.gserviceaccount.com')) return { kind: 'service_account', why: 'a service account' };
  return { kind: 'user', why: 'a user account' };
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}/;

function principalOf(f: Facts, c: Context, notes: NotesView): PrincipalView | undefined {
  const raw = c.principal?.trim();
  if (raw) {
    const email = EMAIL.exec(raw)?.[0] ?? (raw.startsWith('principal') ? raw : undefined);
    const clean = raw.replace(/^(serviceAccount|user|group):/, '');
    if (email || /^[^\s]+@[^\s]+$/.test(clean)) {
      const e = email ?? clean;
      return { email: e, source: 'context', ...classifyEmail(e) };
    }
    const lower = raw.toLowerCase();
    const kind: PrincipalKind = /compute engine default|default compute|compute@developer/.test(lower)
      ? 'default_compute'
      : /service agent/.test(lower)
        ? 'service_agent'
        : /service account/.test(lower)
          ? 'service_account'
          : /workload identity/.test(lower)
            ? 'workload_identity'
            : /\buser\b|@/.test(lower)
              ? 'user'
              : 'unknown';
    return { description: raw, kind, source: 'context', why: `as described: "${raw}"` };
  }
  if (f.principal) return { email: f.principal, source: 'error', ...classifyEmail(f.principal) };
  if (f.signals?.some((s) => s.id === 'default_compute_named')) {
    return {
      kind: 'default_compute',
      source: 'error',
      description: 'PROJECT_NUMBER-compute@developer.gserviceaccount.com',
      why: 'the error names the Compute Engine default service account (its e-mail is PROJECT_NUMBER-compute@developer.gserviceaccount.com)',
    };
  }
  if (notes.managedRuntime === 'agent-engine') {
    return {
      kind: 'service_agent',
      source: 'managed-runtime',
      description: 'service-PROJECT_NUMBER@gcp-sa-aiplatform-re.iam.gserviceaccount.com',
      why: 'code deployed to Vertex AI Agent Engine runs as the AI Platform Reasoning Engine Service Agent unless a service account is set',
    };
  }
  if (
    c.runtime === 'cloud-run' ||
    c.runtime === 'gce' ||
    c.runtime === 'gke' ||
    c.runtime === 'vertex-workbench'
  ) {
    return {
      kind: 'default_compute',
      source: 'runtime-default',
      description: 'PROJECT_NUMBER-compute@developer.gserviceaccount.com',
      why: `on ${c.runtime} the workload runs as the Compute Engine default service account unless it was deployed with its own service account`,
    };
  }
  if (c.runtime === 'cloud-functions') {
    return {
      kind: 'default_compute',
      source: 'runtime-default',
      description:
        'PROJECT_NUMBER-compute@developer.gserviceaccount.com (2nd gen) or PROJECT_ID@appspot.gserviceaccount.com (1st gen)',
      why: 'Cloud Functions run as a default service account unless deployed with --service-account',
    };
  }
  return undefined;
}

const LOCATION_TOKEN =
  /\b(global|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]{3,12}\d{1,2})\b/;

function modelOf(f: Facts, c: Context, notes: NotesView, api: Derived['api']): ModelView | undefined {
  const id = f.model ?? c.model ?? notes.model;
  if (!id) return undefined;
  const source: ModelView['source'] = f.model ? 'error' : c.model ? 'context' : 'notes';
  const view: ModelView = { id, source };
  const info = modelInfo(id);
  if (info) view.info = info;
  let location: string | undefined;
  let locationSource: ModelView['locationSource'];
  if (api === 'gemini-api') {
    location = 'gemini-api';
    locationSource = 'service';
  } else if (f.location) {
    location = f.location;
    locationSource = 'error';
  } else if (c.location) {
    location = c.location;
    locationSource = 'context';
  } else if (notes.location) {
    location = notes.location;
    locationSource = 'notes';
  }
  if (location && locationSource) {
    view.location = location;
    view.locationSource = locationSource;
    view.served = servedAt(id, location);
  } else {
    // Where the model is called is unknown: retirement still tells.
    const s = servedAt(id, 'global');
    if (s.verdict === 'retired' || s.verdict === 'unknown_model') view.served = s;
  }
  return view;
}

export function readNotes(text: string): NotesView {
  const t = text.slice(0, 4000);
  const lower = t.toLowerCase();
  const view: NotesView = {
    text: t,
    retrySucceeds:
      /(again|re-?run(?:ning)?|retr(?:y|ying|ied)|second (?:time|run|attempt|apply)|later)[^.;]{0,60}(succeed|succeeds|works|worked|passes|passed|fine)/.test(
        lower,
      ) ||
      /(succeeds|works|worked)[^.;]{0,40}(on retry|when retried|after (?:a )?(?:few )?(?:minutes|retry|waiting)|the second time)/.test(
        lower,
      ),
    justGranted:
      /(just|recently|right after|minutes? after|same (?:apply|run|deploy))[^.;]{0,40}(grant|granted|added|assigned)/.test(
        lower,
      ) || /(creates?|grants?)[^.;]{0,80}iam (?:grants?|bindings?)[^.;]{0,40}then/.test(lower),
    worksOtherwise:
      /same (?:key|credentials?|file|service[- ]account)[^.;]{0,60}works?\b|works? (?:when|for) the same/.test(
        lower,
      ),
    serviceAccountKey:
      /service[- ]account (?:json|key)|json ?key|credentials? (?:file|json)|google_application_credentials|fixedcredentialsprovider|keyfile|service-account key|service account credentials/.test(
        lower,
      ),
    apiKey: /api key|\?key=|apikey\(|x-goog-api-key|express mode/.test(lower),
    autoDetectedProject:
      /google\.auth\.default|detects? (?:it|the project)|no project passed|default project|project from (?:adc|the environment)/.test(
        lower,
      ),
    denyPolicy: /deny polic/.test(lower),
    vertex: /vertex|aiplatform/.test(lower),
    otherModelsWork:
      /\b(?:older|other|previous)\b(?:[^.;]|\.\d){0,40}\b(?:models?|versions?)\b(?:[^.;]|\.\d){0,40}\b(?:work|working|fine)|\b(?:flash|pro|gemini[- ]?\d(?:\.\d)?)\b(?:[^.;]|\.\d){0,40}\b(?:still )?(?:works?|working|is fine)\b/.test(
        lower,
      ),
    justCreated: false,
    otherProjectResource: false,
    borrowedProject: false,
    multiRegion: false,
    workedBefore: false,
    cmek: false,
    dailyReset:
      /resets? (?:at |after |only (?:at |after )?)?midnight|only resets (?:at |after )?(?:midnight|the next day)|until (?:the next day|tomorrow|midnight)|daily (?:limit|quota|cap)/.test(
        lower,
      ),
  };
  view.justCreated =
    /(?:freshly|newly|just|recently) (?:created|set[- ]up|made|provisioned)|(?:projects?|accounts?|resources?|service accounts?) (?:that )?(?:the tests?|it|they|we|terraform|the (?:run|module|script)) creates?\b|creates? (?:them|it)sel(?:f|ves)|right after (?:creat|provision)|creates? (?:the|a) [^.;]{0,40}and (?:then )?immediately|eventual(?:ly)? consisten|second apply (?:works|succeeds|passes)/.test(
      lower,
    );
  view.otherProjectResource =
    /(?:lives?|living|hosted|sits?|is|are|stored) in (?:a |an )?(?:different|another|other|separate|the vendor's|someone else's|their) [^.;]{0,20}project|(?:different|another|separate) project owned by|owned by (?:a |the )?(?:vendor|another|different|other)|published [^.;]{0,20}dataset|from (?:the reporter's|my|our|their) own [^.;]{0,30}project/.test(
      lower,
    );
  view.borrowedProject =
    /sample(?:'s)? (?:repo|repository|code|script|project|app)|sample repository|tutorial|codelab|quickstart|public [^.;]{0,30}dataset|dataset's project|data owner|hard-?coded|google's public/.test(
      lower,
    );
  view.multiRegion =
    /(?:several|multiple|many|different) regions|across regions|load[- ]balanc|round[- ]robin|region (?:rotation|failover)/.test(
      lower,
    );
  view.workedBefore =
    /first (?:request|call|attempt) (?:succeeded|worked|went through)|(?:worked|was working|succeeded) (?:before|earlier|at first|yesterday)|used to work/.test(
      lower,
    );
  view.cmek = /\bcmek\b|customer[- ]managed (?:encryption )?key/.test(lower);
  const managed: ManagedRuntime | undefined = /agent engine|reasoning engine/.test(lower)
    ? 'agent-engine'
    : /vertex pipelines|customjob|custom job|training job/.test(lower)
      ? 'vertex-training'
      : /bigquery connection|remote model|bqml/.test(lower)
        ? 'bigquery-connection'
        : undefined;
  if (managed) view.managedRuntime = managed;
  // Model ids carry a version (`gemini-2.5-flash`, `3-flash-preview`) or are the legacy
  // `gemini-pro` / `gemini-pro-vision`; `gemini-php`, `gemini-cli` are not models.
  const model =
    /\b(gemini-(?:\d[a-z0-9.-]{0,60}|pro(?:-vision)?(?![a-z0-9.-]))|\d(?:\.\d)?-(?:pro|flash)[a-z0-9-]{0,40})\b/.exec(
      lower,
    );
  if (model?.[1]) view.model = model[1];
  const loc = LOCATION_TOKEN.exec(lower);
  if (loc?.[1]) view.location = loc[1];
  return view;
}
