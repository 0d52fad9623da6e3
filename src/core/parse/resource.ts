/**
 * Resource names in error text: full (`//aiplatform.googleapis.com/projects/P/locations/L/
 * publishers/google/models/M`) and relative (`projects/P/locations/L/endpoints/E`), plus the
 * project-id checks the rules need (placeholders, redactions, syntax).
 */

export interface ResourceName {
  /** Offsets of the whole name in the scanned text. */
  start: number;
  end: number;
  text: string;
  /** API host of a full resource name, e.g. aiplatform.googleapis.com. */
  service?: string;
  project: string;
  projectStart: number;
  location?: string;
  locationStart?: number;
  publisher?: string;
  model?: string;
  modelStart?: number;
  endpoint?: string;
}

/** Characters that end a path segment. Brackets stay in (`[PROJECT_ID]` placeholders). */
function endsSegment(c: string): boolean {
  return (
    c === '/' ||
    c === ' ' ||
    c === '\n' ||
    c === '\r' ||
    c === '\t' ||
    c === "'" ||
    c === '"' ||
    c === '`' ||
    c === ',' ||
    c === ')' ||
    c === ';' ||
    c === '?' ||
    c === ':' ||
    c === '<' ||
    c === '>' ||
    c === '\\' ||
    c === '}' ||
    c === '&' ||
    c === '#'
  );
}

function readSegment(s: string, at: number): string {
  // A `<PLACEHOLDER>` segment (reporters redact ids that way) is one segment, brackets kept.
  if (s[at] === '<' || s[at] === '{') {
    const close = /^(?:<[A-Za-z0-9_.-]{1,60}>|\{[A-Za-z0-9_. -]{1,60}\})/.exec(s.slice(at, at + 64));
    if (close) return close[0];
  }
  let end = at;
  while (end < s.length && end - at < 200 && !endsSegment(s[end] as string)) end++;
  let seg = s.slice(at, end);
  // A sentence end or a closing bracket that is not part of a `[PLACEHOLDER]`.
  while (seg.endsWith('.') || (seg.endsWith(']') && !seg.includes('['))) seg = seg.slice(0, -1);
  return seg;
}

/** Every `projects/...` path in `s`, left to right. */
export function findResourceNames(s: string, limit = 100): ResourceName[] {
  const out: ResourceName[] = [];
  let from = 0;
  while (out.length < limit) {
    const at = s.indexOf('projects/', from);
    if (at < 0) break;
    from = at + 9;
    // `projects/` inside a longer word (e.g. `myprojects/`) is not a resource name.
    const prev = at > 0 ? (s[at - 1] as string) : ' ';
    if (/[A-Za-z0-9_-]/.test(prev)) continue;
    const project = readSegment(s, at + 9);
    // `projects/-` is the wildcard of IAM paths (`projects/-/serviceAccounts/EMAIL`): no project.
    if (!project || project === '-') continue;
    const r: ResourceName = {
      start: at,
      end: at + 9 + project.length,
      text: '',
      project,
      projectStart: at + 9,
    };
    let pos = r.end;
    // Walk the collection/id pairs that follow.
    for (let pairs = 0; pairs < 8 && s[pos] === '/'; pairs++) {
      const coll = readSegment(s, pos + 1);
      if (!coll) break;
      const idAt = pos + 1 + coll.length + 1;
      if (s[idAt - 1] !== '/') break;
      const id = readSegment(s, idAt);
      if (!id) break;
      if (coll === 'locations') {
        r.location = id;
        r.locationStart = idAt;
      } else if (coll === 'publishers') r.publisher = id;
      else if (coll === 'models') {
        r.model = id;
        r.modelStart = idAt;
      } else if (coll === 'endpoints') r.endpoint = id;
      pos = idAt + id.length;
      r.end = pos;
    }
    // `//host/projects/...`: the API the resource belongs to.
    if (at >= 2 && s[at - 1] === '/') {
      const lineStart = Math.max(0, at - 120);
      const dbl = s.lastIndexOf('//', at - 2);
      if (dbl >= lineStart) {
        const host = s.slice(dbl + 2, at - 1);
        if (/^[a-z0-9.-]{1,100}\.googleapis\.com$/.test(host)) {
          r.service = host.replace(/^[a-z0-9-]+-(?=aiplatform\.googleapis\.com$)/, '');
          r.start = dbl;
        }
      }
    }
    r.text = s.slice(r.start, r.end);
    out.push(r);
    from = Math.max(from, r.end);
  }
  return out;
}

export type ProjectPlaceholder = 'placeholder' | 'redacted';

const PLACEHOLDER_IDS = new Set([
  'my-project',
  'my-project-id',
  'your-project',
  'your-project-id',
  'project-id',
  'project_id',
  'projectid',
  'my_project',
  'your_project_id',
  'example-project',
  'test-project',
  'gcp-project',
  'my-gcp-project',
  'none',
  'null',
  'undefined',
]);

/**
 * Whether a project value is a template placeholder (`YOUR-PROJECT-ID`, `PROJECT_ID`,
 * `[PROJECT_ID]`, `${PROJECT}`, `my-project`) or a redaction (`XXXX`, `******`, `advance-river-******-i5`).
 */
export function projectPlaceholder(p: string): ProjectPlaceholder | undefined {
  const v = p.trim();
  if (v.length === 0) return 'placeholder';
  if (/[*]{2,}|x{4,}|X{4,}|\.\.\.|…/.test(v) || /^[xX#*]+$/.test(v)) return 'redacted';
  if (/REDACTED|REMOVED|HIDDEN|OMITTED/i.test(v)) return 'redacted';
  if (/^[[<{$%]|[\]>}]$/.test(v)) return 'placeholder';
  if (/^[A-Z][A-Z0-9_-]*$/.test(v) && /PROJECT|ID|NAME|NUMBER/.test(v)) return 'placeholder';
  if (PLACEHOLDER_IDS.has(v.toLowerCase())) return 'placeholder';
  return undefined;
}

export type ProjectIdProblem = 'whitespace' | 'uppercase' | 'underscore' | 'bad_length' | 'bad_characters';

/**
 * Why `p` cannot be a real project id (6-30 chars, lower-case letters, digits, hyphens, starting
 * with a letter), or undefined when it can. Project numbers are valid.
 */
export function projectIdProblem(p: string): ProjectIdProblem | undefined {
  if (/^\d{6,20}$/.test(p)) return undefined;
  // Domain-scoped ids (`example.com:my-project`) are legal.
  const id = p.includes(':') ? p.slice(p.lastIndexOf(':') + 1) : p;
  if (id !== id.trim()) return 'whitespace';
  if (/[A-Z]/.test(id)) return 'uppercase';
  if (id.includes('_')) return 'underscore';
  if (id.length < 6 || id.length > 30) return 'bad_length';
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(id)) return 'bad_characters';
  return undefined;
}

export function isProjectNumber(p: string): boolean {
  return /^\d{6,20}$/.test(p);
}

/** Google-managed tenant projects (`...-tp`) belong to a service, never to the user. */
export function isTenantProject(p: string): boolean {
  return /^[a-z][a-z0-9]{8,}-tp$/.test(p);
}
