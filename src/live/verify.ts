/**
 * `verify`: re-probes the target until the permission is visible AND a real call succeeds (a
 * real image generation too for image models), backing off exponentially up to a time bound.
 * Each round starts a fresh session: the workload may run as a new account or with a new env
 * after the fix, and nothing cached from a previous round may hide a change.
 */

import type { Diagnosis } from '../core/model.js';
import { describeError } from '../gcp/errors.js';
import { isImageModel } from '../gcp/vertex.js';
import { liveDiagnosis } from './findings.js';
import { type ProbeResult, realGenerate, runProbes } from './probes.js';
import { type CheckOptions, LiveSession } from './session.js';

export interface VerifyOptions {
  timeoutMs: number;
  intervalMs: number;
  maxIntervalMs?: number;
  log: (line: string) => void;
}

export interface VerifyResult {
  ok: boolean;
  elapsedMs: number;
  attempts: number;
  last: ProbeResult[];
  generated?: string;
  diagnosis?: Diagnosis;
}

export async function runVerify(check: CheckOptions, o: VerifyOptions): Promise<VerifyResult> {
  const start = performance.now();
  let interval = o.intervalMs;
  let attempts = 0;
  let last: ProbeResult[] = [];
  const elapsed = () => performance.now() - start;
  for (;;) {
    attempts++;
    const session = new LiveSession(check);
    last = await runProbes(session, { only: ['identity', 'permissions', 'call'] });
    const perm = last.find((p) => p.id === 'permissions');
    const call = last.find((p) => p.id === 'call');
    let generated: string | undefined;
    let genError: string | undefined;
    if (call?.status === 'ok') {
      const t = await session.target();
      if (isImageModel(t.model)) {
        const g = await realGenerate(session);
        if (g.ok) generated = g.summary;
        else genError = describeError(g.error);
      }
    }
    const ok = perm?.status === 'ok' && call?.status === 'ok' && !genError;
    const secs = (elapsed() / 1000).toFixed(1);
    const short = (p?: ProbeResult) =>
      p?.error
        ? [p.error.httpStatus || '', p.error.status, p.error.reason].filter(Boolean).join(' ')
        : (p?.summary ?? '?');
    o.log(
      `attempt ${attempts} (+${secs} s): permission ${perm?.status === 'ok' ? 'visible' : perm?.status === 'problem' ? 'not visible yet' : `unknown (${perm?.summary})`}; ` +
        `real call ${call?.status === 'ok' ? 'ok' : `failing (${short(call)})`}` +
        (genError ? `; generateContent failing (${genError})` : '') +
        (generated ? `; ${generated}` : ''),
    );
    if (ok) return { ok: true, elapsedMs: elapsed(), attempts, last, generated };
    if (elapsed() + interval > o.timeoutMs) {
      const target = await session.target().catch(() => undefined);
      return {
        ok: false,
        elapsedMs: elapsed(),
        attempts,
        last,
        diagnosis: target ? liveDiagnosis(target, last).diagnosis : undefined,
      };
    }
    await new Promise((r) => setTimeout(r, interval));
    interval = Math.min(interval * 2, o.maxIntervalMs ?? 60_000);
  }
}

/** `10m`, `90s`, `1500ms`, `2h` -> milliseconds; undefined when it does not parse. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms']);
}
