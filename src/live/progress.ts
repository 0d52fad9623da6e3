/**
 * Progress while probes run. On a TTY: one status line that grows as probes finish
 * (`probing 4/10  ✓ identity  ✓ project  ✗ permissions ...`) and is cleared before the report,
 * whose probe table then says it all. Not on a TTY (logs, CI): one plain line per finished probe.
 * Always on stderr, so stdout stays the report (and valid JSON with --format json).
 */
import pc from 'picocolors';
import type { ProbeResult, ProbeStatus } from './probes.js';
import { STATUS_MARK } from './report.js';

export interface Progress {
  onProbe: (r: ProbeResult) => void;
  done: () => void;
}

const PAINT: Record<ProbeStatus, (s: string) => string> = {
  ok: pc.green,
  problem: pc.red,
  unknown: pc.yellow,
  skipped: pc.dim,
};

export function probeProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  const finished: ProbeResult[] = [];
  const draw = () => {
    const marks = finished.map((r) => `${PAINT[r.status](STATUS_MARK[r.status])} ${r.id}`).join('  ');
    const width = stream.columns ?? 120;
    const plain = `  probing ${finished.length}/${total}  ${finished.map((r) => `${STATUS_MARK[r.status]} ${r.id}`).join('  ')}`;
    // Colour codes do not take columns; cut on the plain text's length.
    const line =
      plain.length <= width - 1
        ? `  probing ${finished.length}/${total}  ${marks}`
        : plain.slice(0, width - 2);
    stream.write(`\r\x1b[2K${line}`);
  };
  if (tty) draw();
  return {
    onProbe: (r) => {
      finished.push(r);
      if (tty) draw();
      else stream.write(`probe ${r.id}: ${r.status} - ${r.summary}\n`);
    },
    done: () => {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
