/**
 * npm run bench:scan — `scan` of the org-fleet organization (default 1,000 projects, 3,000
 * workloads; BENCH_PROJECTS=N) against the sandbox with 50 ms injected per request, vs the naive
 * way (per project, one after another: getIamPolicy, services list, Cloud Run services list).
 * Prints wall time and API calls of both and their ratios (targets: <= 1/10), precision and recall
 * against the seeded defects (target 1.0), and the scan's heap growth at a quarter of the size,
 * at full size and at twice the size (target: flat, since pages are streamed and dropped).
 *
 * The sandbox runs in a child process so its CPU work does not count against the scan.
 * BENCH_NAIVE=0 skips the naive run (it takes calls x 50 ms: about 2.5 minutes at full size);
 * BENCH_DOUBLE=0 the heap measurement at twice the size.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SeededDefect } from '../src/sandbox/scenarios/fleet.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 1000);
const NAIVE = process.env.BENCH_NAIVE !== '0';
const DOUBLE = process.env.BENCH_DOUBLE !== '0';
const ORG = 'organizations/433637338589';
const ANALYSIS = 'gs://genai-doctor-scan-results/bench/analysis.json';

interface Served {
  env: Record<string, string>;
  seeded: SeededDefect[];
  projectIds: string[];
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
} else {
  await main();
}

async function serve(projects: number): Promise<Served & { child: ChildProcess }> {
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SERVE_PROJECTS: String(projects), BENCH_LATENCY_MS: String(LATENCY_MS) },
  });
  const first = await new Promise<string>((done, fail) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', done);
    child.once('exit', (code) => fail(new Error(`sandbox exited with ${code}`)));
  });
  return { child, ...(JSON.parse(first) as Served) };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Heap growth over the run (sampled every 10 ms, after a GC before it when --expose-gc is on). */
async function measured<T>(run: () => Promise<T>): Promise<{ value: T; ms: number; heapMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 10);
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { value, ms, heapMb: (peak - base) / 1e6 };
}

async function scanOnce(env: Record<string, string>) {
  const { runScan } = await import('../src/scan/index.js');
  return runScan({ scopes: [ORG], env: { ...process.env, ...env }, analysisOutput: ANALYSIS });
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
  const quarter = Math.max(40, Math.round(PROJECTS / 4));
  console.log(
    `bench:scan  org-fleet ${PROJECTS} projects, ${LATENCY_MS} ms per request (sandbox in a child process)`,
  );

  /** Heap growth of one scan of a fleet of `projects` (after a warm-up scan of it). */
  const heapAt = async (projects: number): Promise<number> => {
    const fleet = await serve(projects);
    await scanOnce(fleet.env); // warm-up: module loading, first token
    const m = await measured(() => scanOnce(fleet.env));
    await stop(fleet.child);
    return m.heapMb;
  };
  const smallHeap = await heapAt(quarter);

  const big = await serve(PROJECTS);
  await scanOnce(big.env);
  const run = await measured(() => scanOnce(big.env));
  const r = run.value;
  const s = score(r.findings, big.seeded);
  console.log(
    `scan   : ${(run.ms / 1000).toFixed(2)} s, ${r.counts.apiCalls} API calls (${r.counts.retries} throttled), ${r.counts.projects} projects, ${r.counts.workloads} workloads, ${r.findings.length} findings`,
  );
  console.log(
    `quality: precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (${s.truePositives}/${big.seeded.length} seeded defects${s.falsePositives.length ? `; false positives: ${s.falsePositives.slice(0, 3).join(', ')}` : ''}${s.missed.length ? `; missed: ${s.missed.slice(0, 3).join(', ')}` : ''})`,
  );

  if (NAIVE) {
    const n = await measured(() => naive(big.env, big.projectIds));
    console.log(
      `naive  : ${(n.ms / 1000).toFixed(2)} s, ${n.value} API calls (getIamPolicy + services.list + run services.list per project)`,
    );
    console.log(
      `ratio  : calls ${(r.counts.apiCalls / n.value).toFixed(3)} (target <= 0.1), time ${(run.ms / n.ms).toFixed(3)} (target <= 0.1)`,
    );
  } else {
    const calls = big.projectIds.length * 3;
    console.log(
      `naive  : not run (BENCH_NAIVE=0); it makes ${calls} calls, at least ${((calls * LATENCY_MS) / 1000).toFixed(0)} s`,
    );
  }
  await stop(big.child);
  const doubleHeap = DOUBLE ? await heapAt(PROJECTS * 2) : undefined;
  console.log(
    `memory : heap growth ${smallHeap.toFixed(1)} MB at ${quarter} projects, ${run.heapMb.toFixed(1)} MB at ${PROJECTS}${doubleHeap === undefined ? '' : `, ${doubleHeap.toFixed(1)} MB at ${PROJECTS * 2}`} projects`,
  );
}
