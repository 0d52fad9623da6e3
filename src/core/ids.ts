/**
 * What a valid identifier of each kind looks like: the one test every value passes before it is
 * placed into a suggested command (next checks, plans, gcloud scripts, Terraform) or accepted from
 * a flag. Values come from error text the user pasted, which may come from anywhere: a "project"
 * of `--flags-file=evil` or `$(curl ...)` must never reach a command line. A value that fails
 * becomes a named variable (`$PROJECT_ID`, `<PROJECT_ID>`) instead.
 *
 * The shapes follow Google's own rules (project ids: 6-30 lowercase letters, digits and hyphens,
 * starting with a letter; service account e-mails; `roles/...` names...). None of them admits a
 * leading `-`, whitespace, quotes, `$`, backticks, `;`, `|`, `&`, `<`, `>` or a newline.
 */

const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const PROJECT_ID = '[a-z][a-z0-9-]{4,28}[a-z0-9]';
/** Legacy domain-scoped ids: `example.com:my-project`. */
const SCOPED_PROJECT_ID = `(?:${DNS_LABEL}(?:\\.${DNS_LABEL})+:)?${PROJECT_ID}`;
const DOMAIN = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}';
const EMAIL = `[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@${DOMAIN}`;
const ROLE_ID = '[A-Za-z0-9_.]{1,64}';

const SHAPES = {
  projectId: new RegExp(`^${SCOPED_PROJECT_ID}$`),
  projectNumber: /^[0-9]{1,20}$/,
  /** A project by id or number (what `--project` and a `projects/X` segment take). */
  project: new RegExp(`^(?:${SCOPED_PROJECT_ID}|[0-9]{1,20})$`),
  /** Regions, zones, multi-regions and `global`: `us-central1`, `europe-west4-b`, `us`, `global`. */
  location: /^[a-z]{2,}(?:-[a-z]+[0-9]*){0,3}(?:-[a-z])?$/,
  email: new RegExp(`^${EMAIL}$`),
  member: new RegExp(
    `^(?:(?:user|serviceAccount|group):${EMAIL}|domain:${DOMAIN}|allUsers|allAuthenticatedUsers|principal(?:Set)?://[A-Za-z0-9][A-Za-z0-9._@/:-]{0,400})$`,
  ),
  role: new RegExp(
    `^(?:roles/${ROLE_ID}|projects/${SCOPED_PROJECT_ID}/roles/${ROLE_ID}|organizations/[0-9]{1,20}/roles/${ROLE_ID})$`,
  ),
  /** `aiplatform.endpoints.predict`. */
  permission: /^[a-z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+){1,4}$/,
  /** An API: `aiplatform.googleapis.com`. */
  apiService: new RegExp(`^${DNS_LABEL}(?:\\.${DNS_LABEL})+$`),
  /** A Cloud Run service. */
  runService: /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
  /** A workload a user names (a Cloud Run service, a GKE deployment, a Datadog service). */
  workloadName: /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
  /** `gemini-2.0-flash-001`, `models/gemini-pro`, `gemini-1.5-pro@002`. */
  model: /^(?:models\/)?[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/,
  /** An organization-policy constraint, with or without `constraints/`. */
  constraint: /^(?:constraints\/)?[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+$/,
  /** VPC Service Controls' unique identifier of a violation. */
  opaqueId: /^[A-Za-z0-9][A-Za-z0-9_-]{0,255}$/,
  /** A full resource name: `//cloudresourcemanager.googleapis.com/projects/p`. */
  fullResourceName: new RegExp(`^//${DNS_LABEL}(?:\\.${DNS_LABEL})+(?:/[A-Za-z0-9._@:~+-]+)+$`),
  /** `projects/123` and similar resource references (a quota consumer). */
  resourceRef: /^[a-z][a-zA-Z]*\/[A-Za-z0-9][A-Za-z0-9._:-]*(?:\/[A-Za-z0-9._:-]+)*$/,
} as const;

export type IdKind = keyof typeof SHAPES;

/** The kinds of id each context field (a CLI flag, a console field) may hold. */
export const CONTEXT_ID_KINDS = {
  project: ['project'],
  principal: ['email', 'member'],
  actor: ['email', 'member'],
  location: ['location'],
  region: ['location'],
  model: ['model'],
  service: ['workloadName', 'apiService'],
} as const satisfies Record<string, readonly IdKind[]>;

/** What each kind is called in messages. */
const NAMES: Record<IdKind, string> = {
  projectId: 'project id (6-30 lowercase letters, digits and hyphens, starting with a letter)',
  projectNumber: 'project number (digits only)',
  project:
    'project id (6-30 lowercase letters, digits and hyphens, starting with a letter) or project number',
  location: 'location (a region such as us-central1, or global)',
  email: 'e-mail address',
  member:
    'IAM member (user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, principal://..., principalSet://...)',
  role: 'role name (roles/NAME, projects/P/roles/ID or organizations/N/roles/ID)',
  permission: 'IAM permission (service.resource.verb)',
  apiService: 'API service name (such as aiplatform.googleapis.com)',
  runService: 'service name (lowercase letters, digits and hyphens, starting with a letter)',
  workloadName: 'service name (letters, digits, ., _ and -, starting with a letter or digit)',
  model: 'model id (such as gemini-2.0-flash-001)',
  constraint: 'constraint name (such as constraints/gcp.resourceLocations)',
  opaqueId: 'identifier (letters, digits, _ and -)',
  fullResourceName: 'full resource name (//service.googleapis.com/...)',
  resourceRef: 'resource name (such as projects/123)',
};

/**
 * A JSON-schema `pattern` accepting a valid id of any of `kinds`, or the empty string (a form
 * field left blank): the console API validates its fields with the same shapes.
 */
export function idPattern(kinds: readonly IdKind[]): string {
  return `^(?:|${kinds.map((k) => SHAPES[k].source.slice(1, -1)).join('|')})$`;
}

export function isValidId(kind: IdKind, value: string): boolean {
  return value.length <= 1024 && SHAPES[kind].test(value);
}

/** The value when it is a valid id of `kind`, else undefined (the caller falls back to a variable). */
export function validId(kind: IdKind, value: string | undefined): string | undefined {
  return value !== undefined && isValidId(kind, value) ? value : undefined;
}

/** A valid id of any of `kinds`. */
export function validIdOf(kinds: readonly IdKind[], value: string | undefined): string | undefined {
  return value !== undefined && kinds.some((k) => isValidId(k, value)) ? value : undefined;
}

/** Why `value` is refused as any of `kinds`, for a usage error; undefined when it is valid. */
export function idProblem(kinds: IdKind | readonly IdKind[], value: string): string | undefined {
  const list = typeof kinds === 'string' ? [kinds] : kinds;
  if (list.some((k) => isValidId(k, value))) return undefined;
  return `${JSON.stringify(value)} is not a valid ${list.map((k) => NAMES[k]).join(' or ')}`;
}

/** Google-managed and user-managed service accounts alike end in `.gserviceaccount.com`. */
export function isServiceAccountEmail(email: string): boolean {
  return isValidId('email', email) && /\.gserviceaccount\.com$/i.test(email);
}

/**
 * A principal as an IAM member: kept when it names its kind (`user:`, `group:`, `domain:`,
 * `serviceAccount:`, `principal://`, `principalSet://`), else `serviceAccount:` for a service
 * account e-mail and `user:` for any other e-mail.
 */
export function memberOf(principal: string): string {
  if (/^[a-zA-Z]+:/.test(principal)) return principal;
  return isServiceAccountEmail(principal) ? `serviceAccount:${principal}` : `user:${principal}`;
}

export function emailOf(principal: string): string {
  return principal.replace(/^[a-zA-Z]+:/, '');
}
