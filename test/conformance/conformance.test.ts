/**
 * The conformance suite: every route the sandbox serves, called through Google's own clients
 * (Python google-auth, google-api-python-client with its static discovery documents, google-genai;
 * Node @google/genai, google-auth-library and @google-cloud clients over their REST transport), and
 * every raw response checked against the discovery document's schema. Prints a route x client
 * table; any fail fails the run. No client may be missing: an absent venv fails, never skips.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { discoveryDir, findMethod, loadDiscovery, schemaErrors } from './discovery-schema.js';
import {
  CONFORMANCE,
  conformanceScenario,
  ensurePythonClients,
  REPO,
  runPython,
  sandboxEnv,
  VENV,
} from './harness.js';
import { nodeClientCalls } from './node-clients.js';

export interface CallResult {
  route: string;
  client: string;
  status: number;
  body: unknown;
  note?: string;
  trace?: string;
}

/** Discovery documents by route prefix; a route without a `vN:` prefix uses the first version. */
const DEFAULT_VERSIONS: Record<string, string> = {
  cloudresourcemanager: 'v1',
  cloudbilling: 'v1',
  iam: 'v1',
  iamcredentials: 'v1',
  policytroubleshooter: 'v3',
  serviceusage: 'v1',
  run: 'v2',
  logging: 'v2',
  aiplatform: 'v1',
};

/** Discovery method id and document of a route key (`v3:cloudresourcemanager.projects.get`). */
function docOf(route: string): { api: string; version: string; id: string } | undefined {
  const m = /^(?:(v\d\w*):)?([a-z0-9]+)\.(.+)$/.exec(route);
  if (!m) return undefined;
  const api = m[2] as string;
  const version = m[1] ?? DEFAULT_VERSIONS[api];
  return version ? { api, version, id: `${api}.${m[3]}` } : undefined;
}

function judge(r: CallResult, dir: string): string[] {
  if (r.status !== 200) return [`HTTP ${r.status} ${JSON.stringify(r.body ?? r.note)?.slice(0, 400)}`];
  // Only google-api-python-client hands back the raw body; the others' pass is the call itself.
  if (r.client !== 'google-api-python-client') return [];
  const where = docOf(r.route);
  if (!where) return [`no discovery document for ${r.route}`];
  const doc = loadDiscovery(dir, where.api, where.version);
  const method = findMethod(doc, where.id);
  if (!method) return [`${where.id} is not a method of ${where.api} ${where.version}`];
  if (!method.response) return r.body && Object.keys(r.body).length > 0 ? ['expected an empty body'] : [];
  const bodies = Array.isArray(r.body) ? r.body : [r.body];
  return bodies.flatMap((b) => schemaErrors(doc, method.response as { $ref: string }, b));
}

describe('conformance: Google clients x every sandbox route', () => {
  let sb: Sandbox;
  before(async () => {
    ensurePythonClients();
    sb = await startSandbox({ scenario: conformanceScenario(), propagationDelayMs: 0, operationDelayMs: 50 });
    // google-auth-library's Compute client finds the metadata server as a workload would.
    process.env.GCE_METADATA_HOST = sb.metadataHost;
  });
  after(() => {
    delete process.env.GCE_METADATA_HOST;
    return sb?.close();
  });

  it('every call passes and every raw response matches its discovery schema', async () => {
    const env = sandboxEnv(sb, {
      SANDBOX_PROJECT: CONFORMANCE.project,
      SANDBOX_PROJECT_NUMBER: CONFORMANCE.projectNumber,
      SANDBOX_API_KEY: sb.state.apiKeyStrings['conformance-key'] as string,
      SANDBOX_OPERATOR: sb.scenario.operator.email,
      SANDBOX_BUCKET: CONFORMANCE.bucket,
    });
    const python = JSON.parse(
      await runPython([`${REPO}/test/conformance/python_clients.py`], env),
    ) as CallResult[];
    const node = await nodeClientCalls(sb);
    const dir = discoveryDir(VENV);
    const rows = [...python, ...node].map((r) => ({ ...r, problems: judge(r, dir) }));
    const clients = [...new Set(rows.map((r) => r.client))];
    const routes = [...new Set(rows.map((r) => r.route))].sort();
    const cell = (route: string, client: string) => {
      const hits = rows.filter((r) => r.route === route && r.client === client);
      if (hits.length === 0) return '';
      return hits.every((h) => h.problems.length === 0) ? 'pass' : 'FAIL';
    };
    const width = Math.max(...routes.map((r) => r.length));
    const lines = [
      `${'route'.padEnd(width)} | ${clients.join(' | ')}`,
      ...routes.map(
        (route) =>
          `${route.padEnd(width)} | ${clients.map((c) => cell(route, c).padEnd(c.length)).join(' | ')}`,
      ),
    ];
    const failures = rows.filter((r) => r.problems.length > 0);
    const passes = rows.length - failures.length;
    console.log(`\n${lines.join('\n')}\n${passes}/${rows.length} calls pass\n`);
    for (const f of failures) {
      console.log(
        `FAIL ${f.route} via ${f.client}: ${f.problems.slice(0, 5).join('; ')}${f.note ? ` (${f.note})` : ''}`,
      );
      if (f.trace) console.log(f.trace);
    }
    assert.deepEqual(
      failures.map((f) => `${f.route} via ${f.client}`),
      [],
    );
  });
});
