/**
 * The failures-per-minute timeline of a whole log: every incident's per-minute buckets summed,
 * with quiet minutes between the first and last failure filled with zeros so the chart's x axis
 * is true time.
 */
import type { Incident } from '../core/incidents/model.js';
import type { TimelinePoint } from './engine.js';

const MINUTE = 60_000;
/** Beyond this many minutes the gaps are not filled (the chart would be bars of one pixel). */
const MAX_FILLED_MINUTES = 24 * 60;

export function failuresPerMinute(incidents: Pick<Incident, 'perMinute'>[]): TimelinePoint[] {
  const byMinute = new Map<number, number>();
  for (const incident of incidents) {
    for (const bucket of incident.perMinute) {
      const t = Date.parse(bucket.minute);
      if (Number.isNaN(t)) continue;
      const minute = Math.floor(t / MINUTE) * MINUTE;
      byMinute.set(minute, (byMinute.get(minute) ?? 0) + bucket.count);
    }
  }
  if (byMinute.size === 0) return [];
  const minutes = [...byMinute.keys()].sort((a, b) => a - b);
  const first = minutes[0]!;
  const last = minutes[minutes.length - 1]!;
  const span = (last - first) / MINUTE + 1;
  const keys =
    span <= MAX_FILLED_MINUTES ? Array.from({ length: span }, (_, i) => first + i * MINUTE) : minutes;
  return keys.map((m) => ({ minute: new Date(m).toISOString(), failures: byMinute.get(m) ?? 0 }));
}
