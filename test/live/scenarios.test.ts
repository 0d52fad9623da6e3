/**
 * Every shipped sandbox scenario, end to end through the CLI as a user runs it:
 * check finds the scenario's cause; where the plan is something genai-doctor can apply (IAM,
 * services, Cloud Run config) fix --apply applies it, verify goes green and a second check is
 * healthy; otherwise the plan carries the manual steps a human must take.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { listScenarios, loadScenario, startSandbox } from '../../src/sandbox/index.js';
import { checkInvocation, runCli, workDir } from './harness.js';

/** Scenarios whose fix is an IAM / API / Cloud Run change: these MUST be fixed and verified. */
const MUST_FIX = new Set([
  'seed-incident',
  'iam-missing-permission',
  'iam-cross-project',
  'project-mismatch',
  'project-invalid',
  'api-disabled',
  'model-location-unsupported',
  'iam-propagation-delay',
  'iam-act-as',
]);

const results: string[] = [];

describe('every shipped scenario through check -> fix -> verify', { concurrency: 3 }, () => {
  for (const sc of listScenarios()) {
    test(sc.name, async () => {
      const scenario = loadScenario(sc.name);
      // A grant made "seconds ago" must still be propagating when check runs (CLI start-up
      // under a loaded machine takes seconds): 25 s beyond the oldest recent grant.
      const ago = Math.max(0, ...(scenario.recentGrants ?? []).map((g) => g.agoMs));
      const recent = (scenario.recentGrants ?? []).length > 0;
      const sb = await startSandbox({
        scenario: sc.name,
        propagationDelayMs: recent ? ago + 25_000 : 1_500,
        operationDelayMs: 0,
      });
      const dir = await workDir();
      try {
        const { args, env } = checkInvocation(sb);
        const check = await runCli([...args, '--format', 'json'], env, dir);
        assert.equal(check.code, 1, `check should find a problem\n${check.stderr}`);
        const report = JSON.parse(check.stdout) as {
          diagnosis?: { findings: Array<{ cause: string }> };
          findings?: Array<{ cause: string }>;
        };
        const cause = (report.diagnosis?.findings ?? report.findings ?? [])[0]?.cause;
        const accepted = [sb.scenario.expect.cause, ...(sb.scenario.expect.accept ?? [])];
        assert.ok(
          cause && accepted.includes(cause as never),
          `${sc.name}: expected ${accepted.join(' | ')}, got ${cause}`,
        );

        const dry = await runCli(['fix'], env, dir);
        assert.equal(dry.code, 0, dry.stdout + dry.stderr);
        const manual = dry.stdout.split('\n').filter((l) => l.includes('MANUAL:'));
        if (manual.length > 0) {
          assert.ok(
            !MUST_FIX.has(sc.name),
            `${sc.name} should be fixable, plan has manual steps:\n${manual.join('\n')}`,
          );
          results.push(`${sc.name}: ${cause} (manual: ${manual.length} step(s))`);
          return;
        }
        const apply = await runCli(['fix', '--apply', '--yes'], env, dir);
        assert.equal(apply.code, 0, apply.stdout + apply.stderr);
        assert.match(apply.stdout, /Undo record: /);
        const verify = await runCli(['verify', '--timeout', '90s', '--interval', '300ms'], env, dir);
        assert.equal(verify.code, 0, verify.stdout + verify.stderr);
        assert.match(verify.stdout, /VERIFIED after/);
        const recheck = await runCli(args, env, dir);
        assert.equal(recheck.code, 0, `after the fix check is healthy\n${recheck.stdout}`);
        results.push(`${sc.name}: ${cause} (fixed, ${/VERIFIED after ([\d.]+ s)/.exec(verify.stdout)?.[1]})`);
      } finally {
        await sb.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

test('scenario summary', () => {
  console.log(results.sort().join('\n'));
  assert.ok(results.length > 0);
});
