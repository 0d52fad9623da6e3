/**
 * Redacts every string inside a JSON-like value before it is serialised. Redacting the JSON text
 * instead could cut through an escape sequence (`\"`) and leave invalid JSON; redacting an HTML
 * or Markdown rendering could cut through an entity or escape.
 *
 * What holds no secret is returned as it is, not copied: a log analysis is tens of thousands of
 * nodes (per-minute counts, plans) of which almost none change, and copying them all cost more
 * than the redaction itself. Callers serialise the result; none mutates it.
 */
import { redactSecrets } from './redact.js';

export function redactDeep<T>(value: T, redact: (s: string) => string = redactSecrets): T {
  // Plans and diagnoses repeat the same strings across incidents: each is redacted once.
  const seen = new Map<string, string>();
  const once = (s: string): string => {
    let r = seen.get(s);
    if (r === undefined) {
      r = redact(s);
      seen.set(s, r);
    }
    return r;
  };
  return walk(value, once) as T;
}

function walk(value: unknown, redact: (s: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = walk(v, redact);
      if (r !== v) {
        out ??= value.slice();
        out[i] = r;
      }
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const r = walk(v, redact);
    if (r !== v) {
      out ??= { ...obj };
      out[k] = r;
    }
  }
  return out ?? value;
}
