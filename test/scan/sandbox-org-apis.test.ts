/**
 * The sandbox's organization-wide APIs answer in Google's REST shapes and refuse what Google
 * refuses: Cloud Asset Inventory paging (500 cap, tokens bound to their request), scopes the
 * caller may not read (403), analyzeIamPolicy without a selector (400), the synchronous analysis
 * running out of its deadline on a scope too big for it (504) while the long-running one answers
 * through an operation and a Cloud Storage object read in byte ranges, Service Usage batchGet
 * limits, and API keys listed without their key strings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adcClient, type GcpClient } from '../../src/gcp/client.js';
import { GoogleApiError } from '../../src/gcp/errors.js';
import type { Operation } from '../../src/gcp/operations.js';
import { readGcsObject, streamGcsObject } from '../../src/gcp/storage.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { FLEET_ORG, orgFleet } from '../../src/sandbox/scenarios/fleet.js';

async function refusal(
  run: () => Promise<unknown>,
): Promise<{ http: number; status?: string; body: string }> {
  try {
    await run();
  } catch (e) {
    assert.ok(e instanceof GoogleApiError, String(e));
    return { http: e.httpStatus, status: e.status, body: e.body };
  }
  assert.fail('the request was not refused');
}

describe('sandbox: Cloud Asset Inventory, batchGet, API keys, billing accounts', () => {
  let sb: Sandbox;
  let client: GcpClient;
  const url = (path: string) => `${sb.url}${path}`;
  before(async () => {
    sb = await startSandbox({ scenario: orgFleet({ projects: 40 }).scenario });
    client = await adcClient({ ...process.env, ...sb.env });
  });
  after(() => sb.close());

  test('searchAllResources pages at most 500 results, with a token bound to its request', async () => {
    const first = await client.request<{ results: unknown[]; nextPageToken?: string }>({
      url: url(`/v1/organizations/${FLEET_ORG}:searchAllResources`),
      params: { pageSize: 2000 },
    });
    assert.equal(first.results.length, 500);
    assert.ok(first.nextPageToken);
    const wrong = await refusal(() =>
      client.request({
        url: url(`/v1/organizations/${FLEET_ORG}:searchAllResources`),
        params: { pageSize: 2000, query: 'state:ENABLED', pageToken: first.nextPageToken },
      }),
    );
    assert.equal(wrong.http, 400);
    assert.equal(wrong.status, 'INVALID_ARGUMENT');
  });

  test('a Cloud Run service comes in the Knative shape with its env and account', async () => {
    const res = await client.request<{ results: Array<Record<string, unknown>> }>({
      url: url(`/v1/projects/datadog-ese-sandbox:searchAllResources?assetTypes=run.googleapis.com/Service`),
      params: { readMask: '*' },
    });
    const svc = res.results[0] as {
      name: string;
      project: string;
      versionedResources: Array<{
        resource: { spec: { template: { spec: { serviceAccountName: string } } } };
      }>;
    };
    assert.equal(
      svc.name,
      '//run.googleapis.com/projects/datadog-ese-sandbox/locations/us-central1/services/genai-adk-python',
    );
    assert.equal(svc.project, 'projects/482019374651');
    assert.equal(
      svc.versionedResources[0]?.resource.spec.template.spec.serviceAccountName,
      '482019374651-compute@developer.gserviceaccount.com',
    );
  });

  test('unknown asset types and query fields are INVALID_ARGUMENT', async () => {
    for (const params of [{ assetTypes: 'nosuch.googleapis.com/Thing' }, { query: 'colour:red' }]) {
      const r = await refusal(() =>
        client.request({ url: url(`/v1/organizations/${FLEET_ORG}:searchAllResources`), params }),
      );
      assert.equal(r.http, 400);
    }
  });

  test('a scope the caller may not read, or that does not exist, is 403 alike', async () => {
    for (const scope of ['organizations/1', 'folders/77', 'projects/no-such-project']) {
      const r = await refusal(() => client.request({ url: url(`/v1/${scope}:searchAllIamPolicies`) }));
      assert.equal(r.http, 403);
      assert.match(r.body, /IAM_PERMISSION_DENIED/);
    }
  });

  test('analyzeIamPolicy needs a selector, and names who holds a permission where', async () => {
    const bad = await refusal(() =>
      client.request({ url: url(`/v1/organizations/${FLEET_ORG}:analyzeIamPolicy`) }),
    );
    assert.equal(bad.http, 400);
    const res = await client.request<{
      mainAnalysis: { analysisResults: Array<{ identityList: { identities: Array<{ name: string }> } }> };
    }>({
      url: url(
        `/v1/organizations/${FLEET_ORG}:analyzeIamPolicy?analysisQuery.accessSelector.permissions=aiplatform.endpoints.predict&analysisQuery.resourceSelector.fullResourceName=//cloudresourcemanager.googleapis.com/projects/601834572019`,
      ),
    });
    const who = res.mainAnalysis.analysisResults.flatMap((r) => r.identityList.identities.map((i) => i.name));
    // The team's group through roles/aiplatform.user, its owner through roles/owner.
    assert.deepEqual(who.sort(), ['group:sandbox-team@example.com', 'user:sandbox-team@example.com']);
  });

  test('analyzeIamPolicyLongrunning: an operation, then the answer in Cloud Storage, readable by range', async () => {
    const uri = 'gs://genai-doctor-scan-results/test/analysis.json';
    const op = await client.request<Operation>({
      method: 'POST',
      url: url(`/v1/organizations/${FLEET_ORG}:analyzeIamPolicyLongrunning`),
      body: {
        analysisQuery: {
          scope: `organizations/${FLEET_ORG}`,
          accessSelector: { permissions: ['aiplatform.endpoints.predict'] },
        },
        outputConfig: { gcsDestination: { uri } },
      },
    });
    assert.match(
      op.name,
      new RegExp(`^organizations/${FLEET_ORG}/operations/AnalyzeIamPolicyLongrunning/\\d+$`),
    );
    let done = op;
    while (!done.done) {
      await new Promise((r) => setTimeout(r, 50));
      done = await client.request<Operation>({ url: url(`/v1/${op.name}`) });
    }
    assert.match(JSON.stringify(done.response), /AnalyzeIamPolicyLongrunningResponse/);
    const whole = await readGcsObject(client, uri);
    assert.ok(JSON.parse(whole).mainAnalysis.analysisResults.length > 40);
    // Read again in 1,000-byte ranges: the same text.
    let ranged = '';
    let ranges = 0;
    for await (const text of streamGcsObject(client, uri, 1000)) {
      ranged += text;
      ranges++;
    }
    assert.equal(ranged, whole);
    assert.equal(ranges, Math.ceil(Buffer.byteLength(whole) / 1000));
    const past = await refusal(() =>
      client.request({
        url: url('/storage/v1/b/genai-doctor-scan-results/o/test%2Fanalysis.json'),
        params: { alt: 'media' },
        headers: { range: `bytes=${Buffer.byteLength(whole)}-` },
      }),
    );
    assert.equal(past.http, 416);
  });

  test('batchGet: at most 30 names, all under the parent', async () => {
    const many = Array.from(
      { length: 31 },
      (_, i) => `names=projects/fleet-0001/services/s${i}.googleapis.com`,
    ).join('&');
    assert.equal(
      (await refusal(() => client.request({ url: url(`/v1/projects/fleet-0001/services:batchGet?${many}`) })))
        .http,
      400,
    );
    const other = await refusal(() =>
      client.request({
        url: url(
          '/v1/projects/fleet-0001/services:batchGet?names=projects/fleet-0002/services/aiplatform.googleapis.com',
        ),
      }),
    );
    assert.equal(other.http, 400);
  });

  test('API keys are listed with restrictions, never with the key string', async () => {
    const res = await client.request<{ keys: Array<Record<string, unknown>> }>({
      url: url('/v2/projects/fleet-0002/locations/global/keys'),
    });
    assert.ok(res.keys.length > 0);
    for (const k of res.keys) {
      assert.equal(k.keyString, undefined);
      assert.match(String(k.name), /^projects\/\d+\/locations\/global\/keys\/[0-9a-f-]{36}$/);
    }
  });

  test('billing accounts list the projects linked to them', async () => {
    const accounts = await client.request<{ billingAccounts: Array<{ name: string }> }>({
      url: url('/v1/billingAccounts'),
    });
    const name = accounts.billingAccounts[0]?.name as string;
    const projects = await client.request<{
      projectBillingInfo: Array<{ projectId: string; billingEnabled: boolean }>;
    }>({
      url: url(`/v1/${name}/projects`),
      params: { pageSize: 200 },
    });
    assert.ok(projects.projectBillingInfo.every((p) => p.billingEnabled));
    assert.ok(projects.projectBillingInfo.some((p) => p.projectId === 'fleet-0001'));
  });
});
