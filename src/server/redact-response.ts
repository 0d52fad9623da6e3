/**
 * Every string in every JSON answer passes through redactSecrets before it is serialised, so a key
 * or token pasted into the console (or found in an uploaded log) never comes back out of the API,
 * whichever route or error path produced the answer.
 */
import { redactSecrets } from '../core/redact.js';

export function redactDeep(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  // Dates and the like serialise through toJSON; redact what they turn into.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redactDeep(toJSON.call(value), seen);
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, seen);
  return out;
}
