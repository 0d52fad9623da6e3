/**
 * npm run bench:scan — `scan` of the org-fleet organization against the sandbox with 50 ms
 * injected per request, at several sizes (BENCH_SIZES, default 250,1000,4000 projects; three
 * workloads per project), vs the naive way (per project, one after another: getIamPolicy, services
 * list, Cloud Run services list) at BENCH_PROJECTS (default 1,000).
 *
 * Prints, per size: wall time and API calls of the scan, precision and recall against the seeded
 * defects (target 1.0), and memory: the facts the inventory retains once read (heap after a forced
 * GC, the inventory still held), the peak heap growth during a whole scan (sampled every 5 ms, no
 * forced GC: pages in flight and garbage not yet collected included) and the peak RSS growth of the
 * process. Target: flat in the org size, since pages are reduced as they arrive and dropped.
 *
 * The sandbox runs in a child process, and so does each measured scan (a fresh heap per size), so
 * neither the sandbox's work nor an earlier size counts against a scan. BENCH_NAIVE=0 skips the
 * naive run (it takes calls x 50 ms: about 2.5 minutes at 1,000 projects).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SeededDefect } from '../src/sandbox/scenarios/fleet.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 1000);
const SIZES = (process.env.BENCH_SIZES ?? '250,1000,4000').split(',').map(Number);
const NAIVE = process.env.BENCH_NAIVE !== '0';
const ORG = 'organizations/433637338589';
const ANALYSIS = 'gs://genai-doctor-scan-results/bench/analysis.json';
const MB = 1024 * 1024;

interface Served {
  env: Record<string, string>;
  seeded: SeededDefect[];
  projectIds: string[];
}

/** What one scan child reports. */
interface Measured {
  ms: number;
  cpuMs: number;
  apiCalls: number;
  retries: number;
  projects: number;
  workloads: number;
  genaiWorkloads: number;
  findingIds: string[];
  retainedMb: number;
  peakHeapMb: number;
  peakRssMb: number;
  baseHeapMb: number;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

function mb(n: number): string {
  return `${n.toFixed(1)} MB`;
}

if (process.argv.includes('--serve')) {
  const { startSandbox } = await import('../src/sandbox/index.js');
  const { orgFleet } = await import('../src/sandbox/scenarios/fleet.js');
  const fleet = orgFleet({ projects: Number(process.env.BENCH_SERVE_PROJECTS) });
  const sb = await startSandbox({ scenario: fleet.scenario, latencyMs: LATENCY_MS, operationDelayMs: 500 });
  const served: Served = {
    env: sb.env,
    seeded: fleet.seeded,
    projectIds: fleet.scenario.projects.map((p) => p.projectId),
  };
  process.stdout.write(`${JSON.stringify(served)}\n`);
  process.on('SIGTERM', () => void sb.close().then(() => process.exit(0)));
} else if (process.argv.includes('--scan')) {
  process.stdout.write(
    `${JSON.stringify(await measureScan(JSON.parse(process.env.BENCH_SCAN_ENV ?? '{}')))}\n`,
  );
} else {
  await main();
}

/** In a fresh process: a warm-up scan, then the inventory's retained facts, then one measured scan. */
async function measureScan(sandboxEnv: Record<string, string>): Promise<Measured> {
  const { runScan } = await import('../src/scan/index.js');
  const { readInventory } = await import('../src/scan/inventory.js');
  const { adcClient } = await import('../src/gcp/client.js');
  const env = { ...process.env, ...sandboxEnv };
  const opts = { scopes: [ORG], env, analysisOutput: ANALYSIS };
  await runScan(opts); // warm-up: modules, roles catalogue, first token
  gc();
  const rss0 = process.memoryUsage().rss;
  const base = process.memoryUsage().heapUsed;

  // What the inventory holds once everything is read (the most it ever holds: judging only reads it).
  const client = await adcClient(env);
  const inv = await readInventory(client, { scopes: [ORG], analysisOutput: ANALYSIS });
  gc();
  const retained = process.memoryUsage().heapUsed - base;
  if (inv.scopes.length !== 1) throw new Error('inventory lost');

  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const r = await runScan(opts);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    apiCalls: r.counts.apiCalls,
    retries: r.counts.retries,
    projects: r.counts.projects,
    workloads: r.counts.workloads,
    genaiWorkloads: r.counts.genaiWorkloads,
    findingIds: r.findings.map((f) => f.id),
    retainedMb: retained / MB,
    peakHeapMb: (peak - heap0) / MB,
    peakRssMb: (process.resourceUsage().maxRSS * 1024 - rss0) / MB,
    baseHeapMb: base / MB,
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise<string>((done, fail) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', done);
    child.once('exit', (code) => fail(new Error(`child exited with ${code}`)));
  });
}

async function serve(projects: number): Promise<Served & { child: ChildProcess }> {
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SERVE_PROJECTS: String(projects), BENCH_LATENCY_MS: String(LATENCY_MS) },
  });
  return { child, ...(JSON.parse(await firstLine(child)) as Served) };
}

async function scanIn(env: Record<string, string>): Promise<Measured> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', import.meta.filename, '--scan'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SCAN_ENV: JSON.stringify(env) },
  });
  return JSON.parse(await firstLine(child)) as Measured;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** The naive way: for each project, one after another, the three reads a script would make. */
async function naive(env: Record<string, string>, projectIds: string[]): Promise<number> {
  const { adcClient } = await import('../src/gcp/client.js');
  const client = await adcClient({ ...process.env, ...env });
  let calls = 0;
  for (const p of projectIds) {
    await client.request({
      method: 'POST',
      url: client.url('cloudresourcemanager', `/v1/projects/${p}:getIamPolicy`),
      body: { options: { requestedPolicyVersion: 3 } },
    });
    await client.request({
      url: client.url('serviceusage', `/v1/projects/${p}/services`),
      params: { filter: 'state:ENABLED' },
    });
    await client.request({ url: client.url('run', `/v2/projects/${p}/locations/-/services`) });
    calls += 3;
  }
  return calls;
}

async function main(): Promise<void> {
  const { score } = await import('../src/scan/score.js');
  const { loadavg } = await import('node:os');
  console.log(
    `bench:scan  org-fleet at ${SIZES.join(' / ')} projects (3 workloads each), ${LATENCY_MS} ms per request; sandbox and each scan in their own process; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows: Array<{ size: number; m: Measured }> = [];
  let atNaive: Measured | undefined;
  for (const size of SIZES) {
    const fleet = await serve(size);
    const m = await scanIn(fleet.env);
    const s = score(
      m.findingIds.map((id) => ({ id })),
      fleet.seeded,
    );
    rows.push({ size, m });
    console.log(
      `scan ${String(size).padStart(5)}: ${(m.ms / 1000).toFixed(2)} s (${(m.cpuMs / 1000).toFixed(2)} s CPU), ${m.apiCalls} API calls (${m.retries} throttled), ${m.projects} projects, ${m.workloads} workloads (${m.genaiWorkloads} call Gemini), ${m.findingIds.length} findings; precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (${s.truePositives}/${fleet.seeded.length}${s.falsePositives.length ? `; false positives: ${s.falsePositives.slice(0, 3).join(', ')}` : ''}${s.missed.length ? `; missed: ${s.missed.slice(0, 3).join(', ')}` : ''})`,
    );
    console.log(
      `      memory: inventory retains ${mb(m.retainedMb)} after GC; peak heap growth ${mb(m.peakHeapMb)}; peak RSS growth ${mb(m.peakRssMb)} (heap before: ${mb(m.baseHeapMb)})`,
    );
    if (size === PROJECTS && NAIVE) {
      atNaive = m;
      const n = { start: performance.now(), calls: await naive(fleet.env, fleet.projectIds) };
      const naiveMs = performance.now() - n.start;
      console.log(
        `naive ${String(size).padStart(4)}: ${(naiveMs / 1000).toFixed(2)} s, ${n.calls} API calls (getIamPolicy + services.list + run services.list per project)`,
      );
      console.log(
        `ratio      : calls ${(m.apiCalls / n.calls).toFixed(3)} (target <= 0.1), time ${(m.ms / naiveMs).toFixed(3)} (target <= 0.1)`,
      );
    }
    await stop(fleet.child);
  }
  if (NAIVE && !atNaive) {
    const calls = PROJECTS * 3;
    console.log(
      `naive      : not run (BENCH_PROJECTS=${PROJECTS} is not among BENCH_SIZES); it makes ${calls} calls, at least ${((calls * LATENCY_MS) / 1000).toFixed(0)} s`,
    );
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first && last && last !== first) {
    console.log(
      `flat?      : ${last.size / first.size}x the projects -> inventory ${(last.m.retainedMb / first.m.retainedMb).toFixed(2)}x, peak heap ${(last.m.peakHeapMb / first.m.peakHeapMb).toFixed(2)}x, peak RSS ${(last.m.peakRssMb / first.m.peakRssMb).toFixed(2)}x`,
    );
  }
}
