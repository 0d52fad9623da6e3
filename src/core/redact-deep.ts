/**
 * Redacts every string inside a JSON-like value before it is serialised. Redacting the JSON text
 * instead could cut through an escape sequence (`\"`) and leave invalid JSON; redacting an HTML
 * or Markdown rendering could cut through an entity or escape.
 */
import { redactSecrets } from './redact.js';

export function redactDeep<T>(value: T, redact: (s: string) => string = redactSecrets): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact);
    return out as T;
  }
  return value;
}
