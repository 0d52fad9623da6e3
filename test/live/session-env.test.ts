/**
 * A session looks at the world its env names, whatever process.env says: the web console serves
 * checks and tests run sessions for several sandboxes in one process. Two sandboxes, each with
 * one different thing broken; process.env points at the OTHER one (endpoint, key file, metadata
 * server), then at none, and every check still finds its own sandbox's cause.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCheck } from '../../src/live/check.js';
import type { CheckOptions } from '../../src/live/session.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

/** The flags a user of the scenario's Cloud Run workload passes, with the sandbox's env alone. */
function checkOptions(sb: Sandbox): CheckOptions {
  const c = sb.scenario.call;
  assert.ok(c.cloudRun, `${sb.scenario.name} has no Cloud Run workload`);
  return {
    project: c.cloudRun.project,
    cloudRun: c.cloudRun.service,
    region: c.cloudRun.region,
    model: c.model,
    call: c.method ?? 'generateContent',
    env: { ...sb.env },
  };
}

async function causeOf(sb: Sandbox): Promise<string | undefined> {
  const record = await runCheck(checkOptions(sb), { save: false });
  return record.diagnosis.findings[0]?.cause;
}

test('a check reaches the sandbox its env names, not the one process.env names', async () => {
  const start = (scenario: string) => startSandbox({ scenario, operationDelayMs: 0, propagationDelayMs: 0 });
  const [apiOff, iamOff] = await Promise.all([start('api-disabled'), start('iam-missing-permission')]);
  const saved = { ...process.env };
  try {
    assert.notEqual(apiOff.url, iamOff.url);
    assert.equal(apiOff.scenario.expect.cause, 'api.disabled');
    assert.equal(iamOff.scenario.expect.cause, 'iam.missing_permission');

    Object.assign(process.env, iamOff.env);
    assert.equal(await causeOf(apiOff), 'api.disabled');
    Object.assign(process.env, apiOff.env);
    assert.equal(await causeOf(iamOff), 'iam.missing_permission');

    for (const k of Object.keys(apiOff.env)) delete process.env[k];
    const [a, b] = await Promise.all([causeOf(apiOff), causeOf(iamOff)]);
    assert.deepEqual([a, b], ['api.disabled', 'iam.missing_permission']);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await Promise.all([apiOff.close(), iamOff.close()]);
  }
});
