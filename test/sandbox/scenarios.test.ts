/**
 * Every shipped scenario reproduces its expected failure on the workload's own call (status,
 * canonical status, ErrorInfo reason, message), and scenario files are validated with readable
 * errors.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  errorOf,
  listScenarios,
  loadScenario,
  ScenarioError,
  startSandbox,
} from '../../src/sandbox/index.js';
import { errorInfoOf } from './helpers.js';

describe('shipped scenarios reproduce their cause', () => {
  for (const { name, cause } of listScenarios({ all: true })) {
    it(`${name} -> ${cause}`, async () => {
      const sb = await startSandbox({ scenario: name });
      try {
        const expect = sb.scenario.expect;
        const result = await sb.callWorkload();
        const error = errorOf(result);
        assert.ok(
          error,
          `${name}: expected an error, got ${result.status} ${JSON.stringify(result.body).slice(0, 200)}`,
        );
        assert.equal(result.status, expect.http, `${name}: ${JSON.stringify(result.body)}`);
        assert.equal(error.status, expect.status);
        if (expect.reason) assert.equal(errorInfoOf(result.body)?.reason, expect.reason);
        if (expect.message)
          assert.ok(error.message.includes(expect.message), `${name}: message was ${error.message}`);
      } finally {
        await sb.close();
      }
    });
  }

  it('covers every cause a live call can reproduce, once each beside the seed', () => {
    const causes = listScenarios({ all: true }).map((s) => s.cause);
    for (const c of [
      'iam.missing_permission',
      'iam.cross_project',
      'iam.vpc_service_controls',
      'iam.deny_policy',
      'iam.propagation_delay',
      'iam.act_as',
      'iam.service_agent',
      'region.unsupported',
      'project.mismatch',
      'project.invalid',
      'api.disabled',
      'billing.disabled',
      'model.not_found',
      'model.location_unsupported',
      'model.access_restricted',
      'auth.credentials_invalid',
      'auth.scope_insufficient',
      'auth.api_key_invalid',
      'auth.api_key_unsupported',
      'quota_project.denied',
      'quota.exceeded',
      'rate.throttled',
      'org_policy.violation',
    ]) {
      assert.ok(causes.includes(c as (typeof causes)[number]), `no scenario for ${c}`);
    }
  });
});

describe('scenario files', () => {
  it('a scenario JSON file loads, validates and runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-scenario-'));
    try {
      const file = join(dir, 'mine.json');
      const s = loadScenario('api-disabled');
      s.name = 'mine';
      await writeFile(file, JSON.stringify(s));
      const sb = await startSandbox({ scenario: file });
      try {
        assert.equal(sb.scenario.name, 'mine');
        assert.equal((await sb.callWorkload()).status, 403);
      } finally {
        await sb.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a bad file gets one readable error naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-scenario-'));
    try {
      const file = join(dir, 'bad.json');
      const s = loadScenario('api-disabled') as unknown as Record<string, unknown>;
      (s.projects as Array<Record<string, unknown>>)[0]!.projectNumber = 'not-a-number';
      await writeFile(file, JSON.stringify(s));
      assert.throws(
        () => loadScenario(file),
        (err: Error) => {
          assert.ok(err instanceof ScenarioError);
          assert.match(err.message, /\/projects\/0\/projectNumber/);
          return true;
        },
      );
      await writeFile(file, '{ nope');
      assert.throws(() => loadScenario(file), /is not JSON/);
      assert.throws(() => loadScenario(join(dir, 'missing.json')), /cannot read scenario file .*ENOENT/);
      assert.throws(
        () => loadScenario('no-such-scenario'),
        /unknown scenario "no-such-scenario"; shipped scenarios: seed-incident/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('references are checked: a call naming an unknown API key is refused', () => {
    const s = loadScenario('auth-api-key-invalid');
    s.call.credential = { kind: 'apiKey', id: 'ghost' };
    return assert.rejects(startSandbox({ scenario: s }), /unknown api key ghost/);
  });

  it('a scenario may name a roles file (the full predefined catalog)', async () => {
    const s = loadScenario('iam-missing-permission');
    s.rolesFile = join(process.cwd(), '..', 'shared', 'gcp-iam', 'roles.json.gz');
    const sb = await startSandbox({ scenario: s });
    try {
      assert.ok(sb.state.catalog.predefined().length > 2000);
      assert.equal(sb.state.catalog.permissionsOf('roles/aiplatform.user')?.size, 446);
    } finally {
      await sb.close();
    }
  });
});
