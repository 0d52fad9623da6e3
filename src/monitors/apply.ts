/**
 * Creates or updates our Datadog monitors through the v1 Monitors API (src/datadog/api.ts),
 * idempotently: existing monitors are found by our tags (managed-by + the monitor's key + service
 * + env); one that already says what we would write is left alone, so a second run changes nothing.
 */
import { DatadogApi, type DatadogMonitorRecord } from '../datadog/api.js';
import { type DatadogMonitor, MANAGED_BY_TAG, MONITOR_KEY_TAG, tagValue } from './definitions.js';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface ApplyResult {
  key: string;
  name: string;
  id: number;
  outcome: ApplyOutcome;
  /** Fields that differed (updates only). */
  changed: string[];
}

/** The fields of a wanted monitor that differ from an existing one (API JSON, snake_case). */
export function monitorDiff(want: DatadogMonitor, have: Record<string, unknown>): string[] {
  const changed: string[] = [];
  for (const k of ['name', 'type', 'query', 'message', 'priority'] as const) {
    if (want[k] !== have[k]) changed.push(k);
  }
  const haveTags = new Set(Array.isArray(have.tags) ? (have.tags as string[]) : []);
  if (want.tags.length !== haveTags.size || want.tags.some((t) => !haveTags.has(t))) changed.push('tags');
  const haveOptions = (have.options ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(want.options)) {
    if (v === undefined) continue;
    if (JSON.stringify(v) !== JSON.stringify(pick(haveOptions[k], v))) changed.push(`options.${k}`);
  }
  return changed;
}

/** The part of `have` that `want` describes (API responses add defaults we do not set). */
function pick(have: unknown, want: unknown): unknown {
  if (typeof want !== 'object' || want === null || typeof have !== 'object' || have === null) return have;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(want))
    out[k] = pick((have as Record<string, unknown>)[k], (want as Record<string, unknown>)[k]);
  return out;
}

export async function applyMonitors(
  monitors: Array<{ key: string; monitor: DatadogMonitor }>,
  where: { service: string; env?: string; url?: string },
): Promise<ApplyResult[]> {
  const api = new DatadogApi(where.url);
  const scopeTags = [MANAGED_BY_TAG, `service:${tagValue(where.service)}`];
  if (where.env) scopeTags.push(`env:${tagValue(where.env)}`);
  const existing: DatadogMonitorRecord[] = [];
  for (let page = 0; ; page++) {
    const batch = await api.listMonitors({ monitorTags: scopeTags.join(','), page, pageSize: 100 });
    existing.push(...batch);
    if (batch.length < 100) break;
  }
  const results: ApplyResult[] = [];
  for (const { key, monitor } of monitors) {
    const keyTag = `${MONITOR_KEY_TAG}:${key}`;
    const match = existing.find(
      (m) => m.tags?.includes(keyTag) && scopeTags.every((t) => m.tags?.includes(t)),
    );
    if (!match?.id) {
      const created = await api.createMonitor(monitor);
      results.push({ key, name: monitor.name, id: created.id ?? 0, outcome: 'created', changed: [] });
      continue;
    }
    const changed = monitorDiff(monitor, match);
    if (changed.length === 0) {
      results.push({ key, name: monitor.name, id: match.id, outcome: 'unchanged', changed });
      continue;
    }
    await api.updateMonitor(match.id, monitor);
    results.push({ key, name: monitor.name, id: match.id, outcome: 'updated', changed });
  }
  return results;
}
