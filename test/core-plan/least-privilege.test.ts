/**
 * Plans for any Google API: the shipped least-privilege table covers every permission of the
 * full IAM catalog, and is exactly what the project's own role index computes from it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { diagnose } from '../../src/core/diagnose/index.js';
import { buildPlan } from '../../src/core/plan/index.js';
import {
  builtinRoleIndex,
  parseRoleCatalog,
  RoleIndex,
  shippedRoleIndex,
} from '../../src/core/roles/index.js';
import { leastPrivilegeTable, shippedTable } from '../../src/core/roles/least-privilege.js';

// Read at test time only: the full catalog is not shipped.
const CATALOG = new URL('../../../shared/gcp-iam/roles.json.gz', import.meta.url).pathname;

test('the shipped table is what the role index computes from the full catalog', () => {
  if (!existsSync(CATALOG)) return;
  const full = new RoleIndex(parseRoleCatalog(gunzipSync(readFileSync(CATALOG)).toString('utf8')));
  const shipped = shippedTable();
  const fresh = leastPrivilegeTable(full, shipped.generated);
  assert.deepEqual(fresh, shipped, 'run: node scripts/role-index.mjs ../shared/gcp-iam/roles.json.gz');
});

test('the shipped index picks the same role as the full catalog for other APIs', () => {
  if (!existsSync(CATALOG)) return;
  const full = new RoleIndex(parseRoleCatalog(gunzipSync(readFileSync(CATALOG)).toString('utf8')));
  const shipped = shippedRoleIndex();
  for (const p of [
    'bigquery.jobs.create',
    'pubsub.topics.publish',
    'secretmanager.versions.access',
    'cloudkms.cryptoKeyVersions.useToEncrypt',
    'cloudbuild.builds.create',
    'run.services.get',
  ]) {
    assert.equal(shipped.decide([p]).chosen?.role, full.decide([p]).chosen?.role, p);
    assert.equal(
      shipped.decide([p]).chosen?.permissionCount,
      full.decide([p]).chosen?.permissionCount,
      `${p}: sizes are the full catalog's`,
    );
  }
});

test('well-known permissions get the role Google documents for them, not an odd smaller one', () => {
  // Smallest-by-size alone picked containerRegistryMigrationAdmin for downloadArtifacts and
  // legacyObjectReader (an ACL mirror) for storage.objects.get.
  const shipped = shippedRoleIndex();
  const expected: Array<[string, string[]]> = [
    ['artifactregistry.repositories.downloadArtifacts', ['roles/artifactregistry.reader']],
    ['storage.objects.get', ['roles/storage.objectViewer']],
    ['bigquery.jobs.create', ['roles/bigquery.jobUser']],
    ['aiplatform.endpoints.predict', ['roles/aiplatform.user']],
    ['secretmanager.versions.access', ['roles/secretmanager.secretAccessor']],
    ['pubsub.topics.publish', ['roles/pubsub.publisher']],
    [
      'cloudkms.cryptoKeyVersions.useToEncrypt',
      ['roles/cloudkms.cryptoKeyEncrypter', 'roles/cloudkms.cryptoKeyEncrypterDecrypter'],
    ],
  ];
  for (const [permission, roles] of expected) {
    const chosen = shipped.smallestCovering([permission])?.role;
    assert.ok(chosen && roles.includes(chosen), `${permission}: got ${chosen}, want ${roles.join(' or ')}`);
  }
});

test('a denial from any Google API gets a predefined-role grant in its plan', () => {
  for (const [permission, role] of [
    ['bigquery.jobs.create', 'roles/bigquery.jobUser'],
    ['pubsub.topics.publish', 'roles/pubsub.publisher'],
    ['secretmanager.versions.access', 'roles/secretmanager.secretAccessor'],
  ] as const) {
    const d = diagnose(
      `googleapi: Error 403: Permission '${permission}' denied on resource 'projects/acme-prod' (or it may not exist)., forbidden`,
      { principal: 'runner@acme-prod.iam.gserviceaccount.com' },
    );
    const plan = buildPlan(d);
    assert.match(JSON.stringify(plan), new RegExp(role.replace('.', '\\.')), permission);
  }
  // The hand-written catalog's choices stand.
  assert.equal(
    builtinRoleIndex().decide(['aiplatform.endpoints.predict']).chosen?.role,
    'roles/aiplatform.user',
  );
});
