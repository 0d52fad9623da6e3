import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Policy } from '../../src/core/iam.js';
import { addGrant, diffPolicies, hasGrant, removeGrant, renderPolicyDiff } from '../../src/core/policy.js';

const SA = 'serviceAccount:123-compute@developer.gserviceaccount.com';

function policy(): Policy {
  return {
    version: 3,
    etag: 'BwYAbc123=',
    bindings: [
      { role: 'roles/owner', members: ['user:alice@example.com'] },
      {
        role: 'roles/aiplatform.user',
        members: ['group:ml@example.com'],
        condition: { title: 'until 2027', expression: 'request.time < timestamp("2027-01-01T00:00:00Z")' },
      },
      { role: 'roles/storage.objectViewer', members: [SA] },
    ],
    auditConfigs: [
      {
        service: 'aiplatform.googleapis.com',
        auditLogConfigs: [{ logType: 'DATA_READ', exemptedMembers: ['user:bot@example.com'] }],
      },
    ],
  };
}

describe('policy editor', () => {
  it('adds a new binding and keeps every other binding, condition, auditConfig, version and etag', () => {
    const before = policy();
    const { policy: after, outcome } = addGrant(before, { role: 'roles/aiplatform.user', member: SA });
    assert.equal(outcome, 'added-binding');
    assert.equal(after.version, 3);
    assert.equal(after.etag, before.etag);
    assert.deepEqual(after.auditConfigs, before.auditConfigs);
    // The conditional aiplatform.user binding is a different binding: untouched.
    assert.deepEqual(after.bindings?.slice(0, 3), before.bindings);
    assert.deepEqual(after.bindings?.[3], { role: 'roles/aiplatform.user', members: [SA] });
    assert.deepEqual(before, policy(), 'input not mutated');
  });

  it('adds a member to an existing unconditional binding and is idempotent', () => {
    const first = addGrant(policy(), { role: 'roles/owner', member: 'user:bob@example.com' });
    assert.equal(first.outcome, 'added-member');
    assert.deepEqual(first.policy.bindings?.[0]?.members, ['user:alice@example.com', 'user:bob@example.com']);
    const again = addGrant(first.policy, { role: 'roles/owner', member: 'user:bob@example.com' });
    assert.equal(again.outcome, 'already-present');
    assert.deepEqual(again.policy, first.policy);
  });

  it('raises the version to 3 when a conditional grant is added to a version 1 policy', () => {
    const v1: Policy = {
      version: 1,
      etag: 'x',
      bindings: [{ role: 'roles/viewer', members: ['user:a@example.com'] }],
    };
    const cond = { title: 't', expression: 'resource.name.startsWith("projects/p")' };
    const { policy: after } = addGrant(v1, { role: 'roles/aiplatform.user', member: SA, condition: cond });
    assert.equal(after.version, 3);
    assert.ok(hasGrant(after, { role: 'roles/aiplatform.user', member: SA, condition: cond }));
    assert.ok(
      !hasGrant(after, { role: 'roles/aiplatform.user', member: SA }),
      'conditional is not unconditional',
    );
  });

  it('removes exactly what was added, restoring the original policy', () => {
    const before = policy();
    const grant = { role: 'roles/aiplatform.user', member: SA };
    const added = addGrant(before, grant).policy;
    const { policy: restored, outcome } = removeGrant(added, grant);
    assert.equal(outcome, 'removed-binding');
    assert.deepEqual(restored, before);
  });

  it('removing a member keeps the other members and the conditional binding with the same role', () => {
    const p = addGrant(policy(), {
      role: 'roles/storage.objectViewer',
      member: 'user:carol@example.com',
    }).policy;
    const { policy: after, outcome } = removeGrant(p, { role: 'roles/storage.objectViewer', member: SA });
    assert.equal(outcome, 'removed-member');
    assert.deepEqual(after.bindings?.[2]?.members, ['user:carol@example.com']);
    assert.equal(
      removeGrant(policy(), { role: 'roles/aiplatform.user', member: 'group:ml@example.com' }).outcome,
      'not-present',
    );
  });

  it('diffs and renders what changes, and says auditConfigs were kept', () => {
    const before = policy();
    const after = addGrant(before, { role: 'roles/aiplatform.user', member: SA }).policy;
    const diff = diffPolicies(before, after);
    assert.deepEqual(diff.lines, [{ op: '+', role: 'roles/aiplatform.user', member: SA }]);
    assert.ok(diff.auditConfigsKept);
    const text = renderPolicyDiff(before, after);
    assert.match(text, /^\+ roles\/aiplatform\.user {2}serviceAccount:123-compute/m);
    assert.match(text, /3 other grant\(s\) unchanged; version 3 -> 3; auditConfigs kept/);
  });
});
