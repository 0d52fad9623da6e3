/**
 * The sandbox's pure parts: IAM evaluation (bindings x roles, conditions, deny rules), the PNG
 * encoder, and the error-body builders' shapes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { serviceDisabled } from '../../src/sandbox/errors.js';
import {
  evaluateCondition,
  explainAllow,
  matchingDenyRules,
  memberOf,
  RoleCatalog,
  v2Permission,
} from '../../src/sandbox/iam-eval.js';
import { crc32, dimensionsFor, gradientPng } from '../../src/sandbox/png.js';
import { checkPng } from './helpers.js';

const catalog = new RoleCatalog([
  {
    name: 'roles/aiplatform.user',
    includedPermissions: ['aiplatform.endpoints.predict', 'aiplatform.models.get'],
  },
  { name: 'roles/viewer', includedPermissions: ['resourcemanager.projects.get'] },
]);
const SA = 'serviceAccount:app@p.iam.gserviceaccount.com';
const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('IAM evaluation', () => {
  it('grants through a matching binding whose role includes the permission', () => {
    const r = explainAllow(
      { bindings: [{ role: 'roles/aiplatform.user', members: [SA] }] },
      SA,
      'aiplatform.endpoints.predict',
      catalog,
      NOW,
    );
    assert.equal(r.state, 'ALLOW_ACCESS_STATE_GRANTED');
    assert.equal(r.bindings[0]?.rolePermission, 'ROLE_PERMISSION_INCLUDED');
  });

  it('does not grant for another member, another role, or an unknown role', () => {
    const policy = {
      bindings: [
        { role: 'roles/aiplatform.user', members: ['user:bob@example.com'] },
        { role: 'roles/viewer', members: [SA] },
        { role: 'roles/made.up', members: [SA] },
      ],
    };
    const r = explainAllow(policy, SA, 'aiplatform.endpoints.predict', catalog, NOW);
    assert.equal(r.state, 'ALLOW_ACCESS_STATE_NOT_GRANTED');
    assert.deepEqual(
      r.bindings.map((b) => b.rolePermission),
      ['ROLE_PERMISSION_INCLUDED', 'ROLE_PERMISSION_NOT_INCLUDED', 'ROLE_PERMISSION_UNKNOWN_INFO'],
    );
  });

  it('evaluates request.time conditions and treats anything else as unknown', () => {
    assert.equal(
      evaluateCondition({ expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' }, NOW),
      'true',
    );
    assert.equal(
      evaluateCondition({ expression: 'request.time > timestamp("2030-01-01T00:00:00Z")' }, NOW),
      'false',
    );
    assert.equal(
      evaluateCondition(
        {
          expression:
            'request.time >= timestamp("2026-01-01T00:00:00Z") && request.time < timestamp("2027-01-01T00:00:00Z")',
        },
        NOW,
      ),
      'true',
    );
    assert.equal(
      evaluateCondition({ expression: "resource.name.startsWith('projects/_/buckets/x')" }, NOW),
      'unknown',
    );
    const expired = explainAllow(
      {
        bindings: [
          {
            role: 'roles/aiplatform.user',
            members: [SA],
            condition: { expression: 'request.time < timestamp("2020-01-01T00:00:00Z")' },
          },
        ],
      },
      SA,
      'aiplatform.endpoints.predict',
      catalog,
      NOW,
    );
    assert.equal(expired.state, 'ALLOW_ACCESS_STATE_NOT_GRANTED');
    assert.equal(expired.bindings[0]?.conditionExplanation?.value, false);
  });

  it('deny rules match the v2 permission spelling and honour exceptions', () => {
    assert.equal(v2Permission('aiplatform.endpoints.predict'), 'aiplatform.googleapis.com/endpoints.predict');
    const rule = {
      deniedPrincipals: ['principalSet://goog/public:all'],
      deniedPermissions: ['aiplatform.googleapis.com/endpoints.predict'],
      exceptionPrincipals: [
        'principal://iam.googleapis.com/projects/-/serviceAccounts/ok@p.iam.gserviceaccount.com',
      ],
    };
    assert.equal(matchingDenyRules([rule], SA, 'aiplatform.endpoints.predict').length, 1);
    assert.equal(
      matchingDenyRules([rule], memberOf('ok@p.iam.gserviceaccount.com'), 'aiplatform.endpoints.predict')
        .length,
      0,
    );
    assert.equal(matchingDenyRules([rule], SA, 'aiplatform.models.get').length, 0);
  });

  it('a grant never depends on binding order (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['roles/aiplatform.user', 'roles/viewer', 'roles/made.up']),
        (roles) => {
          const policy = { bindings: roles.map((role) => ({ role, members: [SA] })) };
          const reversed = { bindings: [...policy.bindings].reverse() };
          const a = explainAllow(policy, SA, 'aiplatform.endpoints.predict', catalog, NOW).state;
          const b = explainAllow(reversed, SA, 'aiplatform.endpoints.predict', catalog, NOW).state;
          return a === b && (a === 'ALLOW_ACCESS_STATE_GRANTED') === roles.includes('roles/aiplatform.user');
        },
      ),
    );
  });
});

describe('PNG encoder', () => {
  it('CRC32 matches the standard check value', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('sizes by aspect ratio and produces a valid PNG for any size (property)', () => {
    assert.deepEqual(dimensionsFor('16:9'), { width: 64, height: 36 });
    assert.deepEqual(dimensionsFor('9:16'), { width: 36, height: 64 });
    assert.deepEqual(dimensionsFor(undefined), { width: 64, height: 64 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 255 }),
        (w, h, seed) => {
          const png = gradientPng(w, h, seed);
          const info = checkPng(png, crc32);
          const idatStart = 8 + 25 + 8;
          const idatLen = png.readUInt32BE(33);
          const raw = inflateSync(png.subarray(idatStart, idatStart + idatLen));
          return info.width === w && info.height === h && raw.length === h * (1 + 3 * w);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('error bodies', () => {
  it('SERVICE_DISABLED has ErrorInfo, LocalizedMessage and Help, in that order', () => {
    const body = serviceDisabled('123', 'aiplatform.googleapis.com').body();
    assert.equal(body.error.code, 403);
    assert.deepEqual(
      body.error.details?.map((d) => d['@type']),
      [
        'type.googleapis.com/google.rpc.ErrorInfo',
        'type.googleapis.com/google.rpc.LocalizedMessage',
        'type.googleapis.com/google.rpc.Help',
      ],
    );
  });
});
