/**
 * Redaction for loggers, applied to a log call's arguments BEFORE the logger serialises them
 * (pino's `hooks.logMethod`): redacting the serialised line instead works on JSON escapes and can
 * cut a JSON string open (a truncated private key redacted "to the end of the text" would eat the
 * closing quote). Strings are redacted, plain objects and arrays deeply, errors become plain
 * `{type, message, stack, code}` objects with those redacted (their fields are not enumerable, so
 * a deep walk would pass them by). Other objects (a request, a reply) are left to the logger's
 * serializers, which pick the few fields they log.
 */
import { redactSecrets } from './redact.js';
import { redactDeep } from './redact-deep.js';

export function redactLogArguments(args: unknown[]): unknown[] {
  return args.map((arg) => redactLogValue(arg, true));
}

function redactLogValue(value: unknown, descend: boolean): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value instanceof Error) return plainError(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value) || isPlain(value)) {
    if (!descend) return redactDeep(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactLogValue(v, false);
    return Array.isArray(value) ? Object.values(out) : out;
  }
  return value;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An error as pino's standard serializer writes it, redacted. */
function plainError(e: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.name, message: redactSecrets(e.message) };
  if (e.stack) out.stack = redactSecrets(e.stack);
  for (const [k, v] of Object.entries(e)) out[k] = redactLogValue(v, false);
  if (e.cause !== undefined && depth < 3)
    out.cause = e.cause instanceof Error ? plainError(e.cause, depth + 1) : redactLogValue(e.cause, false);
  return out;
}

/**
 * A request URL for an access log: the path redacted, and every query value replaced (a query
 * string carries keys and tokens under any name: `?key=`, `?token=`, `?sig=`), names kept.
 */
export function redactUrlForLog(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return redactSecrets(url);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq)}=[REDACTED]`;
    })
    .join('&');
  return `${redactSecrets(url.slice(0, q))}?${redactSecrets(query)}`;
}

/** What an access log records of a request (fastify's `req` serializer): never the query values. */
export function requestForLog(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrlForLog(req.url ?? ''),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
