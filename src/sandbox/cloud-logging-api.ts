/**
 * A local stand-in for Cloud Logging `entries.list` (`POST /v2/entries:list`): resourceNames,
 * a useful subset of the Logging query language (comparisons on field paths, `:` substring,
 * bare "text" global search, AND / OR / NOT, parentheses, timestamp bounds), orderBy, pageSize,
 * pageToken. Entries are LogEntry JSON as Cloud Logging returns it: Cloud Run application logs
 * and Cloud Audit Logs, with the seed incident in them. Errors come back in Google's error shape.
 * Mounted by the sandbox server; `startCloudLoggingApi()` runs it alone for tests.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { LogGenerator } from '../logs/synthetic.js';
import { requireOAuth } from './auth.js';
import { type BoolExpr, matchesBoolean, parseBoolean, unquote } from './bool-query.js';
import { errorInfo, GoogleApiError } from './errors.js';
import type { SandboxState } from './state.js';

type Obj = Record<string, unknown>;

export interface CloudLoggingApiOptions {
  entries?: Obj[];
  count?: number;
  /** Generated data ends here (epoch ms, default now). */
  end?: number;
  /**
   * The sandbox whose tokens and IAM policies decide who may read which project. Without it (the
   * stand-alone log source of the `logs` tests) any bearer token reads every project.
   */
  sandbox?: SandboxState;
}

export interface CloudLoggingApiState {
  entries: Obj[];
  requests: Obj[];
}

const SEVERITY = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];

/** Cloud Run entries and audit entries, with the seed incident (and its audit trail) 90 min before `end`. */
export function generateLoggingEntries(count = 2000, end = Date.now()): Obj[] {
  const gen = new LogGenerator({ seed: 11, start: end - 4 * 3_600_000, stepMs: 3000, failureRate: 0.01 });
  const entries: Obj[] = [];
  for (let i = 0; i < count; i++) entries.push(gen.record(i % 10 === 0 ? 'audit' : 'cloud-logging'));
  const burst = end - 90 * 60_000;
  for (let i = 0; i < 12; i++) entries.push(gen.seedAudit(burst + i * 20_000));
  return entries.sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp)));
}

// ---------------------------------------------------------------------------------------------
// Logging query language (subset)

type Atom = { op: 'cmp'; path: string; cmp: string; value: string } | { op: 'text'; value: string };
type Cond = BoolExpr<Atom>;

function tokenize(filter: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|>=|<=|!=|=~|!~|[=<>:]|[^\s()"=<>:!]+)/gy;
  let m: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: the usual regex loop
  while ((m = re.exec(filter)) !== null) out.push(m[1] as string);
  return out;
}

const CMP = new Set(['=', '!=', '>', '<', '>=', '<=', ':', '=~', '!~']);

/**
 * Where a filter stops being Logging query language, as Logging reports it (a 400 "Unparseable
 * filter"): text the tokenizer cannot read (an open quote), unbalanced parentheses, a comparison
 * without a value. Undefined for a filter the sandbox can read.
 */
export function filterSyntaxError(filter: string): string | undefined {
  const tokens: Array<{ tok: string; at: number }> = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|>=|<=|!=|=~|!~|[=<>:]|[^\s()"=<>:!]+)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the usual regex loop
  while ((m = re.exec(filter)) !== null) {
    tokens.push({ tok: m[1] as string, at: re.lastIndex - (m[1] as string).length });
    end = re.lastIndex;
  }
  const where = (at: number, tok: string) =>
    `Unparseable filter: syntax error at line 1, column ${at + 1}, token '${tok}'`;
  if (filter.slice(end).trim() !== '')
    return where(
      end + (filter.slice(end).length - filter.slice(end).trimStart().length),
      filter.slice(end).trim()[0] as string,
    );
  let depth = 0;
  for (const [i, t] of tokens.entries()) {
    if (t.tok === '(') depth++;
    if (t.tok === ')' && --depth < 0) return where(t.at, ')');
    const next = tokens[i + 1];
    if (CMP.has(t.tok) && (!next || next.tok === ')' || CMP.has(next.tok) || i === 0)) {
      return where(next?.at ?? filter.length, next?.tok ?? '<EOF>');
    }
  }
  if (depth > 0) return where(filter.length, '<EOF>');
  return undefined;
}

export function parseLoggingFilter(filter: string): Cond {
  return parseBoolean<Atom>(tokenize(filter), (tok, r) => {
    // `-` before a term is NOT, as in the Logging query language.
    if (tok === '-') return { op: 'not', item: r.unary() };
    if (CMP.has(r.peek() ?? '')) {
      const cmp = r.next() as string;
      const value = unquote(r.next() ?? '');
      return { op: 'cmp', path: tok, cmp, value };
    }
    return { op: 'text', value: unquote(tok) };
  });
}

function fieldAt(e: unknown, path: string): unknown {
  let cur = e;
  // Paths may quote keys with dots or @ (protoPayload."@type").
  for (const p of path.match(/"[^"]*"|[^.]+/g) ?? []) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Obj)[unquote(p)];
  }
  return cur;
}

function compare(actual: unknown, cmp: string, value: string, path: string): boolean {
  if (actual === undefined || actual === null) return cmp === '!=';
  if (typeof actual === 'object') {
    if (cmp === ':') return JSON.stringify(actual).toLowerCase().includes(value.toLowerCase());
    return false;
  }
  const a = String(actual);
  if (path === 'severity') {
    const x = SEVERITY.indexOf(a.toUpperCase());
    const y = SEVERITY.indexOf(value.toUpperCase());
    return numeric(x, cmp, y);
  }
  if (path === 'timestamp' || path === 'receiveTimestamp')
    return numeric(Date.parse(a), cmp, Date.parse(value));
  if (typeof actual === 'number' && cmp !== ':') return numeric(actual, cmp, Number(value));
  switch (cmp) {
    case ':':
      return a.toLowerCase().includes(value.toLowerCase());
    case '=~':
      return new RegExp(value).test(a);
    case '!~':
      return !new RegExp(value).test(a);
    default:
      return numeric(a.localeCompare(value), cmp, 0);
  }
}

function numeric(a: number, cmp: string, b: number): boolean {
  switch (cmp) {
    case '=':
    case ':':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    default:
      return false;
  }
}

export function matchesFilter(e: Obj, c: Cond): boolean {
  return matchesBoolean(c, (a) =>
    a.op === 'cmp'
      ? compare(fieldAt(e, a.path), a.cmp, a.value, a.path)
      : JSON.stringify(e).toLowerCase().includes(a.value.toLowerCase()),
  );
}

const LOGGING = {
  service: 'logging.googleapis.com',
  method: 'google.logging.v2.LoggingServiceV2.ListLogEntries',
};
const LIST_PERMISSION = 'logging.logEntries.list';

/**
 * Logging's IAM refusal, the same for a project that does not exist and one the caller may not
 * read (Logging does not say which): the generic IAM wording with an ErrorInfo from
 * iam.googleapis.com naming only the permission, as Logging's own denials read (e.g.
 * `Permission 'logging.views.access' denied on resource (or it may not exist).`).
 */
function logEntriesListDenied(): GoogleApiError {
  return new GoogleApiError(
    403,
    'PERMISSION_DENIED',
    `Permission '${LIST_PERMISSION}' denied on resource (or it may not exist).`,
    [errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', { permission: LIST_PERMISSION })],
  );
}

/** Throws Logging's 403 unless `email` holds logging.logEntries.list on every named project. */
function authorizeProjects(sandbox: SandboxState, email: string, projects: string[]): void {
  for (const id of projects) {
    const project = sandbox.project(id);
    if (
      project?.lifecycleState !== 'ACTIVE' ||
      !sandbox.checkPermission(email, LIST_PERMISSION, project).granted
    )
      throw logEntriesListDenied();
  }
}

function googleError(reply: FastifyReply, code: number, status: string, message: string) {
  return reply.code(code).send({ error: { code, message, status } });
}

export default async function cloudLoggingApi(
  app: FastifyInstance,
  opts: CloudLoggingApiOptions & { state?: CloudLoggingApiState },
) {
  const state = opts.state ?? createCloudLoggingState(opts);

  // `:` starts a parameter in fastify paths; `::` is a literal colon.
  app.post('/v2/entries::list', async (req, reply) => {
    const who = opts.sandbox
      ? requireOAuth(opts.sandbox, req, new URL(req.url, 'http://sandbox.invalid').searchParams, LOGGING)
      : undefined;
    if (!who && !/^Bearer\s+\S+/i.test(String(req.headers.authorization ?? ''))) {
      return googleError(
        reply,
        401,
        'UNAUTHENTICATED',
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    const body = (req.body ?? {}) as Obj;
    state.requests.push(body);
    const names = Array.isArray(body.resourceNames) ? (body.resourceNames as string[]) : [];
    if (names.length === 0)
      return googleError(
        reply,
        400,
        'INVALID_ARGUMENT',
        'resourceNames: at least one resource name is required',
      );
    const projects: string[] = [];
    for (const n of names) {
      const m = /^projects\/([^/]+)$/.exec(n);
      if (!m) return googleError(reply, 400, 'INVALID_ARGUMENT', `Invalid resource name: ${n}`);
      projects.push(m[1] as string);
    }
    if (opts.sandbox && who) authorizeProjects(opts.sandbox, who.email, projects);
    const pageSize = body.pageSize === undefined ? 50 : Number(body.pageSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      return googleError(reply, 400, 'INVALID_ARGUMENT', 'pageSize must be between 1 and 1000');
    }
    const orderBy = String(body.orderBy ?? 'timestamp asc');
    if (orderBy !== 'timestamp asc' && orderBy !== 'timestamp desc') {
      return googleError(reply, 400, 'INVALID_ARGUMENT', `Invalid orderBy: ${orderBy}`);
    }
    let offset = 0;
    if (body.pageToken) {
      offset = Number(Buffer.from(String(body.pageToken), 'base64url').toString());
      if (!Number.isInteger(offset) || offset < 0)
        return googleError(reply, 400, 'INVALID_ARGUMENT', 'Invalid pageToken');
    }
    const syntax = filterSyntaxError(String(body.filter ?? ''));
    if (syntax) return googleError(reply, 400, 'INVALID_ARGUMENT', syntax);
    const cond = parseLoggingFilter(String(body.filter ?? ''));
    let hits = state.entries.filter(
      (e) =>
        projects.some((p) => String(e.logName ?? '').startsWith(`projects/${p}/`)) && matchesFilter(e, cond),
    );
    if (orderBy === 'timestamp desc') hits = hits.reverse();
    const entries = hits.slice(offset, offset + pageSize);
    const next =
      offset + pageSize < hits.length
        ? Buffer.from(String(offset + pageSize)).toString('base64url')
        : undefined;
    return next ? { entries, nextPageToken: next } : { entries };
  });
}

export function createCloudLoggingState(opts: CloudLoggingApiOptions = {}): CloudLoggingApiState {
  return { entries: opts.entries ?? generateLoggingEntries(opts.count, opts.end), requests: [] };
}

export async function startCloudLoggingApi(
  opts: CloudLoggingApiOptions & { port?: number; extra?: (app: FastifyInstance) => void } = {},
): Promise<{ url: string; state: CloudLoggingApiState; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  const state = createCloudLoggingState(opts);
  await app.register(cloudLoggingApi, { ...opts, state });
  opts.extra?.(app);
  const url = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  return { url, state, close: () => app.close() };
}
