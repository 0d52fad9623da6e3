/**
 * Every failure the sandbox can produce for a service like this one (Vertex AI, metadata identity)
 * gets the right HTTP status and catalog code, an error body without internals, a log line with
 * the full diagnosis and plan, and a not-ready /readyz naming the same finding.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { containsSecret } from '../../../src/core/redact.js';
import { CAUSES } from '../../../src/core/taxonomy.js';
import { statusFor } from '../src/failure-response.js';
import { serviceScenarios } from './helpers/scenarios.js';
import { getJson, postJson, SEED_BODY, startStack, waitFor } from './helpers/stack.js';

const { reproducible, other } = serviceScenarios();

describe('each sandbox scenario through the service', () => {
  test('the scenario list covers the seed incident and the IAM, project, API, model and rate causes', (t) => {
    const causes = new Set(reproducible.map((s) => s.cause));
    for (const c of [
      'iam.missing_permission',
      'api.disabled',
      'model.not_found',
      'rate.throttled',
    ] as const) {
      assert.ok(causes.has(c), c);
    }
    assert.ok(reproducible.some((s) => s.name === 'seed-incident'));
    for (const o of other) t.diagnostic(`not a call this service makes: ${o.name} (${o.why})`);
  });

  for (const sc of reproducible) {
    test(`${sc.name} -> ${sc.cause}`, async (t) => {
      const stack = await startStack({
        scenario: sc.name,
        config: {
          ...(sc.project ? { project: sc.project } : {}),
          location: sc.location,
          model: sc.model,
          // Throttling is retried; keep the deadline short so the test sees the final 429.
          requestDeadlineMs: 4000,
        },
      });
      try {
        const res = await postJson(`${stack.url}/api/v1/images/generate`, SEED_BODY);
        const err = res.body.error;
        assert.ok(err, `expected an error, got ${res.status}`);
        const allowed = [sc.cause, ...sc.accept];
        assert.ok(
          allowed.includes(err.cause),
          `${sc.name}: diagnosed ${err.cause}, expected one of ${allowed.join(', ')}`,
        );
        assert.equal(err.code, CAUSES[err.cause as keyof typeof CAUSES]);
        assert.equal(
          res.status,
          statusFor({ cause: err.cause, code: err.code }, { kind: 'api-error', text: '' }),
        );
        assert.equal(err.docs, `/errors/${err.code}`);
        assert.equal(err.request_id, res.headers.get('x-request-id'));
        // No internals: no project ids, principals or upstream wording in what the client sees.
        const json = JSON.stringify(res.body);
        for (const p of stack.sandbox.scenario.projects) {
          assert.ok(!json.includes(p.projectId) && !json.includes(p.projectNumber), `${p.projectId} leaked`);
        }
        assert.ok(!/gserviceaccount|PERMISSION_DENIED|googleapis/.test(json), json);
        if (res.status === 429) assert.ok(Number(res.headers.get('retry-after')) >= 1);

        const line = stack.logs.find((l) => l.event === 'image.failed');
        assert.ok(line, 'the failure is logged');
        assert.equal(line.level, 'error');
        assert.equal(line.cause, err.cause);
        const diagnosis = line.diagnosis as { findings: { cause: string }[]; context: { runtime: string } };
        assert.equal(diagnosis.findings[0]!.cause, err.cause);
        assert.equal(diagnosis.context.runtime, 'cloud-run');
        assert.ok((line.plan as { summary: string }).summary.length > 0, 'a plan summary is logged');
        for (const raw of stack.rawLogs) assert.ok(!containsSecret(raw), 'no credential in the log');

        const ready = await waitFor(async () => {
          const r = await getJson(`${stack.url}/readyz`);
          return r.body.status === 'starting' ? undefined : r;
        });
        if (sc.cause === 'rate.throttled') {
          // Throttling is transient and not about access: the instance stays in rotation.
          assert.equal(ready.status, 200, JSON.stringify(ready.body));
        } else {
          assert.equal(ready.status, 503, JSON.stringify(ready.body));
          assert.equal(ready.body.finding.code, CAUSES[ready.body.finding.cause as keyof typeof CAUSES]);
          assert.ok(
            allowed.includes(ready.body.finding.cause),
            `readiness found ${ready.body.finding.cause}`,
          );
        }
        t.diagnostic(
          `${sc.name}: HTTP ${res.status} code ${err.code} cause ${err.cause}; readyz ${ready.status} ${ready.body.finding?.cause ?? ready.body.status}`,
        );
      } finally {
        await stack.close();
      }
    });
  }
});
