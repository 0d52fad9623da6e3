import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IncidentGrouper, normalizeErrorText } from '../../src/core/incidents/group.js';
import type { LogRecord } from '../../src/core/incidents/model.js';
import type { Context, Diagnosis } from '../../src/core/model.js';
import { coreEngine } from '../../src/logs/engine.js';
import { toFailureRecord } from '../../src/logs/records.js';
import { SEED, SEED_TIME, seedIncident } from './fixtures.js';

/** A stand-in engine that reads the cause off the text, and counts its calls. */
function fakeEngine() {
  const calls: Array<{ text: string; context: Context }> = [];
  return {
    calls,
    diagnose(text: string, context: Context): Diagnosis {
      calls.push({ text, context });
      const cause = text.includes('429') ? 'rate.throttled' : 'iam.missing_permission';
      return {
        schemaVersion: 1,
        facts: { errors: [], project: text.match(/project (\S+)/)?.[1], model: 'gemini-2.5-flash' },
        context,
        findings: [
          {
            cause,
            code: cause === 'rate.throttled' ? 1153 : 1152,
            title: cause,
            confidence: 0.9,
            summary: 's',
            evidence: [],
            against: [],
            nextChecks: [],
          },
        ],
        unknowns: [],
      };
    },
  };
}

const rec = (over: Partial<LogRecord>): LogRecord => ({
  source: 'datadog',
  service: 'svc',
  text: '403 project p1',
  ...over,
});

describe('IncidentGrouper', () => {
  it('groups by cause x service x principal x project x model, with counts, rates and examples', () => {
    const engine = fakeEngine();
    const g = new IncidentGrouper(engine, { examples: 2 });
    const t = SEED_TIME;
    g.add(rec({ time: t, traceId: 'a', id: 'l1', line: 1 }));
    g.add(rec({ time: t + 10_000, traceId: 'b', id: 'l2', line: 2, text: '403   project\n p1' }));
    g.add(rec({ time: t + 70_000, traceId: 'c', id: 'l3', line: 3 }));
    g.add(rec({ time: t + 5_000, text: '429 project p1' }));
    g.add(rec({ time: t + 5_000, service: 'other' }));
    const incidents = g.incidents();
    assert.equal(incidents.length, 3);
    const [top] = incidents;
    assert.equal(top!.count, 3);
    assert.equal(top!.cause, 'iam.missing_permission');
    assert.equal(top!.project, 'p1');
    assert.equal(top!.firstSeen, new Date(t).toISOString());
    assert.equal(top!.lastSeen, new Date(t + 70_000).toISOString());
    assert.deepEqual(
      top!.perMinute.map((b) => b.count),
      [2, 1],
    );
    assert.deepEqual(top!.traceIds, ['a', 'b']);
    assert.deepEqual(top!.logIds, ['l1', 'l2']);
    assert.equal(g.failures, 5);
    // Whitespace differences do not make a new error: diagnosed once per service (the
    // diagnosis names the service in its commands, so another service gets its own).
    const calls403 = engine.calls.filter((c) => c.text.startsWith('403'));
    assert.deepEqual(
      calls403.map((c) => c.context.service),
      ['svc', 'other'],
    );
    assert.equal(g.diagnosed, 3);
  });

  it('normalises volatile parts of error texts only', () => {
    assert.equal(
      normalizeErrorText('x  2026-01-02T16:14:47.123Z req 9f8e7d6c-1b2a-4c3d-8e9f-0a1b2c3d4e5f\nproject 123'),
      'x # req # project 123',
    );
  });

  it('fills the principal an application error hides from a matching audit log entry', () => {
    const { events, audits } = seedIncident(5, 3);
    const g = new IncidentGrouper(coreEngine);
    for (const e of [...events, ...audits]) {
      const r = toFailureRecord(e);
      assert.ok(r);
      g.add(r);
    }
    const incidents = g.incidents();
    assert.equal(
      incidents.length,
      1,
      'the audit entries explain the app failures, they are not a second incident',
    );
    const [i] = incidents;
    assert.equal(i!.count, 5);
    assert.equal(i!.principal, SEED.principal);
    assert.equal(i!.principalSource, 'audit-log');
    assert.equal(i!.audit?.count, 3);
    assert.equal(i!.project, SEED.targetProject);
    assert.equal(i!.runtimeProject, SEED.runtimeProject);
    assert.equal(i!.model, SEED.model);
    assert.equal(i!.traceIds[0], SEED.traceId);
    assert.ok(
      ['iam.missing_permission', 'iam.cross_project', 'project.mismatch'].includes(i!.cause),
      i!.cause,
    );
    assert.ok(i!.plan && i!.plan.options.length > 0);
    assert.equal(i!.diagnosis.context.principal, SEED.principal);
  });

  it('keeps audit denials nothing else explains as incidents of their own', () => {
    const { audits } = seedIncident(0, 2);
    const g = new IncidentGrouper(coreEngine);
    for (const a of audits) g.add(toFailureRecord(a)!);
    const [i] = g.incidents();
    assert.equal(i!.count, 2);
    assert.deepEqual(i!.sources, ['cloud-audit']);
    assert.equal(i!.principal, SEED.principal);
    assert.equal(i!.permission, 'aiplatform.endpoints.predict');
  });
});
