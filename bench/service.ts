/**
 * npm run bench:service — the image service's own overhead, measured.
 *
 * The sandbox (seed incident with the runbook fix; real ~10 KB PNG per call) runs in one child
 * process, the service (`node dist/apps/image-service/main.js`, exactly as deployed: dd-trace on
 * with no agent reachable, JSON logs written) in another, and autocannon in this one. The same
 * fixed request rate is sent (1) straight to the sandbox's Vertex AI generateContent with the
 * workload's metadata token and the body @google/genai sends, and (2) to the service's
 * POST /api/v1/images/generate. The difference in p50 / p99 latency is the service's overhead:
 * validation, the SDK, tracing, logging, session bookkeeping and the extra hop. The direct call is
 * also sent through a trivial pass-through proxy in its own process, which has the same hops and
 * processes as the service path: `service - proxied` is the like-for-like overhead.
 *
 * The targets are measured in alternation over several rounds and each figure is the median over
 * rounds, so a load spike from elsewhere on the machine skews one round, not the comparison.
 *
 * Options (env): BENCH_RATE (req/s, default 100), BENCH_SECONDS per round (default 5),
 * BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 8), BENCH_WARMUP seconds (default 5).
 * Also printed: CPU time per request in the service and sandbox processes (from /proc), which
 * other load on the machine disturbs far less than latency.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface CannonResult {
  latency: Histogram;
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const root = new URL('../', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs an ES-module script in its own node process and waits for the JSON line it prints when ready. */
async function spawnScript<T>(name: string, code: string): Promise<{ proc: ChildProcess; ready: T }> {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    proc.on('exit', (c) => reject(new Error(`${name} exited with ${c}`)));
  });
  return { proc, ready: JSON.parse(line) as T };
}

/** The sandbox in its own process; prints {url, metadataHost} once listening. */
async function startSandboxProcess(): Promise<{ proc: ChildProcess; url: string; metadataHost: string }> {
  const code = `
    const { startSandbox } = await import(${JSON.stringify(`${root}dist/sandbox/index.js`)});
    const { seedFixedScenario } = await import(${JSON.stringify(`${root}dist/apps/image-service/sandbox-backend.js`)});
    const sb = await startSandbox({ scenario: seedFixedScenario(), propagationDelayMs: 0 });
    process.stdout.write(JSON.stringify({ url: sb.url, metadataHost: sb.metadataHost }) + '\\n');
    process.on('SIGTERM', () => sb.close().then(() => process.exit(0)));`;
  const { proc, ready } = await spawnScript<{ url: string; metadataHost: string }>('sandbox', code);
  return { proc, ...ready };
}

/**
 * A trivial pass-through proxy in its own process (node:http, keep-alive upstream, bodies piped):
 * the direct call through it has the same hops and processes as a call through the service, so
 * the service's own overhead is `service - proxied`, apart from what any extra hop costs.
 */
async function startProxyProcess(target: string): Promise<{ proc: ChildProcess; url: string }> {
  const code = `
    const http = await import('node:http');
    const target = new URL(${JSON.stringify(target)});
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const server = http.createServer((req, res) => {
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method,
        headers: { ...req.headers, host: target.host }, agent }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
      up.on('error', () => { res.statusCode = 502; res.end(); });
      req.pipe(up);
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
    process.on('SIGTERM', () => process.exit(0));`;
  const { proc, ready } = await spawnScript<{ port: number }>('proxy', code);
  return { proc, url: `http://127.0.0.1:${ready.port}` };
}

async function startServiceProcess(
  sandbox: { url: string; metadataHost: string },
  extraEnv: Record<string, string>,
) {
  const port = await freePort();
  const agentPort = await freePort(); // nothing listens there: dd-trace runs as with no agent
  const { GOOGLE_APPLICATION_CREDENTIALS: _a, GOOGLE_CLOUD_PROJECT: _p, ...env } = process.env;
  const proc = spawn(process.execPath, [`${root}dist/apps/image-service/main.js`], {
    env: {
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      IMAGE_SERVICE_BACKEND: 'google',
      GENAI_DOCTOR_ENDPOINT: sandbox.url,
      GCE_METADATA_HOST: sandbox.metadataHost,
      DD_TRACE_AGENT_URL: `http://127.0.0.1:${agentPort}`,
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_REMOTE_CONFIGURATION_ENABLED: 'false',
      NODE_ENV: 'production',
      ...extraEnv,
    },
    // Logs are written as in production; the OS discards them.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { proc, url };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the service did not start');
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

interface Target {
  name: string;
  opts: Record<string, unknown>;
  runs: CannonResult[];
  /** Processes whose CPU time a request to this target costs (beyond the sandbox's). */
  pid?: number;
  cpuMsPerRequest: number[];
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function measure(t: Target, seconds: number): Promise<CannonResult> {
  const before = t.pid ? cpuMs(t.pid) : 0;
  const r = await autocannon({ ...t.opts, connections: CONNECTIONS, overallRate: RATE, duration: seconds });
  if (t.pid) t.cpuMsPerRequest.push((cpuMs(t.pid) - before) / Math.max(1, r.requests.total));
  const bad = r.errors + r.timeouts + r.non2xx;
  if (bad > 0)
    console.error(
      `  ${t.name}: ${bad} failed requests (errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx})`,
    );
  return r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Summary {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  failed: number;
}

function summarise(t: Target): Summary {
  return {
    rps: median(t.runs.map((r) => r.requests.average)),
    p50: median(t.runs.map((r) => r.latency.p50)),
    p90: median(t.runs.map((r) => r.latency.p90)),
    p99: median(t.runs.map((r) => r.latency.p99)),
    max: Math.max(...t.runs.map((r) => r.latency.max)),
    failed: t.runs.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
  };
}

const fmt = (n: number) => n.toFixed(2).padStart(8);

async function main(): Promise<void> {
  const sandbox = await startSandboxProcess();
  const services: ChildProcess[] = [];
  try {
    const md = (path: string) =>
      fetch(`http://${sandbox.metadataHost}/computeMetadata/v1/${path}`, {
        headers: { 'Metadata-Flavor': 'Google' },
      });
    const token = (
      (await (await md('instance/service-accounts/default/token')).json()) as { access_token: string }
    ).access_token;
    const project = (await (await md('project/project-id')).text()).trim();
    const model = 'gemini-3-pro-image-preview';
    const targets: Target[] = [
      {
        name: 'sandbox generateContent (direct)',
        runs: [],
        pid: sandbox.proc.pid!,
        cpuMsPerRequest: [],
        opts: {
          url: `${sandbox.url}/v1/projects/${project}/locations/global/publishers/google/models/${model}:generateContent`,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          // The body @google/genai sends for the service's request.
          body: JSON.stringify({
            contents: [
              {
                role: 'user',
                parts: [{ text: 'Create a clean digital illustration of: A simple test image' }],
              },
            ],
            generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' } },
          }),
        },
      },
    ];
    const proxy = await startProxyProcess(sandbox.url);
    services.push(proxy.proc);
    const directUrl = targets[0]!.opts.url as string;
    targets.push({
      name: 'sandbox via pass-through proxy',
      runs: [],
      pid: proxy.proc.pid!,
      cpuMsPerRequest: [],
      opts: { ...targets[0]!.opts, url: proxy.url + directUrl.slice(sandbox.url.length) },
    });
    const body = JSON.stringify({
      prompt: 'A simple test image',
      image_type: 'illustration',
      aspect_ratio: '1:1',
      session_id: 'bench',
    });
    for (const [name, env] of [
      ['service (dd-trace on, no agent)', {}],
      ['service (DD_TRACE_ENABLED=false)', { DD_TRACE_ENABLED: 'false' }],
    ] as const) {
      const service = await startServiceProcess(sandbox, env);
      services.push(service.proc);
      targets.push({
        name,
        runs: [],
        pid: service.proc.pid!,
        cpuMsPerRequest: [],
        opts: {
          url: `${service.url}/api/v1/images/generate`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        },
      });
    }
    // Warm-up (JIT, connection pools, token caches), then alternate the measured rounds.
    for (const t of targets) await measure(t, WARMUP_SECONDS);
    for (const t of targets) t.cpuMsPerRequest.length = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) t.runs.push(await measure(t, SECONDS));
    }

    console.log(
      `\nimage service overhead: ${RATE} req/s over ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s per target (median of rounds)`,
    );
    console.log(
      `${'target'.padEnd(34)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'failed'.padStart(7)}`,
    );
    const sums = targets.map((t) => [t.name, summarise(t)] as const);
    for (const [name, x] of sums) {
      console.log(
        `${name.padEnd(34)} ${fmt(x.rps)} ${fmt(x.p50)} ${fmt(x.p90)} ${fmt(x.p99)} ${fmt(x.max)} ${String(x.failed).padStart(7)}`,
      );
    }
    for (const t of targets) {
      const who = t === targets[0] ? 'sandbox' : t === targets[1] ? 'proxy' : 'service';
      console.log(
        `CPU per request in the ${who} process, ${t.name}: ${median(t.cpuMsPerRequest).toFixed(2)} ms`,
      );
    }
    const direct = sums[0]![1];
    const proxied = sums[1]![1];
    const diff = (x: Summary, base: Summary) =>
      `p50 +${(x.p50 - base.p50).toFixed(2)} ms, p99 +${(x.p99 - base.p99).toFixed(2)} ms`;
    console.log(`cost of the extra hop alone (proxied - direct): ${diff(proxied, direct)}`);
    for (const [name, x] of sums.slice(2)) {
      console.log(
        `overhead of ${name}: raw (vs direct) ${diff(x, direct)}; like-for-like (vs proxied) ${diff(x, proxied)} (target p99 < 5 ms)`,
      );
    }
  } finally {
    for (const s of services) await stop(s);
    await stop(sandbox.proc);
  }
}

await main();
