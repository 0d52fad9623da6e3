/**
 * The workload's call, made the way the workload makes it: credentials from the metadata server
 * (or an API key / a cached token / impersonation), the project from the Cloud Run service's live
 * env, then one POST to Vertex AI or the Gemini API. Used by tests, the live doctor's verify step
 * and the demo to reproduce (and, after a fix, re-run) the failing call.
 */
import type { GoogleErrorBody } from './errors.js';
import type { SandboxState } from './state.js';

export interface WorkloadCallResult {
  ok: boolean;
  status: number;
  body: unknown;
  /** The request as sent (no credentials). */
  url: string;
  project: string;
  location: string;
  model: string;
  /** The identity the call ran as, when the sandbox can tell (metadata / impersonation). */
  principal?: string;
  /** The step that failed, when it was not the model call itself. */
  failedStep?: 'metadata-token' | 'impersonation';
}

export function errorOf(result: WorkloadCallResult): GoogleErrorBody['error'] | undefined {
  const body = result.body as Partial<GoogleErrorBody> | undefined;
  return body && typeof body === 'object' && body.error ? body.error : undefined;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function callWorkload(baseUrl: string, state: SandboxState): Promise<WorkloadCallResult> {
  const call = state.scenario.call;
  let project = call.project;
  let location = call.location;
  if (call.cloudRun) {
    const runProject = state.project(call.cloudRun.project);
    const svc = runProject
      ? state.cloudRunService(runProject, call.cloudRun.region, call.cloudRun.service)
      : undefined;
    if (svc && call.projectEnv && svc.env[call.projectEnv]) project = svc.env[call.projectEnv] as string;
    if (svc?.env.GOOGLE_CLOUD_LOCATION && call.api === 'vertex') location = svc.env.GOOGLE_CLOUD_LOCATION;
  }
  const method = call.method ?? 'generateContent';
  const url =
    call.api === 'vertex'
      ? `${baseUrl}/v1/projects/${project}/locations/${location}/publishers/google/models/${call.model}:${method}`
      : `${baseUrl}/v1beta/models/${call.model}:${method}`;
  const base = { url, project, location, model: call.model };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let principal: string | undefined;

  const cred = call.credential;
  if (cred.kind === 'apiKey') {
    headers['x-goog-api-key'] = state.apiKeyStrings[cred.id] ?? '';
  } else if (cred.kind === 'token') {
    headers.authorization = `Bearer ${state.scenarioTokens[cred.id] ?? ''}`;
  } else {
    const res = await fetch(`${baseUrl}/computeMetadata/v1/instance/service-accounts/default/token`, {
      headers: { 'Metadata-Flavor': 'Google' },
    });
    const body = await readBody(res);
    if (!res.ok) return { ...base, ok: false, status: res.status, body, failedStep: 'metadata-token' };
    let token = (body as { access_token: string }).access_token;
    principal = state.metadataIdentity().email;
    if (cred.kind === 'impersonate') {
      const imp = await fetch(
        `${baseUrl}/v1/projects/-/serviceAccounts/${encodeURIComponent(cred.target)}:generateAccessToken`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            scope: ['https://www.googleapis.com/auth/cloud-platform'],
            lifetime: '3600s',
          }),
        },
      );
      const impBody = await readBody(imp);
      if (!imp.ok)
        return {
          ...base,
          ok: false,
          status: imp.status,
          body: impBody,
          principal,
          failedStep: 'impersonation',
        };
      token = (impBody as { accessToken: string }).accessToken;
      principal = cred.target;
    }
    headers.authorization = `Bearer ${token}`;
  }

  if (call.quotaProject) headers['x-goog-user-project'] = call.quotaProject;
  const isImage = state.models.find((m) => m.id === call.model)?.kind === 'image';
  const parts: Array<Record<string, unknown>> = [{ text: call.prompt ?? 'Say hello.' }];
  if (call.fileUri) parts.push({ fileData: { fileUri: call.fileUri, mimeType: 'image/png' } });
  const request: Record<string, unknown> = { contents: [{ role: 'user', parts }] };
  if (isImage && method === 'generateContent') {
    request.generationConfig = { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '1:1' } };
  }
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(request) });
  const body = await readBody(res);
  const out: WorkloadCallResult = { ...base, ok: res.ok, status: res.status, body };
  if (principal) out.principal = principal;
  return out;
}
