/**
 * The Node half of the conformance suite: @google/genai, google-auth-library and the
 * @google-cloud clients (REST transport: `fallback: true`, plain http to the sandbox's port),
 * one call per route they cover. A call passes when the client accepts the answer and the
 * fields a program reads are there.
 */

import { MonitorsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MonitorsApi.js';
import { LogsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis/LogsApi.js';
import { GoogleGenAI } from '@google/genai';
import { IAMCredentialsClient } from '@google-cloud/iam-credentials';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { ServicesClient } from '@google-cloud/run';
import { ServiceUsageClient } from '@google-cloud/service-usage';
import { Compute, GoogleAuth, Impersonated, type JWT, OAuth2Client } from 'google-auth-library';
import type { Sandbox } from '../../src/sandbox/index.js';
import { CLOUD_PLATFORM, sandboxTransporter } from '../sandbox/helpers.js';
import { datadogConfiguration } from '../support/datadog-client.js';
import type { CallResult } from './conformance.test.js';
import { CONFORMANCE } from './harness.js';

const P = CONFORMANCE.project;

export async function nodeClientCalls(sb: Sandbox): Promise<CallResult[]> {
  const results: CallResult[] = [];
  const record = async (route: string, client: string, fn: () => Promise<unknown>) => {
    try {
      results.push({ route, client, status: 200, body: await fn() });
    } catch (err) {
      const e = err as { code?: number; status?: number; message?: string };
      const status = typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? e.code : 0;
      results.push({
        route,
        client,
        status: status === 0 ? 0 : status,
        body: null,
        note: String(e.message).slice(0, 400),
      });
    }
  };
  const auth = new GoogleAuth({
    keyFilename: sb.adcFile,
    scopes: [CLOUD_PLATFORM],
    clientOptions: { transporter: sandboxTransporter(sb) },
  });
  const port = Number(new URL(sb.url).port);
  // google-gax bundles its own google-auth-library; the root one works the same at run time.
  const gax = {
    auth: auth as unknown as NonNullable<ConstructorParameters<typeof ProjectsClient>[0]>['auth'],
    fallback: true,
    protocol: 'http',
    apiEndpoint: '127.0.0.1',
    port,
  };

  const AUTH = 'google-auth-library';
  await record('oauth2.token', AUTH, async () => {
    const { token } = await ((await auth.getClient()) as JWT).getAccessToken();
    if (!token) throw new Error('no token');
    return {};
  });
  await record('iamcredentials.projects.serviceAccounts.generateAccessToken', AUTH, async () => {
    const source = (await auth.getClient()) as JWT;
    const target = new Impersonated({
      sourceClient: source,
      targetPrincipal: `${CONFORMANCE.projectNumber}-compute@developer.gserviceaccount.com`,
      targetScopes: [CLOUD_PLATFORM],
      endpoint: sb.url,
    });
    const { token } = await target.getAccessToken();
    if (!token) throw new Error('no token');
    return {};
  });

  const CRM = '@google-cloud/resource-manager';
  const projects = new ProjectsClient(gax);
  await record('v3:cloudresourcemanager.projects.get', CRM, async () => {
    const [p] = await projects.getProject({ name: `projects/${P}` });
    if (p.projectId !== P) throw new Error(`projectId ${p.projectId}`);
    return {};
  });
  await record('v3:cloudresourcemanager.projects.search', CRM, async () => {
    const [list] = await projects.searchProjects({ query: `id:${P}` });
    if (!list.some((p) => p.projectId === P)) throw new Error('project not found by search');
    return {};
  });
  await record('v3:cloudresourcemanager.projects.getIamPolicy', CRM, async () => {
    const [policy] = await projects.getIamPolicy({ resource: `projects/${P}` });
    if (!policy.etag || !policy.bindings?.length) throw new Error('no etag / bindings');
    return {};
  });

  const RUN = '@google-cloud/run';
  const run = new ServicesClient(gax);
  const svcName = `projects/${P}/locations/us-central1/services/genai-adk-python`;
  await record('run.projects.locations.services.get', RUN, async () => {
    const [s] = await run.getService({ name: svcName });
    if (s.name !== svcName) throw new Error(`name ${s.name}`);
    return {};
  });
  await record('run.projects.locations.services.list', RUN, async () => {
    const [list] = await run.listServices({ parent: `projects/${P}/locations/us-central1` });
    if (list.length === 0) throw new Error('no services');
    return {};
  });
  await record('run.projects.locations.services.patch', RUN, async () => {
    const [s] = await run.getService({ name: svcName });
    const [op] = await run.updateService({ service: { ...s, template: { ...s.template } } });
    const [done] = await op.promise();
    if (!done.generation) throw new Error('no generation after the rollout');
    return {};
  });

  const SU = '@google-cloud/service-usage';
  const su = new ServiceUsageClient(gax);
  const translate = `projects/${P}/services/translate.googleapis.com`;
  await record('serviceusage.services.get', SU, async () => {
    const [s] = await su.getService({ name: translate });
    if (!s.state) throw new Error('no state');
    return {};
  });
  await record('serviceusage.services.list', SU, async () => {
    const [list] = await su.listServices({ parent: `projects/${P}`, filter: 'state:ENABLED' });
    if (list.length === 0 || list.some((s) => s.state !== 'ENABLED')) throw new Error('filter ignored');
    return {};
  });
  await record('serviceusage.services.enable', SU, async () => {
    const [op] = await su.enableService({ name: translate });
    const [done] = await op.promise();
    // gax's REST transport decodes enums to their numbers (State.ENABLED = 2).
    if (!['ENABLED', '2'].includes(String(done.service?.state)))
      throw new Error(`state ${done.service?.state}`);
    return {};
  });

  const CREDS = '@google-cloud/iam-credentials';
  const creds = new IAMCredentialsClient(gax);
  await record('iamcredentials.projects.serviceAccounts.generateAccessToken', CREDS, async () => {
    const [t] = await creds.generateAccessToken({
      name: `projects/-/serviceAccounts/${CONFORMANCE.projectNumber}-compute@developer.gserviceaccount.com`,
      scope: [CLOUD_PLATFORM],
    });
    if (!t.accessToken) throw new Error('no token');
    return {};
  });
  await record('iamcredentials.projects.serviceAccounts.generateIdToken', CREDS, async () => {
    const [t] = await creds.generateIdToken({
      name: `projects/-/serviceAccounts/${CONFORMANCE.projectNumber}-compute@developer.gserviceaccount.com`,
      audience: 'https://svc.example.run.app',
    });
    if (!t.token) throw new Error('no token');
    return {};
  });

  const GENAI = '@google/genai';
  const vertex = new GoogleGenAI({
    vertexai: true,
    project: P,
    location: 'global',
    googleAuthOptions: { keyFilename: sb.adcFile, clientOptions: { transporter: sandboxTransporter(sb) } },
    httpOptions: { baseUrl: sb.url },
  });
  await record('aiplatform.projects.locations.publishers.models.generateContent', GENAI, async () => {
    const r = await vertex.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        {
          role: 'user',
          parts: [
            { fileData: { fileUri: `gs://${CONFORMANCE.bucket}/cat.png`, mimeType: 'image/png' } },
            { text: 'hi' },
          ],
        },
      ],
    });
    if (!r.text) throw new Error('no text');
    return {};
  });
  await record('aiplatform.projects.locations.publishers.models.streamGenerateContent', GENAI, async () => {
    let text = '';
    for await (const c of await vertex.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hi',
    }))
      text += c.text ?? '';
    if (!text) throw new Error('no text');
    return {};
  });
  await record('aiplatform.projects.locations.publishers.models.countTokens', GENAI, async () => {
    const r = await vertex.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hello there' });
    if (!r.totalTokens) throw new Error('no count');
    return {};
  });
  const gemini = new GoogleGenAI({
    apiKey: sb.state.apiKeyStrings['conformance-key'] as string,
    httpOptions: { baseUrl: sb.url },
  });
  await record('generativelanguage.models.generateContent', GENAI, async () => {
    const r = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    if (!r.text) throw new Error('no text');
    return {};
  });
  await record('generativelanguage.models.get', GENAI, async () => {
    const m = await gemini.models.get({ model: 'gemini-2.5-flash' });
    if (m.name !== 'models/gemini-2.5-flash') throw new Error(`name ${m.name}`);
    return {};
  });
  await record('generativelanguage.models.list', GENAI, async () => {
    const names: string[] = [];
    for await (const m of await gemini.models.list()) names.push(m.name ?? '');
    if (!names.includes('models/gemini-2.5-flash')) throw new Error(`models ${names.join(',')}`);
    return {};
  });
  await record('generativelanguage.models.streamGenerateContent', GENAI, async () => {
    let text = '';
    for await (const c of await gemini.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hi',
    }))
      text += c.text ?? '';
    if (!text) throw new Error('no text');
    return {};
  });
  // Vertex AI express mode: an API key, no project in the path.
  const express = new GoogleGenAI({
    vertexai: true,
    apiKey: sb.state.apiKeyStrings['conformance-key'] as string,
    httpOptions: { baseUrl: sb.url },
  });
  await record('aiplatform.publishers.models.generateContent', GENAI, async () => {
    const r = await express.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    if (!r.text) throw new Error('no text');
    return {};
  });

  await record('oauth2.tokeninfo', AUTH, async () => {
    const client = (await auth.getClient()) as JWT;
    const { token } = await client.getAccessToken();
    const info = await new OAuth2Client({ endpoints: { tokenInfoUrl: `${sb.url}/tokeninfo` } }).getTokenInfo(
      token as string,
    );
    if (!info.email) throw new Error('no email');
    return {};
  });
  await record('oauth2.revoke', AUTH, async () => {
    const { token } = await ((await auth.getClient()) as JWT).getAccessToken();
    const client = new OAuth2Client({
      transporter: sandboxTransporter(sb),
      endpoints: { oauth2RevokeUrl: `${sb.url}/revoke` },
    });
    await client.revokeToken(token as string);
    return {};
  });
  await record('computeMetadata.token', AUTH, async () => {
    const { token } = await new Compute().getAccessToken();
    if (!token) throw new Error('no token');
    return {};
  });

  results.push(...(await datadogCalls(sb)));
  await Promise.all([projects.close(), run.close(), su.close(), creds.close()]);
  return results;
}

/** The Datadog stand-in (same port) through @datadog/datadog-api-client, one call per route. */
async function datadogCalls(sb: Sandbox): Promise<CallResult[]> {
  const out: CallResult[] = [];
  const client = '@datadog/datadog-api-client';
  const record = async (route: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      out.push({ route, client, status: 200, body: {} });
    } catch (err) {
      out.push({ route, client, status: 0, body: null, note: String((err as Error).message).slice(0, 400) });
    }
  };
  const saved = { api: process.env.DD_API_KEY, app: process.env.DD_APP_KEY };
  process.env.DD_API_KEY = 'conformance-api-key';
  process.env.DD_APP_KEY = 'conformance-app-key';
  try {
    const config = datadogConfiguration(sb.url);
    const logs = new LogsApi(config);
    const monitors = new MonitorsApi(config);
    const from = new Date(Date.now() - 86_400_000);
    await record('datadog.logs.listLogs', async () => {
      const r = await logs.listLogs({
        body: { filter: { from: from.toISOString(), query: '*' }, page: { limit: 2 } },
      });
      if (!r.data) throw new Error('no data');
    });
    await record('datadog.logs.listLogsGet', async () => {
      const r = await logs.listLogsGet({ filterFrom: from, pageLimit: 2 });
      if (!r.data) throw new Error('no data');
    });
    const body = {
      name: 'conformance',
      type: 'log alert' as const,
      query: 'logs("status:error").index("*").rollup("count").last("5m") > 1',
      message: 'conformance',
      tags: ['conformance'],
    };
    await record('datadog.monitors.validateMonitor', () => monitors.validateMonitor({ body }));
    let id = 0;
    await record('datadog.monitors.createMonitor', async () => {
      id = (await monitors.createMonitor({ body })).id ?? 0;
      if (!id) throw new Error('no id');
    });
    await record('datadog.monitors.getMonitor', () => monitors.getMonitor({ monitorId: id }));
    await record('datadog.monitors.updateMonitor', () =>
      monitors.updateMonitor({ monitorId: id, body: { message: 'updated' } }),
    );
    await record('datadog.monitors.listMonitors', async () => {
      const list = await monitors.listMonitors({ monitorTags: 'conformance' });
      if (list.length !== 1) throw new Error(`${list.length} monitors`);
    });
    await record('datadog.monitors.searchMonitors', async () => {
      const r = await monitors.searchMonitors({ query: 'tag:conformance' });
      if (r.metadata?.totalCount !== 1) throw new Error('not found by search');
    });
    await record('datadog.monitors.deleteMonitor', () => monitors.deleteMonitor({ monitorId: id }));
  } finally {
    if (saved.api === undefined) delete process.env.DD_API_KEY;
    else process.env.DD_API_KEY = saved.api;
    if (saved.app === undefined) delete process.env.DD_APP_KEY;
    else process.env.DD_APP_KEY = saved.app;
  }
  return out;
}
