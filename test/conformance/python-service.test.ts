/**
 * Python services as users write them (google-auth, google-genai, google-api-python-client),
 * unchanged, against the sandbox: each behaves as it does at Google. These are the issue's
 * "done when" cases: impersonation from a Python service (google-auth narrows the source token to
 * the `iam` scope), a google-genai call with a gs:// part (the SDK's mixed-case body), and a
 * fire-and-forget API enable (the operation finishes without anyone polling it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { api, operatorToken } from '../sandbox/helpers.js';
import { ensurePythonClients, REPO, runPython, sandboxEnv } from './harness.js';

const PROD = 'acme-genai-prod';
const INVOKER = `vertex-invoker@${PROD}.iam.gserviceaccount.com`;

interface ServiceResult {
  status: number | string;
  body: {
    error?: { code: number; status: string; message: string; details?: unknown[] };
    text?: string;
  } & Record<string, unknown>;
}

async function pythonService(sb: Sandbox, action: string, arg: string): Promise<ServiceResult> {
  const out = await runPython(
    [`${REPO}/test/conformance/python_service.py`, action, arg],
    sandboxEnv(sb, { GOOGLE_CLOUD_PROJECT: PROD }),
  );
  return JSON.parse(out) as ServiceResult;
}

before(() => ensurePythonClients());

describe('a Python service that impersonates (iam-act-as)', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'iam-act-as', propagationDelayMs: 0 });
  });
  after(() => sb.close());

  it('is refused for the missing permission, not for its iam-scoped source token', async () => {
    const r = await pythonService(sb, 'impersonate', INVOKER);
    assert.equal(r.status, 'refresh-error', JSON.stringify(r));
    assert.equal(r.body.error?.status, 'PERMISSION_DENIED');
    assert.equal(
      r.body.error?.message,
      "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    );
    // The source token really was narrowed to the iam scope by google-auth.
    const scopes = [...sb.state.tokens.values()].filter((t) => t.via === 'metadata').map((t) => t.scopes);
    assert.deepEqual(scopes, [['https://www.googleapis.com/auth/iam']]);
  });

  it('works once the workload may mint tokens for the invoker, as at Google', async () => {
    const op = await operatorToken(sb);
    const resource = `/v1/projects/${PROD}/serviceAccounts/${INVOKER}`;
    const policy = (await api<{ etag: string }>(sb, op, 'POST', `${resource}:getIamPolicy`)).body;
    const workload = sb.state.metadataIdentity().email;
    const set = await api(sb, op, 'POST', `${resource}:setIamPolicy`, {
      policy: {
        ...policy,
        bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${workload}`] }],
      },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const r = await pythonService(sb, 'impersonate', INVOKER);
    assert.equal(r.status, 200, JSON.stringify(r));
    assert.match(r.body.text ?? '', /^Sandbox reply from gemini-2\.5-flash: Say hello/);
  });
});

describe('a Python google-genai call with a gs:// part (iam-service-agent)', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'iam-service-agent', propagationDelayMs: 0 });
  });
  after(() => sb.close());

  it("reads the SDK's mixed-case fileData and refuses as Vertex does: the service agent cannot read the bucket", async () => {
    const r = await pythonService(sb, 'gs-part', 'gs://acme-shared-assets/brand/reference.png');
    assert.equal(r.status, 400, JSON.stringify(r));
    assert.equal(r.body.error?.status, 'FAILED_PRECONDITION');
    assert.match(
      r.body.error?.message ?? '',
      /^Service account `service-215346789012@gcp-sa-aiplatform\.iam\.gserviceaccount\.com` does not have `\[storage\.objects\.get\]` IAM permission\(s\) to the bucket "acme-shared-assets"\./,
    );
  });
});

describe('a fire-and-forget API enable from Python (api-disabled)', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'api-disabled', propagationDelayMs: 0, operationDelayMs: 400 });
  });
  after(() => sb.close());

  it('the service turns ENABLED on its own, with no operations.get, and Vertex AI then answers', async () => {
    const r = await pythonService(sb, 'enable', 'aiplatform.googleapis.com');
    assert.equal(r.status, 200, JSON.stringify(r));
    assert.equal(r.body.state, 'ENABLED');
    assert.equal(r.body.operationDone, false, 'the operation was still running when enable answered');
    assert.ok(
      !sb.state.requestLog.some((l) => l.path.startsWith('/v1/operations/')),
      'nobody polled the operation',
    );
    const call = await pythonService(sb, 'gs-part', 'gs://no-bucket-needed');
    // The API is on: the call now gets past SERVICE_DISABLED (to the bucket check).
    assert.notEqual(
      (call.body.error?.details as Array<{ reason?: string }> | undefined)?.[0]?.reason,
      'SERVICE_DISABLED',
    );
  });
});
