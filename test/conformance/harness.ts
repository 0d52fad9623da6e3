/**
 * What the conformance and Python-client tests share: the venv with Google's Python clients (made
 * on demand; a machine that cannot make it fails the test loudly, it is never skipped), a Python
 * runner, and the conformance world (seed-incident plus what every route needs to answer 200).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadScenario, type Sandbox, type Scenario } from '../../src/sandbox/index.js';

const execFileAsync = promisify(execFile);

export const REPO = resolve(import.meta.dirname, '../..');
export const VENV = join(REPO, '.venv');
export const PYTHON = join(VENV, 'bin', 'python');

/** Makes .venv with scripts/python-clients.sh once; throws with its output when it cannot. */
export function ensurePythonClients(): void {
  const made = spawnSync('bash', [join(REPO, 'scripts', 'python-clients.sh')], { encoding: 'utf8' });
  if (made.status !== 0 || !existsSync(PYTHON)) {
    throw new Error(
      `Google's Python clients are required for these tests and could not be installed (scripts/python-clients.sh exit ${made.status}):\n${made.stdout}${made.stderr}`,
    );
  }
}

/**
 * Runs a Python program with the venv; returns stdout, throws with stderr on a non-zero exit.
 * Asynchronous: the sandbox it calls answers from this same process.
 */
export async function runPython(args: string[], env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await execFileAsync(PYTHON, ['-W', 'ignore', ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { code?: number; stderr?: string; stdout?: string };
    throw new Error(
      `python ${args.join(' ')} exit ${e.code}:\n${e.stderr ?? ''}${(e.stdout ?? '').slice(0, 2000)}`,
    );
  }
}

/** The environment the Python programs read to find the sandbox. */
export function sandboxEnv(sb: Sandbox, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SANDBOX_URL: sb.url,
    SANDBOX_ADC: sb.adcFile,
    GCE_METADATA_HOST: sb.metadataHost,
    GCE_METADATA_IP: sb.metadataHost,
    ...extra,
  };
}

export const CONFORMANCE = {
  project: 'datadog-ese-sandbox',
  projectNumber: '482019374651',
  bucket: 'conformance-assets',
};

/**
 * seed-incident, plus what makes every route answer 200 to the operator: Vertex AI and Token
 * Creator roles, a Gemini API key, a bucket the Vertex AI service agent may read.
 */
export function conformanceScenario(): Scenario {
  const s = structuredClone(loadScenario('seed-incident'));
  const home = s.projects.find((p) => p.projectId === CONFORMANCE.project);
  if (!home) throw new Error('seed-incident lost its home project');
  const operator = `serviceAccount:${s.operator.email}`;
  home.policy.bindings ??= [];
  home.policy.bindings.push(
    { role: 'roles/aiplatform.user', members: [operator] },
    { role: 'roles/iam.serviceAccountTokenCreator', members: [operator] },
  );
  home.enabledServices.push('generativelanguage.googleapis.com', 'logging.googleapis.com');
  s.apiKeys = [{ id: 'conformance-key', project: CONFORMANCE.project, state: 'ACTIVE' }];
  s.buckets = [
    {
      name: CONFORMANCE.bucket,
      project: CONFORMANCE.project,
      policy: {
        bindings: [
          {
            role: 'roles/storage.objectViewer',
            members: [
              `serviceAccount:service-${CONFORMANCE.projectNumber}@gcp-sa-aiplatform.iam.gserviceaccount.com`,
            ],
          },
        ],
      },
    },
  ];
  return s;
}
