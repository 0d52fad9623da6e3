/**
 * A local stand-in for the parts of Datadog's API genai-doctor uses: Logs search
 * (`POST /api/v2/logs/events/search`, cursor paging, time range, a useful subset of the search
 * syntax) and Monitors (`/api/v1/monitor` list / create / get / update / delete / validate).
 * It answers in Datadog's own JSON shapes (those `@datadog/datadog-api-client` and
 * src/datadog/api.ts read). Serves generated records that include the
 * seed incident. Mounted by the sandbox server; `startDatadogApi()` runs it alone for tests.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { LogGenerator, SEED } from '../logs/synthetic.js';
import { parseTimeBound } from '../logs/time.js';
import { type BoolExpr, matchesBoolean, parseBoolean, unquote } from './bool-query.js';

type Obj = Record<string, unknown>;

export interface DatadogApiOptions {
  /** Log events in the Logs API shape; generated (incl. the seed incident) when absent. */
  events?: Obj[];
  /** Generated data: how many background events, ending at `end` (epoch ms, default now). */
  count?: number;
  end?: number;
}

export interface DatadogApiState {
  events: Obj[];
  monitors: Map<number, Obj>;
  nextId: number;
  requests: Array<{ method: string; path: string }>;
}

/** Background traffic with a burst of the seed incident 90 minutes before `end`. */
export function generateDatadogEvents(count = 2000, end = Date.now()): Obj[] {
  const stepMs = 50;
  const gen = new LogGenerator({
    seed: 7,
    start: end - count * stepMs - 3 * 3_600_000,
    stepMs: stepMs * 60,
    failureRate: 0.01,
  });
  const events: Obj[] = [];
  for (let i = 0; i < count; i++) events.push(gen.record('datadog-api'));
  const burst = end - 90 * 60_000;
  for (let i = 0; i < 24; i++) {
    events.push(gen.seedEvent(burst + i * 20_000, i === 0 ? SEED.traceId : undefined));
  }
  return events.sort((a, b) => ts(a) - ts(b));
}

function ts(e: Obj): number {
  return Date.parse(String((e.attributes as Obj | undefined)?.timestamp ?? '')) || 0;
}

// ---------------------------------------------------------------------------------------------
// Search syntax: `key:value`, `key:"a b"`, bare words and "phrases" (full text on the message),
// `-term` negation, AND (implicit) / OR, parentheses.

type Term = { op: 'term'; key?: string; value: string };
type Expr = BoolExpr<Term>;

function tokenize(q: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|-?(?:[@\w.-]+:)?"(?:[^"\\]|\\.)*"|[^\s()]+)/gy;
  let m: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: the usual regex loop
  while ((m = re.exec(q)) !== null) out.push(m[1] as string);
  return out;
}

export function parseDatadogQuery(q: string): Expr {
  return parseBoolean<Term>(tokenize(q), (t) =>
    t.startsWith('-') && t.length > 1 ? { op: 'not', item: term(t.slice(1)) } : term(t),
  );
}

function term(t: string): Term {
  const m = /^([@\w.-]+):(.+)$/.exec(t);
  if (m && !t.startsWith('"')) return { op: 'term', key: m[1] as string, value: unquote(m[2] as string) };
  return { op: 'term', value: unquote(t) };
}

function glob(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === value.toLowerCase();
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(value);
}

function attrValue(a: Obj, key: string): string[] {
  if (['service', 'status', 'host'].includes(key)) return [String(a[key] ?? '')];
  if (key.startsWith('@')) {
    let cur: unknown = a.attributes;
    for (const p of key.slice(1).split('.')) cur = (cur as Obj | undefined)?.[p];
    return cur === undefined ? [] : [String(cur)];
  }
  const tags = Array.isArray(a.tags) ? (a.tags as string[]) : [];
  return tags.filter((t) => t.startsWith(`${key}:`)).map((t) => t.slice(key.length + 1));
}

export function matchesQuery(e: Obj, expr: Expr): boolean {
  const a = (e.attributes ?? {}) as Obj;
  return matchesBoolean(expr, (t) => {
    if (t.key) return attrValue(a, t.key).some((v) => glob(t.value, v));
    if (t.value === '*') return true;
    return String(a.message ?? '')
      .toLowerCase()
      .includes(t.value.toLowerCase());
  });
}

// ---------------------------------------------------------------------------------------------

function forbidden(reply: FastifyReply) {
  return reply.code(403).send({ errors: ['Forbidden'] });
}

function authorized(req: FastifyRequest): boolean {
  return (
    typeof req.headers['dd-api-key'] === 'string' && typeof req.headers['dd-application-key'] === 'string'
  );
}

function bad(reply: FastifyReply, message: string) {
  return reply.code(400).send({ errors: [message] });
}

const MONITOR_TYPES = new Set([
  'composite',
  'event alert',
  'log alert',
  'metric alert',
  'process alert',
  'query alert',
  'rum alert',
  'service check',
  'synthetics alert',
  'trace-analytics alert',
  'slo alert',
  'event-v2 alert',
  'audit alert',
  'error-tracking alert',
]);

/** What Datadog checks before it stores a monitor (the subset that catches real mistakes). */
function monitorProblems(body: Obj): string[] {
  const problems: string[] = [];
  if (typeof body.type !== 'string' || !MONITOR_TYPES.has(body.type))
    problems.push(`Invalid monitor type: ${String(body.type)}`);
  if (typeof body.query !== 'string' || body.query === '')
    problems.push("The value provided for parameter 'query' is invalid");
  const query = String(body.query ?? '');
  const threshold = /[<>]=?\s*(-?[\d.]+)\s*$/.exec(query)?.[1];
  if (
    body.type === 'log alert' &&
    !/^logs\(".*"\)\.index\("[^"]*"\)\.rollup\("count"\)(\.by\("[^"]*"\))?\.last\("\d+[mhd]"\) [<>]=? -?[\d.]+$/.test(
      query,
    )
  ) {
    problems.push(`Invalid log alert query: ${query}`);
  }
  const critical = ((body.options as Obj | undefined)?.thresholds as Obj | undefined)?.critical;
  if (threshold !== undefined && critical !== undefined && Number(critical) !== Number(threshold)) {
    problems.push('Alert threshold does not match query threshold');
  }
  return problems;
}

function storedMonitor(body: Obj, id: number, created?: string): Obj {
  const now = new Date().toISOString();
  const options = (body.options ?? {}) as Obj;
  return {
    id,
    name: body.name ?? '',
    type: body.type,
    query: body.query,
    message: body.message ?? '',
    tags: body.tags ?? [],
    priority: body.priority ?? null,
    options: {
      notify_no_data: false,
      notify_audit: false,
      new_host_delay: 300,
      include_tags: true,
      silenced: {},
      ...options,
    },
    multi: false,
    created: created ?? now,
    modified: now,
    deleted: null,
    restricted_roles: null,
    overall_state: 'No Data',
    overall_state_modified: null,
    creator: {
      email: 'genai-doctor@sandbox.local',
      handle: 'genai-doctor@sandbox.local',
      name: 'Sandbox',
      id: 1,
    },
    org_id: 1,
  };
}

export default async function datadogApi(
  app: FastifyInstance,
  opts: DatadogApiOptions & { state?: DatadogApiState },
) {
  const state: DatadogApiState = opts.state ?? createDatadogState(opts);

  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/api/'))
      state.requests.push({ method: req.method, path: req.url.split('?')[0] as string });
  });

  /**
   * Logs search, shared by POST /events/search (JSON body) and GET /events (query string), whose
   * `links.next` is a GET /events URL, as Datadog's is.
   */
  const searchLogs = (
    req: { protocol: string; headers: { host?: string } },
    reply: FastifyReply,
    args: { query?: string; from?: string; to?: string; limit?: unknown; cursor?: string; sort?: string },
  ) => {
    const now = Date.now();
    const from = parseTimeBound(String(args.from ?? 'now-15m'), now);
    const to = parseTimeBound(String(args.to ?? 'now'), now);
    if (from === undefined || to === undefined) return bad(reply, 'Invalid time range');
    const limit = Number(args.limit ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000)
      return bad(reply, 'page[limit] must be between 1 and 5000');
    const offset = args.cursor ? Number(Buffer.from(String(args.cursor), 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) return bad(reply, 'Invalid cursor');
    const expr = parseDatadogQuery(String(args.query ?? '*'));
    let hits = state.events.filter((e) => {
      const t = ts(e);
      return t >= from && t <= to && matchesQuery(e, expr);
    });
    if (args.sort === '-timestamp') hits = hits.reverse();
    const data = hits.slice(offset, offset + limit);
    const more = offset + limit < hits.length;
    const after = more ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    const next = new URLSearchParams({
      'filter[query]': String(args.query ?? '*'),
      'filter[from]': String(args.from ?? 'now-15m'),
      'filter[to]': String(args.to ?? 'now'),
      'page[limit]': String(limit),
      ...(args.sort ? { sort: args.sort } : {}),
      ...(after ? { 'page[cursor]': after } : {}),
    });
    return {
      data,
      links: more ? { next: `${req.protocol}://${req.headers.host}/api/v2/logs/events?${next}` } : {},
      meta: {
        elapsed: 3,
        request_id: `req-${offset}`,
        status: 'done',
        ...(after ? { page: { after } } : {}),
      },
    };
  };

  app.post('/api/v2/logs/events/search', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const body = (req.body ?? {}) as Obj;
    const filter = (body.filter ?? {}) as Obj;
    const page = (body.page ?? {}) as Obj;
    return searchLogs(req, reply, {
      query: filter.query as string | undefined,
      from: filter.from as string | undefined,
      to: filter.to as string | undefined,
      limit: page.limit,
      cursor: page.cursor as string | undefined,
      sort: body.sort as string | undefined,
    });
  });

  app.get('/api/v2/logs/events', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const q = req.query as Record<string, string | undefined>;
    return searchLogs(req, reply, {
      query: q['filter[query]'],
      from: q['filter[from]'],
      to: q['filter[to]'],
      limit: q['page[limit]'],
      cursor: q['page[cursor]'],
      sort: q.sort,
    });
  });

  // monitors/search: a page of monitor summaries with the counts Datadog's search returns.
  app.get('/api/v1/monitor/search', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const q = req.query as Record<string, string | undefined>;
    const text = (q.query ?? '').trim().toLowerCase();
    const perPage = Math.min(1000, Math.max(1, Number(q.per_page ?? 30) || 30));
    const page = Math.max(0, Number(q.page ?? 0) || 0);
    const matches = [...state.monitors.values()].filter((m) => {
      if (!text) return true;
      return text.split(/\s+/).every((term) => {
        const tag = /^tag:"?([^"]+)"?$/.exec(term)?.[1];
        if (tag) return ((m.tags as string[]) ?? []).includes(tag);
        return JSON.stringify([m.name, m.query, m.tags]).toLowerCase().includes(term.replace(/"/g, ''));
      });
    });
    const monitors = matches.slice(page * perPage, (page + 1) * perPage).map((m) => ({
      id: m.id,
      name: m.name,
      query: m.query,
      status: (m.overall_state as string | undefined) ?? 'No Data',
      tags: m.tags ?? [],
      type: m.type,
      creator: m.creator,
      classification: 'log',
      last_triggered_ts: null,
      metrics: [],
      notifications: [],
      org_id: m.org_id,
      scopes: [],
      overall_state_modified: null,
    }));
    return {
      monitors,
      metadata: {
        page,
        page_count: Math.max(1, Math.ceil(matches.length / perPage)),
        per_page: perPage,
        total_count: matches.length,
      },
      counts: { status: [], type: [], tag: [], muted: [] },
    };
  });

  app.get('/api/v1/monitor', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const q = req.query as Record<string, string | undefined>;
    const wanted = (q.monitor_tags ?? '').split(',').filter(Boolean);
    const scope = (q.tags ?? '').split(',').filter(Boolean);
    const pageSize = Number(q.page_size ?? 100);
    const pageNo = Number(q.page ?? 0);
    const all = [...state.monitors.values()].filter((m) => {
      const tags = (m.tags as string[]) ?? [];
      return wanted.every((t) => tags.includes(t)) && scope.every((t) => String(m.query).includes(t));
    });
    return q.page === undefined ? all : all.slice(pageNo * pageSize, (pageNo + 1) * pageSize);
  });

  app.post('/api/v1/monitor/validate', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const problems = monitorProblems((req.body ?? {}) as Obj);
    return problems.length ? reply.code(400).send({ errors: problems }) : {};
  });

  app.post('/api/v1/monitor', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const body = (req.body ?? {}) as Obj;
    const problems = monitorProblems(body);
    if (problems.length) return reply.code(400).send({ errors: problems });
    const id = state.nextId++;
    const m = storedMonitor(body, id);
    state.monitors.set(id, m);
    return m;
  });

  app.get('/api/v1/monitor/:id', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const m = state.monitors.get(Number((req.params as Obj).id));
    return m ?? reply.code(404).send({ errors: ['Monitor not found'] });
  });

  app.put('/api/v1/monitor/:id', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const id = Number((req.params as Obj).id);
    const existing = state.monitors.get(id);
    if (!existing) return reply.code(404).send({ errors: ['Monitor not found'] });
    const merged = { ...existing, ...((req.body ?? {}) as Obj) };
    const problems = monitorProblems(merged);
    if (problems.length) return reply.code(400).send({ errors: problems });
    const m = storedMonitor(merged, id, String(existing.created));
    state.monitors.set(id, m);
    return m;
  });

  app.delete('/api/v1/monitor/:id', async (req, reply) => {
    if (!authorized(req)) return forbidden(reply);
    const id = Number((req.params as Obj).id);
    if (!state.monitors.delete(id)) return reply.code(404).send({ errors: ['Monitor not found'] });
    return { deleted_monitor_id: id };
  });
}

export function createDatadogState(opts: DatadogApiOptions = {}): DatadogApiState {
  return {
    events: opts.events ?? generateDatadogEvents(opts.count, opts.end),
    monitors: new Map(),
    nextId: 1000,
    requests: [],
  };
}

/** Runs the stand-in alone on 127.0.0.1 (port 0 picks a free one). */
export async function startDatadogApi(
  opts: DatadogApiOptions & { port?: number } = {},
): Promise<{ url: string; state: DatadogApiState; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  const state = createDatadogState(opts);
  await app.register(datadogApi, { ...opts, state });
  const url = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  return { url, state, close: () => app.close() };
}
