/**
 * npm run bench:service-memory [-- --requests 2000] — the service's memory over its first requests,
 * and where it goes. Runs the service as deployed (`node apps/image-service/dist/main.js`, the
 * embedded sandbox as backend) in three configurations: as shipped (dd-trace on, no agent
 * reachable), dd-trace off, and dd-trace off with V8's young generation capped. Sends the seed's
 * request with 8 in flight and prints the process's RSS (from /proc) every 250 requests.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url).pathname;
const main = `${root}apps/image-service/dist/main.js`;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const REQUESTS = Number(arg('requests', '2000'));
const STEP = 250;
const BODY = JSON.stringify({
  prompt: 'A watercolor lighthouse at dawn',
  image_type: 'painting',
  aspect_ratio: '16:9',
  session_id: 'bench-memory',
});

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Variant {
  name: string;
  env: Record<string, string>;
  nodeArgs: string[];
}

const VARIANTS: Variant[] = [
  { name: 'as shipped (dd-trace on)', env: {}, nodeArgs: [] },
  { name: 'dd-trace off', env: { DD_TRACE_ENABLED: 'false' }, nodeArgs: [] },
  {
    name: 'dd-trace off, --max-semi-space-size=4',
    env: { DD_TRACE_ENABLED: 'false' },
    nodeArgs: ['--max-semi-space-size=4'],
  },
];

async function run(v: Variant): Promise<string[]> {
  const proc = spawn(process.execPath, [...v.nodeArgs, main], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DD_TRACE_AGENT_URL: 'http://127.0.0.1:9',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      ...v.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = /"address":"([^"]+)"/.exec(buf);
      if (m) {
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve((m[1] as string).replace('0.0.0.0', '127.0.0.1'));
      }
    };
    proc.stdout!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`service exited ${code}`)));
  });
  const rows: string[] = [`${'requests'.padStart(8)}  ${'RSS MB'.padStart(7)}`];
  const sample = (n: number) =>
    rows.push(`${String(n).padStart(8)}  ${rssMb(proc.pid!).toFixed(0).padStart(7)}`);
  sample(0);
  let sent = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (sent < REQUESTS) {
      sent++;
      const res = await fetch(`${url}/api/v1/images/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
      });
      await res.arrayBuffer();
      if (res.status !== 200) failed++;
      if (++done % STEP === 0) sample(done);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await new Promise((r) => setTimeout(r, 2000));
  rows.push(`idle 2 s  ${rssMb(proc.pid!).toFixed(0).padStart(7)}   (${failed} failed)`);
  proc.kill('SIGTERM');
  await new Promise((r) => proc.on('exit', r));
  return rows;
}

for (const v of VARIANTS) {
  const rows = await run(v);
  process.stdout.write(`\n${v.name}\n${rows.map((r) => `  ${r}`).join('\n')}\n`);
}
