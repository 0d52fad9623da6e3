/**
 * Time bounds as users write them: `now`, `now-24h` / `now-15m` / `now-7d`, ISO 8601, or epoch
 * milliseconds. Datadog accepts the relative forms itself; Cloud Logging filters need ISO.
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Epoch ms of a bound, or undefined when it cannot be read. */
export function parseTimeBound(value: string, now: number = Date.now()): number | undefined {
  const v = value.trim();
  if (v === 'now') return now;
  const rel = /^now-(\d+)([smhdw])$/.exec(v);
  if (rel) return now - Number(rel[1]) * (UNIT_MS[rel[2] as string] as number);
  if (/^\d{12,}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
