/**
 * npm run bench:check — `check` wall time against the sandbox with 100 ms injected per request,
 * probes in parallel (as shipped) vs the same probes run one after another. Target ratio <= 0.35.
 *
 * The sandbox runs in a child process (as `genai-doctor sandbox start` would), so its own CPU
 * work does not compete with the check being measured.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ScenarioCall } from '../src/sandbox/scenario.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

if (process.argv.includes('--serve')) {
  // Child: serve the scenario, print its env as one JSON line, run until killed.
  const { startSandbox } = await import('../src/sandbox/index.js');
  const sb = await startSandbox({ scenario: 'seed-incident', latencyMs: LATENCY_MS });
  process.stdout.write(`${JSON.stringify({ env: sb.env, call: sb.scenario.call })}\n`);
  process.on('SIGTERM', () => void sb.close().then(() => process.exit(0)));
} else {
  await main();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function startChild(): Promise<{
  child: ChildProcess;
  env: Record<string, string>;
  call: ScenarioCall;
}> {
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_LATENCY_MS: String(LATENCY_MS) },
  });
  const first = await new Promise<string>((done, fail) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', done);
    child.once('exit', (code) => fail(new Error(`sandbox exited with ${code}`)));
  });
  return { child, ...(JSON.parse(first) as { env: Record<string, string>; call: ScenarioCall }) };
}

async function main(): Promise<void> {
  const { runCheck } = await import('../src/live/check.js');
  const { PROJECT_ENV_VARS } = await import('../src/live/session.js');
  const { child, env, call } = await startChild();
  const stateDir = await mkdtemp(join(tmpdir(), 'genai-doctor-bench-'));
  for (const v of PROJECT_ENV_VARS) delete process.env[v];
  Object.assign(process.env, env, { GENAI_DOCTOR_STATE_DIR: stateDir });
  const run = call.cloudRun;
  if (!run) throw new Error('the benchmark scenario must name a Cloud Run service');
  const opts = {
    project: run.project,
    cloudRun: run.service,
    region: run.region,
    model: call.model,
    location: call.location,
  };
  try {
    // One warm-up of each mode: module loading and JIT are not what is measured.
    await runCheck(opts, { save: false });
    await runCheck({ ...opts, sequential: true }, { save: false });
    const parallel: number[] = [];
    const sequential: number[] = [];
    let cause = '';
    let probes = 0;
    for (let i = 0; i < RUNS; i++) {
      const p = await runCheck(opts, { save: false });
      parallel.push(p.wallMs);
      cause = p.diagnosis.findings[0]?.cause ?? '';
      probes = p.probes.length;
      const s = await runCheck({ ...opts, sequential: true }, { save: false });
      sequential.push(s.wallMs);
    }
    const ratio = median(parallel) / median(sequential);
    console.log(
      `check against the sandbox (seed-incident, ${LATENCY_MS} ms per request, ${probes} probes, ${RUNS} runs each, medians)`,
    );
    console.log(`  top finding:                 ${cause}`);
    console.log(`  parallel check wall time:    ${median(parallel)} ms   (runs: ${parallel.join(', ')})`);
    console.log(`  sequential probes wall time: ${median(sequential)} ms   (runs: ${sequential.join(', ')})`);
    console.log(
      `  ratio parallel/sequential:   ${ratio.toFixed(3)}   (target <= 0.35: ${ratio <= 0.35 ? 'met' : 'NOT met'})`,
    );
  } finally {
    child.kill('SIGTERM');
    await rm(stateDir, { recursive: true, force: true });
  }
}
