import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { BUILTIN_ROLES } from '../../src/core/roles/builtin.js';
import {
  builtinRoleIndex,
  coverPermissions,
  isPrimitive,
  isServiceAgentRole,
  parseRoleCatalog,
  RoleIndex,
} from '../../src/core/roles/index.js';
import { loadRoleIndex } from '../../src/core/roles/load.js';
import { FULL_CATALOG } from './fixtures.js';

const PREDICT = 'aiplatform.endpoints.predict';

describe('builtin role catalog', () => {
  const index = builtinRoleIndex();

  test('aiplatform.endpoints.predict -> roles/aiplatform.user, with the record of why', () => {
    const choice = index.smallestCovering([PREDICT]);
    assert.equal(choice?.role, 'roles/aiplatform.user');
    assert.equal(choice?.stage, 'GA');
    const reasons = Object.fromEntries(choice!.why.rejected.map((r) => [r.role, r.reason]));
    assert.equal(reasons['roles/aiplatform.rapidevalServiceAgent'], 'service-agent');
    assert.equal(reasons['roles/aiplatform.serviceAgent'], 'service-agent');
    assert.equal(reasons['roles/aiplatform.expressUser'], 'not-ga');
    assert.equal(reasons['roles/viewer'], 'primitive');
    // The rejected service-agent role really is smaller: the rule, not the size, turned it down.
    const agent = choice!.why.rejected.find((r) => r.role === 'roles/aiplatform.rapidevalServiceAgent')!;
    assert.ok(agent.permissionCount < choice!.permissionCount);
    assert.deepEqual(choice!.why.accepted[0]?.role, 'roles/aiplatform.user');
  });

  test('every permission the tool checks is granted by some safe builtin role', () => {
    const checked = [
      PREDICT,
      'aiplatform.endpoints.get',
      'aiplatform.models.get',
      'serviceusage.services.use',
      'serviceusage.services.get',
      'serviceusage.services.enable',
      'resourcemanager.projects.get',
      'resourcemanager.projects.getIamPolicy',
      'resourcemanager.projects.setIamPolicy',
      'iam.serviceAccounts.actAs',
      'iam.serviceAccounts.getAccessToken',
      'iam.serviceAccounts.create',
      'iam.serviceAccounts.get',
      'iam.roles.create',
      'iam.roles.get',
      'iam.roles.list',
      'run.services.get',
      'run.services.update',
      'billing.resourceAssociations.list',
    ];
    for (const p of checked) assert.ok(index.smallestCovering([p]), `no safe builtin role grants ${p}`);
    assert.equal(index.smallestCovering(['iam.serviceAccounts.actAs'])?.role, 'roles/iam.serviceAccountUser');
    assert.equal(
      index.smallestCovering(['serviceusage.services.use'])?.role,
      'roles/serviceusage.serviceUsageConsumer',
    );
  });

  test('a permission nobody grants: no role, recorded as ungranted', () => {
    const d = index.decide(['aiplatform.madeUp.permission']);
    assert.equal(d.outcome, 'no-covering-role');
    assert.deepEqual(d.ungranted, ['aiplatform.madeUp.permission']);
    assert.equal(index.smallestCovering(['aiplatform.madeUp.permission']), undefined);
  });

  test('primitive and service-agent detection', () => {
    for (const r of ['roles/owner', 'roles/editor', 'roles/viewer']) assert.ok(isPrimitive(r));
    assert.ok(!isPrimitive('roles/aiplatform.user'));
    assert.ok(isServiceAgentRole('roles/aiplatform.serviceAgent'));
    assert.ok(isServiceAgentRole('roles/aiplatform.tuningServiceAgent'));
    assert.ok(
      isServiceAgentRole({
        name: 'roles/x.keyUser',
        title: 'Key user',
        description: 'Allow the GKE service agent to sign',
      }),
    );
    assert.ok(!isServiceAgentRole('roles/aiplatform.user'));
  });

  test('no builtin role is offered when only unsafe ones cover', () => {
    const index2 = new RoleIndex(
      BUILTIN_ROLES.filter((r) => r.name !== 'roles/aiplatform.user' && r.name !== 'roles/aiplatform.admin'),
    );
    const d = index2.decide([PREDICT]);
    assert.equal(d.outcome, 'only-unsafe-roles');
    assert.ok(d.rejected.length >= 3);
  });

  test('an ALPHA role (stage omitted on the wire) is rejected as not GA', () => {
    const idx = new RoleIndex([{ name: 'roles/x.tiny', includedPermissions: ['x.y.z'] }]);
    assert.equal(idx.decide(['x.y.z']).rejected[0]?.reason, 'not-ga');
  });
});

// ../shared sits beside every clone (CI included); outside it there is no full catalog to read.
describe('full predefined catalog (../shared/gcp-iam/roles.json.gz)', () => {
  test('aiplatform.endpoints.predict -> roles/aiplatform.user; service agents and BETA rejected', async () => {
    if (!existsSync(FULL_CATALOG)) return;
    const index = await loadRoleIndex(FULL_CATALOG);
    assert.ok(index.size > 2000);
    const choice = index.smallestCovering([PREDICT]);
    assert.equal(choice?.role, 'roles/aiplatform.user');
    const smaller = choice!.why.rejected.filter((r) => r.permissionCount < choice!.permissionCount);
    assert.ok(smaller.length > 5, 'the smallest holders are unsafe ones');
    for (const r of smaller)
      assert.ok(['service-agent', 'not-ga'].includes(r.reason), `${r.role}: ${r.reason}`);
    assert.ok(smaller.some((r) => r.role === 'roles/aiplatform.expressUser' && r.reason === 'not-ga'));
    assert.ok(choice!.why.rejected.some((r) => r.role === 'roles/owner' && r.reason === 'primitive'));
    assert.equal(index.rolesGranting(PREDICT).length, 30);
  });

  test('predict + serviceusage.services.use splits into two small roles instead of one huge one', async () => {
    if (!existsSync(FULL_CATALOG)) return;
    const index = await loadRoleIndex(FULL_CATALOG);
    const cover = coverPermissions(index, [PREDICT, 'serviceusage.services.use']);
    assert.equal(cover.shape, 'split');
    assert.deepEqual(cover.decisions.map((d) => d.chosen?.role).sort(), [
      'roles/aiplatform.user',
      'roles/serviceusage.serviceUsageConsumer',
    ]);
  });

  test('roles of the permission’s own service come first (no DLP role for serviceusage)', async () => {
    if (!existsSync(FULL_CATALOG)) return;
    const index = await loadRoleIndex(FULL_CATALOG);
    const cases: Record<string, string> = {
      'serviceusage.services.use': 'roles/serviceusage.serviceUsageConsumer',
      'serviceusage.services.enable': 'roles/serviceusage.serviceUsageAdmin',
      'iam.serviceAccounts.actAs': 'roles/iam.serviceAccountUser',
      'iam.serviceAccounts.getAccessToken': 'roles/iam.workloadIdentityUser',
      'resourcemanager.projects.setIamPolicy': 'roles/resourcemanager.projectIamAdmin',
      'iam.roles.create': 'roles/iam.roleAdmin',
    };
    for (const [permission, role] of Object.entries(cases)) {
      assert.equal(index.smallestCovering([permission])?.role, role, permission);
    }
  });
});

describe('catalog files', () => {
  test('loads plain JSON and gzip, rejects a wrong shape with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roles-'));
    const body = JSON.stringify({ roles: BUILTIN_ROLES.slice(0, 3) });
    writeFileSync(join(dir, 'r.json'), body);
    writeFileSync(join(dir, 'r.json.gz'), gzipSync(body));
    assert.equal((await loadRoleIndex(join(dir, 'r.json'))).size, 3);
    assert.equal((await loadRoleIndex(join(dir, 'r.json.gz'))).size, 3);
    // Without a file: what the project ships, the hand-written roles plus the least-privilege
    // role of every other catalog permission.
    const shipped = await loadRoleIndex();
    assert.ok(shipped.size > BUILTIN_ROLES.length);
    assert.equal(shipped.decide(['pubsub.topics.publish']).chosen?.role, 'roles/pubsub.publisher');
    assert.throws(() => parseRoleCatalog('{"bindings":[]}'), /roles\.list/);
    assert.throws(() => parseRoleCatalog('not json'), /not JSON/);
  });
});
