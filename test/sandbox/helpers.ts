/**
 * Test helpers for the sandbox: the operator's token (a real JWT-bearer exchange signed with the
 * ADC key), a small REST caller, and a gaxios transporter that sends oauth2.googleapis.com to the
 * sandbox (google-auth-library's JWT client ignores a key file's token_uri).
 */
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { gaxios } from 'google-auth-library';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';

export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

/** Signs a JWT-bearer assertion with the ADC key, as gtoken does, and exchanges it at /token. */
export async function operatorToken(sb: Sandbox, scope = CLOUD_PLATFORM): Promise<string> {
  const key = JSON.parse(readFileSync(sb.adcFile, 'utf8')) as { client_email: string; private_key: string };
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(
    JSON.stringify({
      iss: key.client_email,
      scope,
      aud: 'https://oauth2.googleapis.com/token',
      iat: now,
      exp: now + 3600,
    }),
  )}`;
  const assertion = `${input}.${b64url(createSign('RSA-SHA256').update(input).sign(key.private_key))}`;
  const res = await fetch(`${sb.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token exchange failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function metadataToken(sb: Sandbox): Promise<string> {
  const res = await fetch(`${sb.url}/computeMetadata/v1/instance/service-accounts/default/token`, {
    headers: { 'Metadata-Flavor': 'Google' },
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function api<T = Record<string, unknown>>(
  sb: Sandbox,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const h: Record<string, string> = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(`${sb.url}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T };
}

export interface ErrorBody {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

export function errorInfoOf(
  body: unknown,
): { reason?: string; domain?: string; metadata?: Record<string, string> } | undefined {
  const details = (body as ErrorBody).error?.details ?? [];
  return details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo') as
    | { reason?: string; domain?: string; metadata?: Record<string, string> }
    | undefined;
}

/** A gaxios transporter that sends Google's token endpoint to the sandbox. */
export function sandboxTransporter(sb: Sandbox): InstanceType<typeof gaxios.Gaxios> {
  const transporter = new gaxios.Gaxios();
  transporter.interceptors.request.add({
    resolved: async (opts) => {
      const url = new URL(String(opts.url));
      if (url.origin === 'https://oauth2.googleapis.com')
        opts.url = new URL(`${url.pathname}${url.search}`, sb.url);
      return opts;
    },
  });
  return transporter;
}

/** Adds `member` to `role` on a project as the operator (read-modify-write with the etag). */
export async function grant(sb: Sandbox, project: string, role: string, member: string): Promise<void> {
  const token = await operatorToken(sb);
  const got = await api<{
    bindings?: Array<{ role: string; members: string[] }>;
    etag: string;
    version?: number;
  }>(sb, token, 'POST', `/v1/projects/${project}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } });
  const policy = got.body;
  policy.bindings ??= [];
  const b = policy.bindings.find((x) => x.role === role);
  if (b) b.members.push(member);
  else policy.bindings.push({ role, members: [member] });
  const set = await api(sb, token, 'POST', `/v1/projects/${project}:setIamPolicy`, { policy });
  if (set.status !== 200) throw new Error(`setIamPolicy failed: ${set.status} ${JSON.stringify(set.body)}`);
}

/** Checks a PNG: signature, IHDR first, and every chunk's CRC. Returns its size. */
export function checkPng(
  buf: Buffer,
  crc32: (b: Uint8Array) => number,
): { width: number; height: number; chunks: string[] } {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!buf.subarray(0, 8).equals(sig)) throw new Error('bad PNG signature');
  const chunks: string[] = [];
  let off = 8;
  let width = 0;
  let height = 0;
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.subarray(off + 4, off + 8).toString('ascii');
    const data = buf.subarray(off + 8, off + 8 + len);
    const crc = buf.readUInt32BE(off + 8 + len);
    if (crc32(buf.subarray(off + 4, off + 8 + len)) !== crc) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    chunks.push(type);
    off += 12 + len;
  }
  if (chunks[0] !== 'IHDR' || chunks[chunks.length - 1] !== 'IEND')
    throw new Error(`bad chunk order ${chunks.join(',')}`);
  return { width, height, chunks };
}

/**
 * A sandbox and the operator's token for one `describe` block: started before its tests, closed
 * after them. Read `suite.sb` / `suite.op` inside the tests (they are set by then).
 */
export function suiteSandbox(opts: SandboxOptions): { sb: Sandbox; op: string } {
  const suite = {} as { sb: Sandbox; op: string };
  before(async () => {
    suite.sb = await startSandbox(opts);
    suite.op = await operatorToken(suite.sb);
  });
  after(() => suite.sb.close());
  return suite;
}
