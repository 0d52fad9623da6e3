/**
 * JSON logs for Cloud Run and Datadog: one object per line, `level` as a word (and `severity` for
 * Cloud Logging), `dd.trace_id` / `dd.span_id` of the active span for log-trace correlation, and
 * every log call's message, fields and errors redacted before pino serialises them
 * (redactLogArguments), so no credential can reach the log whatever a message or an error carries,
 * in whatever escape or encoding.
 */
import tracer from 'dd-trace';
import { redactLogArguments, requestForLog } from 'genai-doctor';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Defaults to stdout. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** The active span's ids in dd-trace's own log format ({dd: {trace_id, span_id, service, env, version}}). */
function traceCorrelation(): Record<string, unknown> {
  const span = tracer.scope().active();
  if (!span) return {};
  const carrier: Record<string, unknown> = {};
  tracer.inject(span.context(), 'log', carrier);
  return carrier;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      messageKey: 'message',
      // `timestamp` (ISO 8601) is one of the attributes Datadog's date remapper reads by default.
      timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label, severity: SEVERITY[label] ?? 'DEFAULT' }),
      },
      // Explicit correlation works whether or not dd-trace's pino integration hooked this module
      // (ESM entry points load pino outside the require hooks); the integration skips records
      // that already carry `dd`.
      mixin: traceCorrelation,
      // fastify's request serializer, with query values redacted (fastify's own logs the raw URL).
      serializers: { req: requestForLog },
      hooks: {
        logMethod(args, method) {
          return method.apply(this, redactLogArguments(args) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
