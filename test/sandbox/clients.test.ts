/**
 * Part 2 of the issue: Google's official clients, unchanged, talk to the sandbox as to Google.
 * google-auth-library through GCE_METADATA_HOST (the workload) and through the ADC key file (the
 * operator); @google/genai in Vertex mode (base URL override) and Gemini API mode (API key).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { GoogleGenAI } from '@google/genai';
import { Compute, GoogleAuth, JWT } from 'google-auth-library';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { crc32 } from '../../src/sandbox/png.js';
import { CLOUD_PLATFORM, checkPng, errorInfoOf, grant, sandboxTransporter } from './helpers.js';

// The workload half of these tests reads the metadata server; nothing else may answer first.
for (const k of [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
  'GCLOUD_PROJECT',
  'GCE_METADATA_IP',
]) {
  delete process.env[k];
}

describe('official clients against the seed-incident sandbox', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scenario: 'seed-incident', propagationDelayMs: 0, operationDelayMs: 0 });
    process.env.GCE_METADATA_HOST = sb.metadataHost;
  });
  after(async () => {
    delete process.env.GCE_METADATA_HOST;
    await sb.close();
  });

  it('google-auth-library picks the Compute client from the metadata server and gets its token', async () => {
    const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM] });
    const client = await auth.getClient();
    assert.ok(client instanceof Compute, `expected Compute, got ${client.constructor.name}`);
    const { token } = await client.getAccessToken();
    assert.match(token ?? '', /^ya29\./);
    assert.equal(await auth.getProjectId(), 'datadog-ese-sandbox');
    const creds = await auth.getCredentials();
    assert.equal(creds.client_email, '482019374651-compute@developer.gserviceaccount.com');
    // The token the sandbox issued is the workload's: tokeninfo names the compute account.
    const info = await new Compute({ endpoints: { tokenInfoUrl: `${sb.url}/tokeninfo` } }).getTokenInfo(
      token as string,
    );
    assert.equal(info.email, '482019374651-compute@developer.gserviceaccount.com');
    assert.ok(info.scopes.includes(CLOUD_PLATFORM));
  });

  it('the metadata server issues ID tokens google-auth-library can fetch', async () => {
    const auth = new GoogleAuth();
    const idClient = await auth.getIdTokenClient('https://genai-adk-python.example.run.app');
    const headers = await idClient.getRequestHeaders();
    const jwt = (headers.get('authorization') ?? '').replace(/^Bearer /, '');
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
    assert.equal(payload.aud, 'https://genai-adk-python.example.run.app');
    assert.equal(payload.email, '482019374651-compute@developer.gserviceaccount.com');
  });

  it('the operator ADC key file: gtoken signs a JWT, the sandbox verifies it and issues a token', async () => {
    const auth = new GoogleAuth({
      keyFilename: sb.adcFile,
      scopes: [CLOUD_PLATFORM],
      clientOptions: {
        transporter: sandboxTransporter(sb),
        endpoints: { tokenInfoUrl: `${sb.url}/tokeninfo` },
      },
    });
    const client = (await auth.getClient()) as JWT;
    assert.ok(client instanceof JWT);
    const { token } = await client.getAccessToken();
    assert.match(token ?? '', /^ya29\./);
    assert.equal(sb.state.tokens.get(token as string)?.via, 'jwt-bearer');
    const info = await client.getTokenInfo(token as string);
    assert.equal(info.email, sb.scenario.operator.email);
    assert.equal(await auth.getProjectId(), 'datadog-ese-sandbox');
    // The token works on a management API through the client's own request().
    const res = await client.request<{ projectNumber: string; lifecycleState: string }>({
      url: `${sb.url}/v1/projects/datadog-ese-sandbox`,
    });
    assert.equal(res.data.projectNumber, '482019374651');
    assert.equal(res.data.lifecycleState, 'ACTIVE');
  });

  it('a self-signed JWT from the key file (JWTAccess) is accepted as a bearer token', async () => {
    const auth = new GoogleAuth({ keyFilename: sb.adcFile });
    const client = (await auth.getClient()) as JWT;
    const headers = await client.getRequestHeaders(`${sb.url}/`);
    const res = await fetch(`${sb.url}/v1/projects/datadog-ese-sandbox:testIamPermissions`, {
      method: 'POST',
      headers: { authorization: headers.get('authorization') as string, 'content-type': 'application/json' },
      body: JSON.stringify({
        permissions: ['resourcemanager.projects.setIamPolicy', 'aiplatform.endpoints.predict'],
      }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { permissions: ['resourcemanager.projects.setIamPolicy'] });
  });

  it('a token signed by a key the sandbox never issued is refused (invalid_grant)', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const jwt = new JWT({
      email: sb.scenario.operator.email,
      key: other.toString(),
      scopes: [CLOUD_PLATFORM],
      transporter: sandboxTransporter(sb),
    });
    await assert.rejects(jwt.getAccessToken(), /invalid_grant: Invalid JWT Signature/);
  });

  it("@google/genai (Vertex, metadata credentials) gets the seed 403 with Google's body", async () => {
    const ai = new GoogleGenAI({
      vertexai: true,
      project: 'datadog-sandbox',
      location: 'global',
      httpOptions: { baseUrl: sb.url },
    });
    await assert.rejects(
      ai.models.generateContent({ model: 'gemini-3-pro-image-preview', contents: 'A simple test image' }),
      (err: Error & { status?: number }) => {
        assert.equal(err.status, 403);
        const body = JSON.parse(err.message);
        assert.equal(body.error.status, 'PERMISSION_DENIED');
        assert.equal(
          body.error.message,
          "Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/datadog-sandbox/locations/global/publishers/google/models/gemini-3-pro-image-preview' (or it may not exist).",
        );
        const info = errorInfoOf(body);
        assert.equal(info?.reason, 'IAM_PERMISSION_DENIED');
        assert.equal(info?.domain, 'aiplatform.googleapis.com');
        assert.equal(info?.metadata?.permission, 'aiplatform.endpoints.predict');
        return true;
      },
    );
  });

  it('@google/genai (Vertex, metadata credentials) generates a real PNG once the runtime account is granted', async () => {
    await grant(
      sb,
      'datadog-ese-sandbox',
      'roles/aiplatform.user',
      'serviceAccount:482019374651-compute@developer.gserviceaccount.com',
    );
    const ai = new GoogleGenAI({
      vertexai: true,
      project: 'datadog-ese-sandbox',
      location: 'global',
      httpOptions: { baseUrl: sb.url },
    });
    const res = await ai.models.generateContent({
      model: 'gemini-3-pro-image-preview',
      contents: 'A lighthouse at dawn',
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
    const parts = res.candidates?.[0]?.content?.parts ?? [];
    const image = parts.find((p) => p.inlineData)?.inlineData;
    assert.equal(image?.mimeType, 'image/png');
    const png = Buffer.from(image?.data ?? '', 'base64');
    const { width, height, chunks } = checkPng(png, crc32);
    assert.deepEqual([width, height], [64, 36]);
    assert.ok(chunks.includes('IDAT'));
    // The IDAT really inflates to height rows of (1 + 3*width) bytes.
    const idat = png.subarray(8 + 12 + 13 + 8, png.length - 12 - 4);
    assert.equal(inflateSync(idat).length, height * (1 + 3 * width));
    assert.ok(parts.some((p) => typeof p.text === 'string' && p.text.length > 0));
    assert.equal(res.modelVersion, 'gemini-3-pro-image-preview');
    assert.ok(res.responseId);
    assert.ok((res.usageMetadata?.totalTokenCount ?? 0) > 0);

    const count = await ai.models.countTokens({
      model: 'gemini-3-pro-image-preview',
      contents: 'How many tokens is this?',
    });
    assert.equal(count.totalTokens, 6);
  });

  it('@google/genai with googleAuthOptions (the operator ADC key): the operator is no model user', async () => {
    const operatorTokens = () =>
      [...sb.state.tokens.values()].filter(
        (t) => t.email === sb.scenario.operator.email && t.via === 'jwt-bearer',
      ).length;
    const before = operatorTokens();
    const ai = new GoogleGenAI({
      vertexai: true,
      project: 'datadog-ese-sandbox',
      location: 'global',
      httpOptions: { baseUrl: sb.url },
      googleAuthOptions: { keyFilename: sb.adcFile, clientOptions: { transporter: sandboxTransporter(sb) } },
    });
    await assert.rejects(
      ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'x' }),
      (err: Error & { status?: number }) => {
        assert.equal(err.status, 403);
        assert.equal(errorInfoOf(JSON.parse(err.message))?.reason, 'IAM_PERMISSION_DENIED');
        return true;
      },
    );
    // The call really ran as the operator: its token came from the JWT-bearer exchange.
    assert.equal(operatorTokens(), before + 1);
  });

  it('@google/genai streams generateContent over SSE', async () => {
    const ai = new GoogleGenAI({
      vertexai: true,
      project: 'datadog-ese-sandbox',
      location: 'global',
      httpOptions: { baseUrl: sb.url },
    });
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hello',
    })) {
      text += chunk.text ?? '';
    }
    assert.match(text, /Sandbox reply from gemini-2\.5-flash: hello/);
  });

  it('@google/genai on a regional endpoint: a global-only model is not found there', async () => {
    const ai = new GoogleGenAI({
      vertexai: true,
      project: 'datadog-ese-sandbox',
      location: 'us-central1',
      httpOptions: { baseUrl: sb.url },
    });
    await assert.rejects(
      ai.models.generateContent({ model: 'gemini-3-pro-image-preview', contents: 'x' }),
      (err: Error & { status?: number }) => {
        assert.equal(err.status, 404);
        assert.match(
          err.message,
          /Publisher Model `projects\/datadog-ese-sandbox\/locations\/us-central1\/publishers\/google\/models\/gemini-3-pro-image-preview` was not found/,
        );
        return true;
      },
    );
    const ok = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    assert.match(ok.text ?? '', /Sandbox reply/);
  });
});

describe('@google/genai in Gemini API mode (API keys)', () => {
  let sb: Sandbox;
  before(async () => {
    const { loadScenario } = await import('../../src/sandbox/index.js');
    const scenario = loadScenario('auth-api-key-invalid');
    scenario.apiKeys = [
      ...(scenario.apiKeys ?? []),
      { id: 'good', project: 'acme-genai-prod', state: 'ACTIVE' },
      {
        id: 'maps-only',
        project: 'acme-genai-prod',
        state: 'ACTIVE',
        apiTargets: ['maps-backend.googleapis.com'],
      },
    ];
    sb = await startSandbox({ scenario });
  });
  after(() => sb.close());

  const genai = (key: string) => new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: sb.url } });

  it('a valid key generates content and counts tokens', async () => {
    const ai = genai(sb.state.apiKeyStrings.good as string);
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Why is the sky blue?',
    });
    assert.match(res.text ?? '', /Why is the sky blue\?/);
    assert.equal(res.modelVersion, 'gemini-2.5-flash');
    const count = await ai.models.countTokens({
      model: 'gemini-2.5-flash',
      contents: 'Why is the sky blue?',
    });
    assert.equal(count.totalTokens, 5);
  });

  it('an expired key: 400 API_KEY_INVALID "API key expired"', async () => {
    await assert.rejects(
      genai(sb.state.apiKeyStrings['old-key'] as string).models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'x',
      }),
      (err: Error & { status?: number }) => {
        assert.equal(err.status, 400);
        const body = JSON.parse(err.message);
        assert.equal(body.error.message, 'API key expired. Please renew the API key.');
        assert.equal(errorInfoOf(body)?.reason, 'API_KEY_INVALID');
        return true;
      },
    );
  });

  it('a key restricted to another API: 403 API_KEY_SERVICE_BLOCKED', async () => {
    await assert.rejects(
      genai(sb.state.apiKeyStrings['maps-only'] as string).models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'x',
      }),
      (err: Error & { status?: number }) => {
        assert.equal(err.status, 403);
        assert.equal(errorInfoOf(JSON.parse(err.message))?.reason, 'API_KEY_SERVICE_BLOCKED');
        return true;
      },
    );
  });

  it('an unknown model: 404 "is not found for API version v1beta"', async () => {
    await assert.rejects(
      genai(sb.state.apiKeyStrings.good as string).models.generateContent({
        model: 'gemini-9-ultra',
        contents: 'x',
      }),
      /models\/gemini-9-ultra is not found for API version v1beta/,
    );
  });

  it('Vertex AI express mode (vertexai: true with an API key) uses the publisher path and the key', async () => {
    const ai = new GoogleGenAI({
      vertexai: true,
      apiKey: sb.state.apiKeyStrings.good as string,
      httpOptions: { baseUrl: sb.url },
    });
    const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'express' });
    assert.match(res.text ?? '', /Sandbox reply from gemini-2\.5-flash: express/);
    const blocked = new GoogleGenAI({
      vertexai: true,
      apiKey: sb.state.apiKeyStrings['maps-only'] as string,
      httpOptions: { baseUrl: sb.url },
    });
    await assert.rejects(
      blocked.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }),
      /API_KEY_SERVICE_BLOCKED/,
    );
  });

  it('an API key sent to Vertex AI: 401 "API keys are not supported by this API"', async () => {
    const res = await fetch(
      `${sb.url}/v1/projects/acme-genai-prod/locations/global/publishers/google/models/gemini-2.5-flash:generateContent`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-goog-api-key': sb.state.apiKeyStrings.good as string,
        },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
      },
    );
    assert.equal(res.status, 401);
    const body = await res.json();
    assert.match(
      body.error.message,
      /^API keys are not supported by this API\. Expected OAuth2 access token/,
    );
    assert.equal(errorInfoOf(body)?.reason, 'CREDENTIALS_MISSING');
  });
});
