/**
 * Progress while probes run. On a TTY: a status line that counts finished probes, each probe
 * printed as it finishes. Otherwise plain lines (logs, CI). Always on stderr so stdout stays the
 * report (and valid JSON with --format json).
 */
import type { ProbeResult } from './probes.js';
import { probeLine } from './report.js';

export interface Progress {
  onProbe: (r: ProbeResult) => void;
  done: () => void;
}

export function probeProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let finished = 0;
  const tty = Boolean(stream.isTTY);
  const status = () => {
    if (tty) stream.write(`\r\x1b[2K  probing... ${finished}/${total} done`);
  };
  if (tty) stream.write('Probing the project (in parallel):\n');
  status();
  return {
    onProbe: (r) => {
      finished += 1;
      if (tty) stream.write(`\r\x1b[2K${probeLine(r, true)}\n`);
      else stream.write(`probe ${r.id}: ${r.status} - ${r.summary}\n`);
      status();
    },
    done: () => {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
