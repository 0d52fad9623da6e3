/**
 * npm run bench:check — `check` wall time against the sandbox with 100 ms injected per request,
 * probes in parallel (as shipped) vs the same probes run one after another. Target ratio <= 0.35.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck } from '../src/live/check.js';
import { PROJECT_ENV_VARS } from '../src/live/session.js';
import { startSandbox } from '../src/sandbox/index.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const sandbox = await startSandbox({ scenario: 'seed-incident', latencyMs: LATENCY_MS });
const stateDir = await mkdtemp(join(tmpdir(), 'genai-doctor-bench-'));
for (const v of PROJECT_ENV_VARS) delete process.env[v];
Object.assign(process.env, sandbox.env, { GENAI_DOCTOR_STATE_DIR: stateDir });
const run = sandbox.scenario.call.cloudRun!;
const opts = {
  project: run.project,
  cloudRun: run.service,
  region: run.region,
  model: sandbox.scenario.call.model,
  location: sandbox.scenario.call.location,
};
try {
  const parallel: number[] = [];
  const sequential: number[] = [];
  const probeSums: number[] = [];
  let cause = '';
  for (let i = 0; i < RUNS; i++) {
    const p = await runCheck(opts, { save: false });
    parallel.push(p.wallMs);
    cause = p.diagnosis.findings[0]?.cause ?? '';
    const s = await runCheck({ ...opts, sequential: true }, { save: false });
    sequential.push(s.wallMs);
    probeSums.push(s.probes.reduce((a, x) => a + x.ms, 0));
  }
  const ratio = median(parallel) / median(sequential);
  console.log(
    `check against the sandbox (seed-incident, ${LATENCY_MS} ms per request, ${RUNS} runs each, medians)`,
  );
  console.log(`  top finding:                 ${cause}`);
  console.log(`  parallel check wall time:    ${median(parallel)} ms   (runs: ${parallel.join(', ')})`);
  console.log(
    `  sequential probes wall time: ${median(sequential)} ms   (runs: ${sequential.join(', ')}; probe sum ${median(probeSums)} ms)`,
  );
  console.log(
    `  ratio parallel/sequential:   ${ratio.toFixed(3)}   (target <= 0.35: ${ratio <= 0.35 ? 'met' : 'NOT met'})`,
  );
} finally {
  await sandbox.close();
  await rm(stateDir, { recursive: true, force: true });
}
