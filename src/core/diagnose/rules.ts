/**
 * One rule per cause: a small pure function from the derived view to a RuleHit (how sure, the
 * evidence for it, what speaks against it, what is unknown) or undefined when the cause does
 * not apply. Rules weigh each other's evidence explicitly (a `(or it may not exist)` error is
 * weighed against the model table; a project mismatch lowers "grant a role" and says where the
 * grant belongs), so the ranking reads as an argument rather than a keyword match.
 */
import { clientProject } from '../data/client-projects.js';
import type { CauseId } from '../taxonomy.js';
import type { Derived, PrincipalView } from './derive.js';
import { Hit, type RuleHit } from './evidence.js';

export type Rule = (d: Derived) => RuleHit | undefined;

/** Checked on a service account, not on the called resource (compared lower-cased: messages vary). */
const ACT_AS_PERMISSIONS = new Set(
  [
    'iam.serviceAccounts.actAs',
    'iam.serviceAccounts.getAccessToken',
    'iam.serviceAccounts.implicitDelegation',
    'iam.serviceAccounts.signBlob',
    'iam.serviceAccounts.signJwt',
    'iam.serviceAccounts.getOpenIdToken',
  ].map((p) => p.toLowerCase()),
);

function isActAs(perm: string | undefined): boolean {
  return perm !== undefined && ACT_AS_PERMISSIONS.has(perm.toLowerCase());
}

/**
 * A customer-managed KMS key used by another Google service for the caller (a CMEK disk, bucket,
 * dataset): the service's agent calls KMS, so the agent needs the key grant, not the caller.
 */
function cmekKeyUse(d: Derived): boolean {
  if (!/^cloudkms\.cryptoKeyVersions\.useTo(?:En|De)crypt/i.test(d.permission ?? '')) return false;
  const viaService = d.facts.service !== undefined && d.facts.service !== 'cloudkms.googleapis.com';
  return d.signal('cmek_key_use') || d.notes.cmek || viaService;
}

/**
 * A job (BigQuery, Dataflow...) runs and is billed in the project it is created in; denied in a
 * project the code borrowed (a sample's, a public dataset's), the job belongs in the caller's own.
 */
function jobInBorrowedProject(d: Derived): boolean {
  return (
    /\.jobs\.create$/.test(d.permission ?? '') &&
    d.notes.borrowedProject &&
    !d.notes.otherProjectResource &&
    d.errorProject !== undefined
  );
}

/** The call was made right after what it touches was created (same run / apply). */
function justCreated(d: Derived): boolean {
  return d.notes.justCreated || d.signal('read_after_create');
}

function code(s: string | undefined): string {
  return s === undefined ? '' : `\`${s}\``;
}

/** "`123-compute@...` (the Compute Engine default service account ...)" or the description. */
export function describePrincipal(p: PrincipalView | undefined): string {
  if (!p) return 'the calling principal';
  if (p.email) return `${code(p.email)} (${p.why})`;
  if (p.source === 'runtime-default' || p.source === 'managed-runtime') {
    return `the runtime identity, most likely ${code(p.description)} (${p.why})`;
  }
  if (p.source === 'error' && p.description) return `${code(p.description)} (${p.why})`;
  return p.description ? `the principal described as "${p.description}"` : 'the calling principal';
}

function addPrincipal(h: Hit, d: Derived): void {
  const p = d.principal;
  if (!p) return;
  if (p.email) {
    h.derived(p.source === 'context' ? 'context.principal' : 'principal', p.email, p.why);
  } else if (p.description) {
    const name =
      p.source === 'context' ? 'context.principal' : p.source === 'error' ? 'principal' : 'principal.assumed';
    h.derived(name, p.description, p.why);
  }
}

/** Where a grant for the failing call belongs: the project the call should target. */
export function grantProject(d: Derived): string | undefined {
  // Cross-project on purpose: the binding belongs where the resource is.
  if (d.errorProjectIntended && d.errorProject && !d.errorProjectPlaceholder) return d.errorProject;
  if (d.projectRelation === 'differ' || d.tenantProject) return d.contextProject ?? d.errorProject;
  if (d.errorProject && !d.errorProjectPlaceholder) return d.errorProject;
  return d.contextProject;
}

const missingPermission: Rule = (d) => {
  const f = d.facts;
  const iamReason = f.reason === 'IAM_PERMISSION_DENIED';
  const perm = d.permission;
  // A bare 403 with nothing else said is most often a missing grant, but only weakly so.
  const bare = d.denied && !perm && !iamReason && !d.signal('caller_lacks_permission');
  if (!(iamReason || (perm && d.denied) || d.signal('caller_lacks_permission') || bare)) return undefined;
  const base = iamReason && perm ? 0.85 : perm ? 0.78 : iamReason ? 0.7 : bare ? 0.4 : 0.55;
  const h = new Hit(d, base).fact('http').fact('status').fact('reason').fact('permission').fact('resource');
  if (isActAs(perm)) h.minus(0.4, `\`${perm}\` is checked on a service account: see iam.act_as`);
  if (perm === 'serviceusage.services.use') {
    h.minus(0.3, 'the permission is the one needed on a quota project: see quota_project.denied');
  }
  addPrincipal(h, d);
  if (!d.principal) h.missing(0.05, 'which principal made the call (pass --principal)');
  else if (!d.principal.email) h.plus(-0.02);
  if (d.signal('may_not_exist') && d.model?.served) {
    const s = d.model.served;
    // IAM is checked before existence: a 403 says the permission is missing even when the model
    // is also retired (with the grant the same call would answer 404).
    if (s.verdict === 'retired') h.minus(0.05, s.why);
    else if (s.verdict === 'not_served_here') h.minus(0.15, s.why);
    else if (s.verdict === 'served') {
      h.derived(
        'model.served',
        `${d.model.id} @ ${d.model.location}`,
        `${s.why} So "(or it may not exist)" is not about the model.`,
      );
      if (s.model?.requiresAllowlist) h.minus(0.1, `\`${s.model.id}\` is a restricted preview (allowlist)`);
    }
  }
  if (d.projectRelation === 'differ' && !d.errorProjectIntended) {
    h.minus(
      0.2,
      `the request went to project \`${d.errorProject}\` but the caller runs in / meant \`${d.contextProject}\`: a grant in \`${d.contextProject}\` alone does not fix a call to \`${d.errorProject}\``,
    );
  }
  if (d.projectRelation === 'differ' && d.errorProjectIntended) {
    h.minus(0.1, 'the caller runs in another project than the resource: see iam.cross_project');
  }
  if (d.tenantProject) h.minus(0.35, `\`${d.errorProject}\` is a Google tenant project, not yours`);
  if (d.principal?.kind === 'service_agent') h.minus(0.2, 'the principal is a Google-managed service agent');
  if (d.notes.retrySucceeds || d.notes.justGranted)
    h.minus(0.25, 'the same call works on retry / right after a grant');
  else if (justCreated(d))
    h.minus(0.25, 'what the call touches was created just before it: see iam.propagation_delay');
  if (cmekKeyUse(d)) h.minus(0.2, 'a service uses the KMS key for the caller (CMEK): see iam.service_agent');
  if (jobInBorrowedProject(d))
    h.minus(0.2, 'the job was created in a project the code borrowed: see project.mismatch');
  if (d.notes.otherProjectResource && d.projectRelation !== 'differ')
    h.minus(0.08, 'the resource lives in another project: see iam.cross_project');
  if (d.signal('permission_denied_on_project') && !perm)
    h.minus(0.25, 'the project itself is refused, not a permission');
  if (d.notes.otherModelsWork && !perm)
    h.minus(0.15, 'other models work for the same caller: its access in general is fine');
  if (d.signal('vpc_sc') || d.signal('org_policy')) h.minus(0.4, 'a policy outside IAM roles is named');
  if (d.signal('deny_policy')) h.minus(0.2, 'an IAM deny policy is named: an allow grant will not help');
  if (d.signal('service_agent_named') && d.principal?.kind !== 'service_agent') {
    h.minus(0.15, 'the message names a Google-managed service agent');
  }
  const where = grantProject(d);
  const role = perm?.startsWith('aiplatform.')
    ? ' (roles/aiplatform.user holds aiplatform.endpoints.predict)'
    : '';
  return h.done(
    `${capital(describePrincipal(d.principal))} lacks ${perm ? code(perm) : 'a permission'}${f.resource ? ` on ${code(f.resource)}` : ''}. ` +
      `Grant the smallest role that contains it${role} to that principal in project ${where ? code(where) : '$PROJECT_ID'}` +
      (d.projectRelation === 'differ' && !d.errorProjectIntended
        ? `, the project the call should target, after pointing the client at it.`
        : '.'),
  );
};

const crossProject: Rule = (d) => {
  if (!d.denied && !d.signal('caller_lacks_permission')) return undefined;
  if ((!d.errorProject || d.errorProjectPlaceholder) && d.notes.otherProjectResource) {
    // The notes place the resource in another project the error does not name.
    const h = new Hit(d, 0.6).context('notes', d.notes.text, 'the resource lives in another project');
    addPrincipal(h, d);
    h.missing(0, "the resource's project (the error does not name it)");
    return h.done(
      `${capital(describePrincipal(d.principal))} needs a binding in the project that owns the resource, ` +
        'not in its own project: bindings do not cross projects.',
    );
  }
  if (!d.errorProject || d.errorProjectPlaceholder) return undefined;
  const home = d.principal?.homeProject;
  const homeDiffers =
    home !== undefined && !/^\d+$/.test(home) && !d.errorProject.match(/^\d+$/) && home !== d.errorProject;
  const byNotes = d.notes.otherProjectResource && d.errorProjectIntended;
  if (d.projectRelation !== 'differ' && !homeDiffers && !byNotes) return undefined;
  const h = new Hit(d, homeDiffers ? 0.55 : 0.42).fact('project', 'the project whose resource was called');
  h.context('project', d.contextProject, 'the project the caller runs in / meant');
  addPrincipal(h, d);
  if (homeDiffers) h.derived('principal.project', home as string, 'the principal lives in another project');
  if (d.errorProjectIntended) {
    h.plus(0.38).context('notes', d.notes.text, `the notes say \`${d.errorProject}\` is the intended target`);
  } else {
    h.against.push(
      `only if \`${d.errorProject}\` really is the project you meant to call; otherwise this is project.mismatch`,
    );
  }
  if (d.tenantProject) h.minus(0.3, `\`${d.errorProject}\` is a Google tenant project`);
  return h.done(
    `If \`${d.errorProject}\` is the intended target, ${describePrincipal(d.principal)} needs a binding in \`${d.errorProject}\` ` +
      `(the resource's project), not in \`${d.contextProject ?? home}\`: bindings do not cross projects.`,
  );
};

const projectMismatch: Rule = (d) => {
  if (d.tenantProject) {
    const h = new Hit(d, 0.82).fact('project', 'a Google-managed tenant project (`-tp`), not a user project');
    if (d.notes.autoDetectedProject)
      h.plus(0.05).context('notes', d.notes.text, 'the project was auto-detected');
    return h.done(
      `The call went to \`${d.errorProject}\`, the tenant project of a Google-managed runtime, because the client ` +
        'took its project from the environment (google.auth.default()). Pass your project explicitly ' +
        '(e.g. CLOUD_ML_PROJECT_ID on Vertex training / pipelines, vertexai.init(project=...)).',
    );
  }
  if (d.projectRelation === 'differ') {
    const h = new Hit(d, 0.74)
      .fact('project', 'the project the failing request named')
      .context('project', d.contextProject, 'the project the caller runs in / meant');
    if (d.notes.autoDetectedProject) h.plus(0.05);
    if (d.errorProjectIntended) {
      h.minus(0.4, `the notes say \`${d.errorProject}\` is the intended target: see iam.cross_project`);
    }
    if (d.signal('permission_denied_on_project') || d.facts.reason === 'CONSUMER_INVALID') {
      h.minus(0.2, `the error says \`${d.errorProject}\` itself is unusable: see project.invalid`);
    }
    return h.done(
      `The request named project \`${d.errorProject}\` while the service runs in / meant \`${d.contextProject}\`. ` +
        `Point the client at \`${d.contextProject}\` (GOOGLE_CLOUD_PROJECT, vertexai.init(project=...), genai.Client(project=...)); ` +
        `any grant belongs in \`${d.contextProject}\`, the project the call should target. A grant in \`${d.contextProject}\` alone does not fix a call to \`${d.errorProject}\`.`,
    );
  }
  if (d.errorProjectForeign) {
    const h = new Hit(d, 0.78)
      .fact('project', 'the project the failing request named')
      .context('notes', d.notes.text, `the notes say \`${d.errorProject}\` is not the project meant`);
    return h.done(
      `The request went to project \`${d.errorProject}\`, which the notes say is not the project you meant. ` +
        'Find where the client takes its project from (explicit config, GOOGLE_CLOUD_PROJECT, the ADC quota project) and point it at yours.',
    );
  }
  if (jobInBorrowedProject(d)) {
    const h = new Hit(d, 0.8)
      .fact('permission', 'a job runs and is billed in the project it is created in')
      .fact('project')
      .context('notes', d.notes.text, "the project comes from someone else's sample / dataset");
    return h.done(
      `The job was created in \`${d.errorProject}\`, a project the code borrowed (a sample's or the data's owner), ` +
        'where the caller may not run jobs. Run the job in your own project (the client / --project_id) and read the data from there.',
    );
  }
  if (
    d.projectRelation === 'incomparable' &&
    d.errorProject &&
    d.contextProject &&
    !d.errorProjectPlaceholder &&
    !d.contextProjectPlaceholder
  ) {
    const h = new Hit(d, 0.3).fact('project').context('project', d.contextProject);
    h.unknowns.push(
      `whether project \`${d.errorProject}\` and \`${d.contextProject}\` are the same project (one is a number)`,
    );
    return h.done(
      `The error names \`${d.errorProject}\` and you named \`${d.contextProject}\`; one is a project number, so check they are the same project.`,
    );
  }
  return undefined;
};

const projectInvalid: Rule = (d) => {
  const f = d.facts;
  let base = 0;
  const suspendedProject =
    f.reason === 'CONSUMER_SUSPENDED' && !f.consumer?.startsWith('api_key') && !d.signal('api_key_consumer');
  if (f.reason === 'CONSUMER_INVALID' || f.reason === 'RESOURCE_PROJECT_INVALID' || suspendedProject)
    base = 0.9;
  else if (d.signal('project_not_found')) base = 0.8;
  else if (d.signal('permission_denied_on_project')) base = 0.72;
  else if (d.errorProjectPlaceholder === 'placeholder' && !d.notFound && !d.signal('model_not_found'))
    base = 0.5;
  // A placeholder project in a not-found whose model IS served at that location: the model and
  // location are fine, so the project is what the API could not find.
  else if (
    d.errorProjectPlaceholder === 'placeholder' &&
    (d.notFound || d.signal('model_not_found')) &&
    d.model?.served?.verdict === 'served' &&
    d.model.locationSource === 'error'
  )
    base = 0.5;
  else if (d.errorProjectProblem && (d.denied || d.notFound)) base = 0.55;
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('reason').fact('project').fact('consumer');
  if (d.signal('permission_denied_on_project'))
    h.signal(
      'permission_denied_on_project',
      'Google answers this for a project that does not exist or that the caller cannot see',
    );
  if (d.errorProjectPlaceholder === 'placeholder')
    h.plus(0.15).derived(
      'project.placeholder',
      d.errorProject as string,
      'a template placeholder, not a project id',
    );
  if (d.errorProjectProblem) {
    const why: Record<string, string> = {
      whitespace: 'has leading / trailing whitespace',
      uppercase: 'has upper-case letters (project ids are lower case)',
      underscore: 'has an underscore (project ids use letters, digits and hyphens)',
      bad_length: 'is not 6-30 characters long',
      bad_characters: 'has characters a project id cannot have',
    };
    h.plus(0.1).derived(
      'project.syntax',
      JSON.stringify(d.errorProject),
      `the value ${why[d.errorProjectProblem]}`,
    );
  }
  if (d.signal('api_keys_not_supported') || d.signal('user_location_unsupported'))
    h.minus(0.3, 'the error is about something else');
  const p = d.errorProject;
  return h.done(
    `${p ? `\`${p.trim()}\`${d.errorProjectProblem === 'whitespace' ? ' (with stray whitespace)' : ''}` : 'The project'} is not a usable project id: ` +
      'it does not exist, is a placeholder or mistyped, or was deleted. Set the real project id (gcloud projects list) in GOOGLE_CLOUD_PROJECT / the client config.',
  );
};

const apiDisabled: Rule = (d) => {
  const f = d.facts;
  if (f.reason !== 'SERVICE_DISABLED' && !d.signal('service_not_used')) return undefined;
  const h = new Hit(d, 0.9).fact('reason').fact('service').fact('project').fact('consumer');
  if (d.signal('service_not_used'))
    h.signal('service_not_used', '"has not been used in project ... or it is disabled"');
  if (d.signal('end_user_credentials_unsupported') || f.reason === 'USER_PROJECT_DENIED') {
    h.minus(
      0.35,
      'the message is about end-user credentials needing a quota project: see quota_project.denied',
    );
  }
  if (!f.project) h.missing(0.05, 'the consumer project');
  const owner = clientProject(f.project);
  if (owner) {
    h.minus(0.45, `\`${f.project}\` is ${owner.owner}, not yours: see quota_project.denied`);
  } else if (d.errorProjectForeign) {
    h.minus(0.3, `the notes say \`${d.errorProject}\` is not the project meant: see project.mismatch`);
  } else if (d.tenantProject) {
    h.minus(
      0.3,
      `\`${d.errorProject}\` is a Google tenant project: the client picked the wrong project, see project.mismatch`,
    );
  } else if (d.projectRelation === 'differ' && !d.errorProjectIntended) {
    h.minus(
      0.2,
      `the API was checked on \`${d.errorProject}\`, not on \`${d.contextProject}\`: enabling it there may not be what you want`,
    );
  }
  return h.done(
    `${code(f.service ?? 'The API')} is not enabled on project ${code(f.project ?? '$PROJECT_ID')}. Enable it ` +
      '(gcloud services enable); if you just enabled it, wait a few minutes and retry.',
  );
};

const billingDisabled: Rule = (d) => {
  const f = d.facts;
  const byReason = f.reason === 'BILLING_DISABLED' || /BILLING/.test(f.reason ?? '');
  if (!byReason && !d.signal('billing_disabled')) return undefined;
  const h = new Hit(d, 0.9).fact('reason').fact('project').fact('message');
  return h.done(
    `Billing is not enabled for project ${code(f.project ?? '$PROJECT_ID')} (or its billing account is closed). ` +
      'Link an open billing account to it.',
  );
};

const quotaProjectDenied: Rule = (d) => {
  const f = d.facts;
  let base = 0;
  if (f.reason === 'USER_PROJECT_DENIED') base = 0.9;
  else if (d.permission === 'serviceusage.services.use') base = 0.85;
  else if (d.signal('end_user_credentials_unsupported')) base = 0.86;
  else if (d.signal('quota_project_required')) base = d.denied ? 0.7 : 0.55;
  const owner = clientProject(f.project);
  if (owner && (f.reason === 'SERVICE_DISABLED' || d.signal('service_not_used'))) base = Math.max(base, 0.88);
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('reason').fact('service').fact('project');
  if (owner)
    h.derived(
      'project.owner',
      owner.owner,
      'the call was billed to a Google-owned client project: the credentials carry no quota project of yours',
    );
  if (d.signal('end_user_credentials_unsupported'))
    h.signal(
      'end_user_credentials_unsupported',
      'user (gcloud / ADC) credentials need a quota project for this API',
    );
  return h.done(
    'The call uses end-user credentials, which bill to a quota project: set one the user may use ' +
      '(gcloud auth application-default set-quota-project PROJECT, needs serviceusage.services.use), ' +
      'or call as a service account.',
  );
};

/** The three model causes share one reading of the model table. */
function modelEvidence(h: Hit, d: Derived): void {
  h.fact('model').fact('location').fact('http').fact('status');
  const m = d.model;
  if (m && m.source !== 'error') h.derived(`${m.source}.model`, m.id, `model named in the ${m.source}`);
  if (m?.served) h.derived('models.table', m.served.verdict, m.served.why);
}

const modelNotFound: Rule = (d) => {
  const m = d.model;
  const s = m?.served;
  const notFoundText = d.signal('model_not_found');
  const modelish = notFoundText || d.notFound;
  let base = 0;
  if (s?.verdict === 'retired') {
    base = modelish
      ? 0.9
      : d.signal('publisher_model_not_allowed')
        ? 0.5
        : d.signal('may_not_exist')
          ? 0.45
          : 0;
  } else if (s?.verdict === 'unknown_model' && modelish) base = 0.65;
  else if (s?.verdict === 'not_served_here' && m?.location === 'gemini-api' && modelish) base = 0.8;
  else if (s?.verdict === 'not_served_here' && s.servedAt?.length === 0 && modelish) base = 0.8;
  else if (s?.verdict === 'served' && modelish) base = d.api === 'gemini-api' ? 0.5 : 0.35;
  else if (!m && notFoundText) base = 0.55;
  // The model is known but where it was called is not: the id / version / API version is off.
  else if (m && !s && modelish) base = 0.45;
  if (base === 0) return undefined;
  const h = new Hit(d, base);
  modelEvidence(h, d);
  if (s?.verdict === 'retired' && d.notes.workedBefore)
    h.minus(0.4, 'the same model answered earlier, so it was live when this call ran');
  if (notFoundText) h.signal('model_not_found', 'the API says the model was not found');
  if (!m) h.missing(0, 'the model id the client used (pass --model)');
  else if (m.source === 'notes') h.minus(0.1, 'the model id comes from the notes, not the error');
  if (s?.verdict === 'served')
    h.against.push(`\`${m?.id}\` exists and is served there: check the exact version id and API version`);
  const repl = s?.model?.replacement;
  return h.done(
    s?.verdict === 'retired'
      ? `${s.why} Switch the client to a current model${repl ? ` (\`${repl}\`)` : ''}.`
      : `The model ${code(m?.id)} does not exist under that name${m?.location === 'gemini-api' ? ' in the Gemini API' : ''}: check the id and version (list the models the API offers).`,
  );
};

const modelLocationUnsupported: Rule = (d) => {
  const m = d.model;
  const s = m?.served;
  if (!m || !s) {
    return undefined;
  }
  const modelish = d.signal('model_not_found') || d.notFound;
  const where = s.servedAt ?? [];
  let base = 0;
  if (s.verdict === 'not_served_here' && m.location !== 'gemini-api' && where.length > 0) {
    // A 403 `(or it may not exist)` at a location that never serves the model: the location is
    // wrong whatever else is (the grant may be missing too: that finding follows closely).
    base = modelish ? 0.88 : d.signal('may_not_exist') ? 0.72 : 0.3;
  } else if (
    modelish &&
    m.location &&
    m.location !== 'gemini-api' &&
    d.notes.multiRegion &&
    d.notes.workedBefore
  ) {
    // The same model answered at another region a moment ago: the region of this call lacks it.
    base = 0.7;
  } else if (
    !m.location &&
    m.info &&
    m.info.vertexLocations.length === 1 &&
    modelish &&
    d.api !== 'gemini-api'
  ) {
    base = 0.45;
  }
  if (base === 0) return undefined;
  const h = new Hit(d, base);
  modelEvidence(h, d);
  if (!m.location) h.missing(0, 'the location the client used (pass --location)');
  if (m.source === 'notes' || m.locationSource === 'notes')
    h.minus(0.12, 'model / location come from the notes, not the error');
  if (d.denied && !d.notFound) h.against.push('the error is a 403: the permission may be missing as well');
  const target = where.includes('global') ? 'global' : where[0];
  return h.done(
    `${s.why} Call it at \`${target}\` (host aiplatform.googleapis.com, location \`${target}\`) or pick a model served at \`${m.location ?? 'your location'}\`.`,
  );
};

const modelAccessRestricted: Rule = (d) => {
  const m = d.model;
  const s = m?.served;
  let base = 0;
  if (d.signal('publisher_model_not_allowed')) base = 0.85;
  else if (m?.info?.requiresAllowlist && (d.notFound || d.signal('may_not_exist') || d.denied)) base = 0.78;
  else if (s?.verdict === 'served' && d.api === 'vertex' && d.signal('model_not_found')) base = 0.45;
  else if (m?.info?.status === 'preview' && s?.verdict === 'served' && d.signal('may_not_exist')) base = 0.35;
  // A bare denial (no permission named) for a preview model while other models work for the
  // same caller: the model is gated (tier, allowlist), not the caller's IAM.
  else if (
    m?.info &&
    m.info.status !== 'ga' &&
    m.info.status !== 'retired' &&
    d.denied &&
    !d.permission &&
    d.notes.otherModelsWork
  )
    base = 0.62;
  if (base === 0) return undefined;
  const h = new Hit(d, base);
  modelEvidence(h, d);
  if (d.signal('publisher_model_not_allowed'))
    h.signal('publisher_model_not_allowed', 'the project is not allowed to use this publisher model');
  if (s?.verdict === 'retired') h.minus(0.05, s.why);
  return h.done(
    `Project ${code(d.errorProject ?? d.contextProject ?? '$PROJECT_ID')} may not use ${code(m?.id ?? 'this model')}: ` +
      'it needs allowlisting, terms acceptance or a tier the project lacks (or the model version is gone). Use a GA model or request access.',
  );
};

const regionUnsupported: Rule = (d) => {
  if (!d.signal('user_location_unsupported')) return undefined;
  const h = new Hit(d, 0.95)
    .signal('user_location_unsupported', '"User location is not supported for the API use"')
    .fact('http')
    .fact('status');
  // "... not supported for the API use without a billing account linked": billing is the condition.
  if (d.signal('billing_disabled'))
    h.minus(0.3, 'the message names a missing billing account as the condition: see billing.disabled');
  return h.done(
    'The Gemini API is not offered where the request comes from (the egress IP of the caller or its proxy). ' +
      'Call from a supported region, or use Vertex AI (OAuth, a Google Cloud project) instead.',
  );
};

const credentialsMissing: Rule = (d) => {
  let base = 0;
  if (d.signal('credentials_missing')) base = 0.9;
  else if (d.signal('project_id_undetected')) base = 0.8;
  else if (d.facts.reason === 'CREDENTIALS_MISSING' && !d.facts.apiKey?.used && !d.notes.apiKey) base = 0.7;
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('message');
  // Vertex ignores an API key and then reports the credential as missing.
  if (apiKeyToVertex(d))
    h.minus(0.3, 'an API key was sent to Vertex AI, which does not accept it: see auth.api_key_unsupported');
  if (d.signal('credentials_missing'))
    h.signal('credentials_missing', 'Application Default Credentials were not found');
  if (d.signal('project_id_undetected'))
    h.signal(
      'project_id_undetected',
      'ADC has no project: neither credentials nor GOOGLE_CLOUD_PROJECT name one',
    );
  return h.done(
    'No Application Default Credentials (or no project with them) were found where the code runs. ' +
      'Locally: gcloud auth application-default login and set GOOGLE_CLOUD_PROJECT; on Google Cloud: attach a service account.',
  );
};

const credentialsInvalid: Rule = (d) => {
  if (d.signal('api_keys_not_supported')) return undefined;
  let base = 0;
  if (
    d.signal('invalid_grant') ||
    d.signal('reauth_needed') ||
    d.signal('token_expired') ||
    d.facts.reason === 'ACCESS_TOKEN_EXPIRED'
  )
    base = 0.9;
  else if (d.signal('invalid_credentials')) base = 0.8;
  else if (d.signal('refresh_error') && !d.permission) base = 0.7;
  // An OAuth token endpoint refusal: the credentials' request for a token was rejected.
  else if (d.signal('oauth_error')) base = 0.6;
  else if (d.unauthenticated) base = 0.6;
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('http').fact('status').fact('reason').fact('message');
  for (const id of ['invalid_grant', 'reauth_needed', 'token_expired', 'invalid_credentials'] as const) {
    if (d.signal(id)) h.signal(id, 'the credentials sent were rejected');
  }
  if (d.notes.worksOtherwise) {
    h.minus(
      0.35,
      'the same credentials work elsewhere, so they are valid: look at how they are loaded / scoped',
    );
  }
  if (apiKeyToVertex(d)) {
    h.minus(
      0.2,
      'an API key is used against Vertex AI, which reads it as an invalid token: see auth.api_key_unsupported',
    );
  } else if (d.notes.apiKey || d.facts.apiKey?.used) {
    h.context(
      'notes',
      'API key',
      'an API key is in use: an extra or malformed Authorization header is rejected as invalid OAuth credentials',
    );
  }
  return h.done(
    'The credentials reached Google but were rejected (expired, revoked, malformed, or a stray Authorization header). ' +
      'Refresh them (gcloud auth application-default login / a new key) and send only one kind of credential.',
  );
};

const scopeInsufficient: Rule = (d) => {
  let base = 0;
  if (d.signal('insufficient_scopes') || d.facts.reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT') base = 0.92;
  else if (
    (d.signal('invalid_credentials') || d.unauthenticated) &&
    d.notes.serviceAccountKey &&
    !d.signal('api_keys_not_supported')
  ) {
    base = 0.55;
  }
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('reason').fact('status').fact('http');
  if (d.signal('insufficient_scopes'))
    h.signal('insufficient_scopes', 'the token lacks an OAuth scope the API needs');
  if (base < 0.9) {
    h.context(
      'notes',
      'service-account key',
      'a service-account key loaded by hand gets no scopes unless the code adds them',
    );
    if (d.notes.worksOtherwise)
      h.plus(0.22).context(
        'notes',
        'works otherwise',
        'the same credentials work another way: they are valid but unscoped',
      );
  }
  const gce =
    d.context.runtime === 'gce' || d.context.runtime === 'gke' || d.context.runtime === 'vertex-workbench';
  return h.done(
    gce
      ? 'The VM / node access scopes do not include cloud-platform. Give the instance the cloud-platform scope (or use Workload Identity).'
      : 'The access token lacks the https://www.googleapis.com/auth/cloud-platform scope. Create scoped credentials ' +
          '(e.g. createScoped / scopes=[...cloud-platform]) or let the library load them from GOOGLE_APPLICATION_CREDENTIALS.',
  );
};

const apiKeyInvalid: Rule = (d) => {
  const r = d.facts.reason ?? '';
  const byReason =
    r.startsWith('API_KEY_') ||
    (r === 'CONSUMER_SUSPENDED' &&
      (!!d.facts.consumer?.startsWith('api_key') || d.signal('api_key_consumer')));
  if (!byReason && !d.signal('api_key_invalid') && !d.signal('api_key_expired') && !d.signal('api_blocked'))
    return undefined;
  const h = new Hit(d, 0.92).fact('reason').fact('service').fact('message');
  if (d.signal('api_key_expired')) h.signal('api_key_expired', 'the key expired');
  if (d.signal('api_blocked')) h.signal('api_blocked', "the key's API restrictions block this API / method");
  const what =
    r === 'API_KEY_SERVICE_BLOCKED' || d.signal('api_blocked')
      ? `the key's API restrictions do not allow ${code(d.facts.service ?? 'this API')}: add it to the key's allowed APIs or use an unrestricted key for it`
      : r === 'API_KEY_HTTP_REFERRER_BLOCKED'
        ? "the request's referrer is not in the key's allowed websites"
        : r === 'API_KEY_IP_ADDRESS_BLOCKED'
          ? "the caller's IP is not in the key's allowed addresses"
          : r.endsWith('_APP_BLOCKED')
            ? "the app is not in the key's allowed applications"
            : d.signal('api_key_expired')
              ? 'the key has expired: create a new one'
              : 'the key is invalid or deleted: create a new one and check it is the value being sent';
  return h.done(`The API key was rejected: ${what}.`);
};

/** An API key is in use against Vertex AI, by the text or by the user's notes. */
function apiKeyToVertex(d: Derived): boolean {
  const k = d.facts.apiKey;
  if (k?.used && k.sentTo === 'vertex') return true;
  return (
    (k?.used || d.notes.apiKey) === true && (d.api === 'vertex' || d.notes.vertex) && d.api !== 'gemini-api'
  );
}

const apiKeyUnsupported: Rule = (d) => {
  const k = d.facts.apiKey;
  let base = 0;
  if (d.signal('api_keys_not_supported')) base = 0.92;
  else if (d.facts.reason === 'CREDENTIALS_MISSING' && (k?.used || d.notes.apiKey)) base = 0.8;
  else if (k?.used && k.sentTo === 'vertex' && (d.unauthenticated || d.denied)) base = 0.8;
  // The notes say an API key went to Vertex AI and the token was refused.
  else if (
    apiKeyToVertex(d) &&
    (d.unauthenticated || d.denied || d.signal('invalid_credentials') || d.signal('credentials_missing'))
  )
    base = 0.75;
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('http').fact('status').fact('url').fact('service');
  if (d.signal('api_keys_not_supported'))
    h.signal('api_keys_not_supported', '"API keys are not supported by this API"');
  if (k?.used) h.derived('apiKey.used', 'true', `an API key was sent${k.sentTo ? ` to ${k.sentTo}` : ''}`);
  return h.done(
    'An API key was sent to an endpoint that needs OAuth (Vertex AI project endpoints). Use an OAuth access token ' +
      '(Authorization: Bearer $(gcloud auth print-access-token) / ADC), or the Gemini API / Vertex express-mode endpoint that accepts keys.',
  );
};

/** Hard (daily, free-tier, zero) limit vs short-term rate: read once for both quota rules. */
function quotaKind(d: Derived): 'hard' | 'rate' | 'capacity' | 'generic' | undefined {
  const q = d.facts.quota;
  const any =
    d.exhausted ||
    d.signal('quota_exceeded') ||
    d.signal('resource_exhausted') ||
    d.signal('out_of_capacity') ||
    d.signal('spending_cap') ||
    q !== undefined;
  if (!any) return undefined;
  // A zero limit or no free tier never clears; then the window decides; a free-tier quota of
  // unknown window is treated as hard (free tiers are small and mostly daily).
  if (q?.limit === '0' || d.signal('no_free_tier') || q?.window === 'day') return 'hard';
  // A spending cap or budget holds until it is raised or the period ends: not a rate.
  if (d.signal('spending_cap')) return 'hard';
  // The reporter saw it last until the next day: a daily quota whatever the message says.
  if (d.notes.dailyReset && q?.window !== 'minute' && q?.window !== 'second') return 'hard';
  if (q?.window === 'minute' || q?.window === 'second') return 'rate';
  if (q?.freeTier) return 'hard';
  if (d.signal('out_of_capacity') || d.signal('try_again_later')) return 'capacity';
  return 'generic';
}

function quotaEvidence(h: Hit, d: Derived): void {
  h.fact('http').fact('status').fact('service');
  const q = d.facts.quota;
  if (q?.metric) h.derived('quota.metric', q.metric);
  if (q?.id) h.derived('quota.id', q.id);
  if (q?.limit !== undefined)
    h.derived(
      'quota.limit',
      q.limit,
      q.limit === '0' ? 'a limit of 0: the project has no quota for this at all' : undefined,
    );
  if (q?.window) h.derived('quota.window', q.window);
  if (q?.freeTier) h.derived('quota.freeTier', 'true', 'a free-tier quota');
  if (d.facts.retryDelaySeconds !== undefined) h.fact('retryDelaySeconds');
}

const quotaExceeded: Rule = (d) => {
  const kind = quotaKind(d);
  if (!kind) return undefined;
  const base =
    kind === 'hard'
      ? 0.88
      : kind === 'rate'
        ? 0.3
        : kind === 'capacity'
          ? 0.2
          : d.signal('quota_exceeded')
            ? 0.5
            : 0.42;
  const h = new Hit(d, base);
  quotaEvidence(h, d);
  if (kind === 'generic') h.missing(0, 'which quota (metric and window) was hit');
  if (kind === 'rate') h.against.push('the limit is per minute: it resets by itself');
  const q = d.facts.quota;
  return h.done(
    kind === 'hard'
      ? `A hard quota is used up${q?.metric ? ` (${code(q.metric)}${q.limit === '0' ? ', limit 0' : ''})` : ''}: ` +
          'it will not clear by retrying soon. Enable billing / a paid tier, use a model with quota, or request more.'
      : 'A quota may be used up: find which one in the console (IAM & Admin > Quotas) before retrying.',
  );
};

const rateThrottled: Rule = (d) => {
  const kind = quotaKind(d);
  if (!kind) return undefined;
  const base = kind === 'rate' ? 0.85 : kind === 'capacity' ? 0.85 : kind === 'hard' ? 0.3 : 0.55;
  const h = new Hit(d, base);
  quotaEvidence(h, d);
  if (d.signal('out_of_capacity'))
    h.signal('out_of_capacity', 'shared capacity is exhausted, not your quota');
  if (d.signal('resource_exhausted')) h.signal('resource_exhausted', 'generic RESOURCE_EXHAUSTED');
  if (kind === 'hard')
    h.against.push('the quota named is daily / free-tier / zero: waiting a minute will not help');
  return h.done(
    'Short-term throttling (a per-minute limit or shared capacity). Retry with exponential backoff, ' +
      'spread load, use the global endpoint, or raise the per-minute quota / buy provisioned throughput.',
  );
};

const orgPolicy: Rule = (d) => {
  if (!d.facts.constraint && !d.signal('org_policy')) return undefined;
  const h = new Hit(d, d.facts.constraint ? 0.92 : 0.75).fact('constraint').fact('status').fact('message');
  if (d.signal('vpc_sc')) h.minus(0.3, 'a VPC Service Controls perimeter is named as well');
  return h.done(
    `An organization policy${d.facts.constraint ? ` (${code(d.facts.constraint)})` : ''} forbids the call or setting. ` +
      'Use a value the policy allows (e.g. an allowed location), or ask the org policy admin for an exception.',
  );
};

const vpcSc: Rule = (d) => {
  if (!d.signal('vpc_sc') && !d.facts.vpcScId && d.facts.reason !== 'SECURITY_POLICY_VIOLATED')
    return undefined;
  const h = new Hit(d, 0.92).fact('vpcScId').fact('reason').fact('message');
  return h.done(
    'A VPC Service Controls perimeter blocked the call. Call from inside the perimeter or have the admin add an ingress/egress rule; ' +
      'the unique identifier finds the exact violation in the audit log.',
  );
};

const actAs: Rule = (d) => {
  const perm = d.permission;
  let base = 0;
  if (isActAs(perm)) base = 0.9;
  else if (
    d.signal('refresh_error') &&
    (d.signal('impersonation') || /impersonat/.test(d.notes.text.toLowerCase()))
  )
    base = 0.6;
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('permission').fact('service').fact('status');
  addPrincipal(h, d);
  if (d.signal('service_agent_denied'))
    h.minus(0.15, 'a Google-managed service agent is the one refused: see iam.service_agent');
  if (/workload identity/i.test(d.notes.text))
    h.context(
      'notes',
      'Workload Identity Federation',
      'the federated principal must be allowed to impersonate the service account',
    );
  return h.done(
    `The caller may not act as / mint tokens for the service account (${code(perm ?? 'iam.serviceAccounts.getAccessToken')}). ` +
      'Grant roles/iam.serviceAccountTokenCreator (or roles/iam.workloadIdentityUser for WIF principals) ON the service account itself, not only at project level.',
  );
};

const denyPolicy: Rule = (d) => {
  let base = 0;
  if (d.signal('deny_policy')) base = 0.85;
  else if (d.notes.denyPolicy && d.denied) base = 0.45;
  if (base === 0) return undefined;
  const h = new Hit(d, base).fact('permission').fact('message');
  return h.done(
    'An IAM deny policy blocks the permission even though an allow policy grants it. Review the deny policies on the project / folder / org.',
  );
};

const serviceAgent: Rule = (d) => {
  const p = d.principal;
  const named = d.signal('service_agent_named');
  if (cmekKeyUse(d) && p?.kind !== 'service_agent') {
    const h = new Hit(d, 0.84).fact('permission', 'a key use checked on the service that encrypts for you');
    if (d.signal('cmek_key_use')) h.signal('cmek_key_use', 'a customer-managed key (CMEK) was used');
    return h.done(
      `A Google service used the customer-managed KMS key for you and its service agent lacks ${code(d.permission)}. ` +
        "Grant roles/cloudkms.cryptoKeyEncrypterDecrypter on the key to that service's agent " +
        '(e.g. service-PROJECT_NUMBER@compute-system.iam.gserviceaccount.com for Compute Engine disks).',
    );
  }
  if (p?.kind !== 'service_agent' && !named) return undefined;
  if (!d.denied && !d.signal('caller_lacks_permission') && !d.permission) return undefined;
  const base = d.signal('service_agent_denied')
    ? 0.86
    : p?.kind !== 'service_agent'
      ? 0.62
      : p.source === 'error'
        ? 0.8
        : p.source === 'context'
          ? 0.75
          : 0.7;
  const h = new Hit(d, base).fact('permission').fact('project');
  addPrincipal(h, d);
  if (named && p?.kind !== 'service_agent')
    h.signal('service_agent_named', 'the message names a service agent');
  if (d.signal('service_agent_denied'))
    h.signal('service_agent_denied', 'the message says a service agent lacks the access');
  if (p?.source === 'managed-runtime')
    h.context('notes', d.notes.managedRuntime ?? '', 'the code runs inside a Google-managed runtime');
  if (d.notes.retrySucceeds || d.notes.justGranted)
    h.minus(0.1, 'the same call works on retry: the grant may just be propagating');
  return h.done(
    `The call is made by a Google-managed service agent, ${describePrincipal(p)}, which lacks access. ` +
      'Grant the role to that service agent (not to your own service account) on the resource it needs.',
  );
};

const propagationDelay: Rule = (d) => {
  const retried = d.notes.retrySucceeds || d.notes.justGranted;
  if (!retried && !justCreated(d)) return undefined;
  // Right after a create, a read can answer 403 or 404 until the new resource is visible.
  const createdNotSeen = justCreated(d) && d.notFound;
  if (
    !d.denied &&
    !createdNotSeen &&
    !d.signal('caller_lacks_permission') &&
    !d.permission &&
    !d.signal('grant_role_hint')
  )
    return undefined;
  // Retry / grant timing in the notes is strongest; a read right after a create in the text
  // (Terraform's "after creation") next; a resource created in the same run only by the notes least.
  const base = retried ? 0.82 : d.signal('read_after_create') ? 0.82 : 0.66;
  const h = new Hit(d, base).fact('permission').fact('principal');
  if (d.signal('read_after_create'))
    h.signal('read_after_create', 'the resource was read back right after it was created');
  h.context(
    'notes',
    d.notes.text,
    d.notes.retrySucceeds
      ? 'the same call succeeds when retried'
      : d.notes.justGranted
        ? 'the grant was made just before the call'
        : 'what the call touches was created just before it',
  );
  return h.done(
    'The grant exists but had not propagated when the call ran (IAM changes take minutes). ' +
      'Wait for propagation before the first call (poll testIamPermissions), or retry with backoff.',
  );
};

export const RULES: Record<Exclude<CauseId, 'unknown'>, Rule> = {
  'iam.missing_permission': missingPermission,
  'iam.cross_project': crossProject,
  'iam.vpc_service_controls': vpcSc,
  'iam.deny_policy': denyPolicy,
  'iam.propagation_delay': propagationDelay,
  'iam.service_agent': serviceAgent,
  'iam.act_as': actAs,
  'project.mismatch': projectMismatch,
  'project.invalid': projectInvalid,
  'api.disabled': apiDisabled,
  'billing.disabled': billingDisabled,
  'quota_project.denied': quotaProjectDenied,
  'model.not_found': modelNotFound,
  'model.location_unsupported': modelLocationUnsupported,
  'model.access_restricted': modelAccessRestricted,
  'region.unsupported': regionUnsupported,
  'auth.credentials_missing': credentialsMissing,
  'auth.credentials_invalid': credentialsInvalid,
  'auth.scope_insufficient': scopeInsufficient,
  'auth.api_key_invalid': apiKeyInvalid,
  'auth.api_key_unsupported': apiKeyUnsupported,
  'quota.exceeded': quotaExceeded,
  'rate.throttled': rateThrottled,
  'org_policy.violation': orgPolicy,
};

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
