/**
 * The sandbox refuses what Google refuses, in Google's shape, seen through Google's own Node
 * clients (google-auth-library's authenticated request, @google-cloud/run, @google/genai) and the
 * Datadog client: issue 13's items 3-7.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MonitorsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MonitorsApi.js';
import { LogsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis/LogsApi.js';
import { GoogleGenAI } from '@google/genai';
import { ServicesClient } from '@google-cloud/run';
import { GoogleAuth, type JWT } from 'google-auth-library';
import { startDatadogApi } from '../../src/sandbox/datadog-api.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { datadogConfiguration } from '../support/datadog-client.js';
import { CLOUD_PLATFORM, sandboxTransporter } from './helpers.js';

interface GaxiosFailure {
  status?: number;
  response?: {
    status: number;
    data: {
      error: { code: number; status: string; message: string; details?: Array<Record<string, unknown>> };
    };
    headers: { get(name: string): string | null };
  };
}

/** The operator's google-auth-library client (JWT from the ADC key), requests go to the sandbox. */
async function operatorClient(sb: Sandbox): Promise<JWT> {
  const auth = new GoogleAuth({
    keyFilename: sb.adcFile,
    scopes: [CLOUD_PLATFORM],
    clientOptions: { transporter: sandboxTransporter(sb) },
  });
  return (await auth.getClient()) as JWT;
}

/** The error a google-auth-library request got (it throws on every non-2xx). */
async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    const e = err as GaxiosFailure;
    if (!e.response) throw err;
    return { status: e.response.status, error: e.response.data.error, headers: e.response.headers };
  }
  assert.fail('expected the request to fail');
}

describe('refusals and shapes, through google-auth-library (acme)', () => {
  let sb: Sandbox;
  let op: JWT;
  before(async () => {
    sb = await startSandbox({ scenario: 'api-disabled', propagationDelayMs: 0, operationDelayMs: 200 });
    op = await operatorClient(sb);
  });
  after(() => sb.close());
  const url = (path: string) => `${sb.url}${path}`;
  const P = 'acme-genai-prod';

  it('an unimplemented route says the sandbox does not implement it (never Google NOT_FOUND)', async () => {
    for (const [method, path] of [
      ['GET', `/v1/projects/${P}/serviceAccounts/x@y.iam.gserviceaccount.com/keys`],
      ['POST', `/v1/projects/${P}/services:batchEnable`],
      ['GET', '/v2beta/whatever'],
      ['DELETE', `/v1/projects/${P}`],
    ] as const) {
      const f = await failure(op.request({ url: url(path), method }));
      assert.equal(f.status, 501, path);
      assert.equal(f.error.status, 'UNIMPLEMENTED');
      assert.match(f.error.message, /^The genai-doctor sandbox does not implement /);
      assert.equal(f.error.details?.[0]?.reason, 'SANDBOX_ROUTE_NOT_IMPLEMENTED');
    }
  });

  it('401s carry WWW-Authenticate, as Google front ends send them', async () => {
    const res = await fetch(url(`/v1/projects/${P}`));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="https://accounts.google.com/"');
    const bad = await fetch(url(`/v1/projects/${P}`), { headers: { authorization: 'Bearer nope' } });
    assert.equal(
      bad.headers.get('www-authenticate'),
      'Bearer realm="https://accounts.google.com/", error="invalid_token"',
    );
  });

  it('Service Usage refuses an enable with its own shape; list honours state:DISABLED and pageSize', async () => {
    const md = await fetch(`${sb.url}/computeMetadata/v1/instance/service-accounts/default/token`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    const token = ((await md.json()) as { access_token: string }).access_token;
    const res = await fetch(url(`/v1/projects/${P}/services/aiplatform.googleapis.com:enable`), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as {
      error: { message: string; details: Array<Record<string, unknown>> };
    };
    assert.equal(res.status, 403);
    assert.match(
      body.error.message,
      /^Permission denied to enable service \[aiplatform\.googleapis\.com\]\nHelp Token: /,
    );
    assert.deepEqual(body.error.details, [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [{ type: 'googleapis.com', subject: '110002' }],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'AUTH_PERMISSION_DENIED',
        domain: 'serviceusage.googleapis.com',
      },
    ]);
    const disabled = await op.request<{ services?: Array<{ state: string; config: { name: string } }> }>({
      url: url(`/v1/projects/${P}/services`),
      params: { filter: 'state:DISABLED' },
    });
    assert.deepEqual(
      disabled.data.services?.map((s) => [s.config.name, s.state]),
      [['aiplatform.googleapis.com', 'DISABLED']],
    );
    const page = await op.request<{ services: unknown[]; nextPageToken?: string }>({
      url: url(`/v1/projects/${P}/services`),
      params: { pageSize: 2 },
    });
    assert.equal(page.data.services.length, 2);
    assert.ok(page.data.nextPageToken);
  });

  it('setIamPolicy refuses an unprefixed custom role and a malformed member', async () => {
    const resource = url(`/v1/projects/${P}`);
    await op.request({
      url: `${resource}/roles`.replace('/v1/projects', '/v1/projects'),
      method: 'POST',
      data: { roleId: 'imageCaller', role: { includedPermissions: ['aiplatform.endpoints.predict'] } },
    });
    const { data: policy } = await op.request<{
      etag: string;
      bindings: Array<{ role: string; members: string[] }>;
    }>({
      url: `${resource}:getIamPolicy`,
      method: 'POST',
    });
    const withBinding = (role: string, member: string) => ({
      policy: { ...policy, bindings: [...policy.bindings, { role, members: [member] }] },
    });
    const unprefixed = await failure(
      op.request({
        url: `${resource}:setIamPolicy`,
        method: 'POST',
        data: withBinding('roles/imageCaller', 'user:a@example.com'),
      }),
    );
    assert.deepEqual(
      [unprefixed.status, unprefixed.error.message],
      [400, 'Role roles/imageCaller is not supported for this resource.'],
    );
    const malformed = await failure(
      op.request({
        url: `${resource}:setIamPolicy`,
        method: 'POST',
        data: withBinding('roles/aiplatform.user', 'a@example.com'),
      }),
    );
    assert.deepEqual([malformed.status, malformed.error.status], [400, 'INVALID_ARGUMENT']);
    const badPermission = await failure(
      op.request({
        url: `${resource}:testIamPermissions`,
        method: 'POST',
        data: { permissions: ['aiplatform'] },
      }),
    );
    assert.deepEqual(
      [badPermission.status, badPermission.error.message],
      [400, 'Permission aiplatform is not valid.'],
    );
    const badRole = await failure(
      op.request({
        url: `${resource}/roles`,
        method: 'POST',
        data: { roleId: 'broken', role: { includedPermissions: ['not a permission'] } },
      }),
    );
    assert.deepEqual(
      [badRole.status, badRole.error.message],
      [400, 'Permission not a permission is not valid.'],
    );
  });

  it('an API enable finishes on its own clock: the service is ENABLED without polling the operation', async () => {
    const started = await op.request<{ name: string; done?: boolean }>({
      url: url(`/v1/projects/${P}/services/aiplatform.googleapis.com:enable`),
      method: 'POST',
      data: {},
    });
    assert.equal(started.data.done, undefined);
    await new Promise((r) => setTimeout(r, 300));
    const svc = await op.request<{ state: string }>({
      url: url(`/v1/projects/${P}/services/aiplatform.googleapis.com`),
    });
    assert.equal(svc.data.state, 'ENABLED');
  });
});

describe('Vertex AI bodies Google refuses (@google/genai and raw JSON)', () => {
  let sb: Sandbox;
  let op: JWT;
  before(async () => {
    sb = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 0 });
    op = await operatorClient(sb);
  });
  after(() => sb.close());
  const model = (m = 'generateContent') =>
    `${sb.url}/v1/projects/datadog-sandbox/locations/global/publishers/google/models/gemini-2.5-flash:${m}`;

  it('unknown fields and wrong types are 400s with a BadRequest field violation', async () => {
    const unknown = await failure(
      op.request({
        url: model(),
        method: 'POST',
        data: { contents: [{ role: 'user', parts: [{ txt: 'hi' }] }] },
      }),
    );
    assert.equal(unknown.status, 400);
    assert.equal(
      unknown.error.message,
      `Invalid JSON payload received. Unknown name "txt" at 'contents[0].parts[0]': Cannot find field.`,
    );
    assert.equal(unknown.error.details?.[0]?.['@type'], 'type.googleapis.com/google.rpc.BadRequest');
    const wrongType = await failure(
      op.request({ url: model(), method: 'POST', data: { contents: [{ parts: [{ text: 123 }] }] } }),
    );
    assert.equal(wrongType.error.message, "Invalid value at 'contents[0].parts[0].text' (TYPE_STRING), 123");
  });

  it('a failing JSON-array stream answers with a one-element array', async () => {
    const res = await fetch(model('streamGenerateContent'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(res.status, 401);
    const body = (await res.json()) as Array<{ error: { code: number } }>;
    assert.ok(Array.isArray(body));
    assert.equal(body[0]?.error.code, 401);
  });

  it('empty contents: Vertex says at least one contents field is required (after the access checks)', async () => {
    // The operator may call Vertex AI on its own project; @google/genai refuses empty contents
    // client-side, so the request is sent as a raw authenticated call.
    sb.state.catalog.put({ name: 'roles/x.predict', includedPermissions: ['aiplatform.endpoints.predict'] });
    const project = sb.state.project('datadog-ese-sandbox');
    assert.ok(project);
    const current = sb.state.currentPolicy(project.policyHistory);
    project.policyHistory.push({
      at: 0,
      policy: {
        ...current,
        bindings: [
          ...(current.bindings ?? []),
          { role: 'roles/x.predict', members: [`serviceAccount:${sb.scenario.operator.email}`] },
        ],
      },
    });
    const url = model().replace('datadog-sandbox', 'datadog-ese-sandbox');
    const empty = await failure(op.request({ url, method: 'POST', data: { contents: [] } }));
    assert.deepEqual(
      [empty.status, empty.error.message],
      [
        400,
        'Unable to submit request because at least one contents field is required. Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini',
      ],
    );
  });
});

describe('Gemini API free-tier 429 (quota-exceeded), through @google/genai', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'quota-exceeded' });
  });
  after(() => sb.close());

  it('names the metric and says when to retry, with Help, QuotaFailure and RetryInfo', async () => {
    const genai = new GoogleGenAI({
      apiKey: sb.state.apiKeyStrings['free-key'] as string,
      httpOptions: { baseUrl: sb.url },
    });
    const err = await genai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' }).then(
      () => assert.fail('expected a 429'),
      (e: { status: number; message: string }) => e,
    );
    assert.equal(err.status, 429);
    const body = JSON.parse(err.message) as {
      error: { message: string; details: Array<Record<string, unknown>> };
    };
    assert.match(
      body.error.message,
      /\n\* Quota exceeded for metric: generativelanguage\.googleapis\.com\/generate_content_free_tier_requests, limit: 0, model: gemini-2\.5-pro\nPlease retry in \d+\.\d+s\.$/,
    );
    assert.deepEqual(
      body.error.details.map((d) => d['@type']),
      [
        'type.googleapis.com/google.rpc.Help',
        'type.googleapis.com/google.rpc.QuotaFailure',
        'type.googleapis.com/google.rpc.RetryInfo',
      ],
    );
  });
});

describe('Cloud Run v2 rollouts, through @google-cloud/run', () => {
  let sb: Sandbox;
  let run: ServicesClient;
  before(async () => {
    sb = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 0, operationDelayMs: 300 });
    const auth = new GoogleAuth({
      keyFilename: sb.adcFile,
      scopes: [CLOUD_PLATFORM],
      clientOptions: { transporter: sandboxTransporter(sb) },
    });
    run = new ServicesClient({
      auth: auth as unknown as NonNullable<ConstructorParameters<typeof ServicesClient>[0]>['auth'],
      fallback: true,
      protocol: 'http',
      apiEndpoint: '127.0.0.1',
      port: Number(new URL(sb.url).port),
    });
  });
  after(async () => {
    await run.close();
    await sb.close();
  });
  const name = 'projects/datadog-ese-sandbox/locations/us-central1/services/genai-adk-python';

  it('a rollout shows reconciling and the new generation at once; a stale etag is a conflict', async () => {
    const [before] = await run.getService({ name });
    const [op] = await run.updateService({
      service: {
        name,
        etag: before.etag,
        template: { ...before.template, serviceAccount: sb.scenario.operator.email },
      },
    });
    const [during] = await run.getService({ name });
    assert.equal(during.reconciling, true);
    assert.equal(Number(during.generation), Number(before.generation) + 1);
    assert.equal(Number(during.observedGeneration), Number(before.generation));
    assert.notEqual(during.etag, before.etag);
    await assert.rejects(
      run.updateService({ service: { name, etag: before.etag, template: before.template } }),
      (e: { code?: number; message?: string }) =>
        e.code === 10 || /409|ABORTED|modified/.test(String(e.message)),
    );
    const [done] = await op.promise();
    assert.equal(done.reconciling, false);
    assert.equal(done.template?.serviceAccount, sb.scenario.operator.email);
    const [after] = await run.getService({ name });
    assert.equal(after.reconciling, false);
    assert.equal(after.observedGeneration, after.generation);
    assert.equal(sb.state.metadataIdentity().email, sb.scenario.operator.email);
  });
});

describe('the Datadog stand-in, through @datadog/datadog-api-client', () => {
  let dd: Awaited<ReturnType<typeof startDatadogApi>>;
  before(async () => {
    process.env.DD_API_KEY = 'k';
    process.env.DD_APP_KEY = 'a';
    dd = await startDatadogApi({ count: 300 });
  });
  after(() => dd.close());

  it('links.next of a logs search is a GET /api/v2/logs/events page the stand-in serves', async () => {
    const res = await fetch(`${dd.url}/api/v2/logs/events/search`, {
      method: 'POST',
      headers: { 'dd-api-key': 'k', 'dd-application-key': 'a', 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { from: 'now-24h', query: '*' }, page: { limit: 5 } }),
    });
    const first = (await res.json()) as { links: { next?: string }; data: unknown[] };
    assert.ok(first.links.next);
    const cursor = new URL(first.links.next).searchParams.get('page[cursor]') ?? undefined;
    const logs = new LogsApi(datadogConfiguration(dd.url));
    const second = await logs.listLogsGet({
      filterFrom: new Date(Date.now() - 86_400_000),
      pageLimit: 5,
      pageCursor: cursor,
    });
    assert.equal(second.data?.length, 5);
    const followed = await fetch(first.links.next, {
      headers: { 'dd-api-key': 'k', 'dd-application-key': 'a' },
    });
    assert.equal(followed.status, 200);
  });

  it('searchMonitors is a search (monitors + metadata), not a monitor get', async () => {
    const monitors = new MonitorsApi(datadogConfiguration(dd.url));
    await monitors.createMonitor({
      body: {
        name: 'genai 403s',
        type: 'log alert',
        query: 'logs("status:error").index("*").rollup("count").last("5m") > 1',
        message: 'm',
        tags: ['genai-doctor'],
      },
    });
    const found = await monitors.searchMonitors({ query: 'tag:genai-doctor' });
    assert.equal(found.monitors?.length, 1);
    assert.equal(found.metadata?.totalCount, 1);
  });
});
