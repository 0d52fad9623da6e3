/**
 * Renderings by Google's Python clients: scripts/shapes/render_python.py raises each error
 * through google-genai, google-api-core, grpcio and google-api-python-client against local
 * servers and returns str() of each exception. The venv comes from scripts/python-clients.sh;
 * when it cannot be made, this throws (the shape test must fail, not skip, without Python).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { restJson } from './formats.js';
import type { WireError } from './wire-error.js';

export const PYTHON_SHAPES = [
  'python-genai',
  'python-api-core-http',
  'python-api-core-grpc',
  'python-grpc',
  'python-discovery',
] as const;
export type PythonShape = (typeof PYTHON_SHAPES)[number];

const ROOT = resolve(import.meta.dirname, '../../..');
const PYTHON = join(ROOT, '.venv/bin/python');

/** Makes the venv when it is missing; throws with the script's output when that fails. */
export function ensurePythonClients(): string {
  const made = spawnSync('bash', [join(ROOT, 'scripts/python-clients.sh')], { encoding: 'utf8' });
  if (made.status !== 0 || !existsSync(PYTHON))
    throw new Error(
      `Google's Python clients are needed for the Python renderings: scripts/python-clients.sh failed (exit ${made.status}).\n${made.stdout}${made.stderr}`,
    );
  return PYTHON;
}

export function renderPython(errors: Map<string, WireError>): Map<string, Record<PythonShape, string>> {
  const python = ensurePythonClients();
  const input = [...errors].map(([id, e]) => ({
    id,
    http: e.http,
    status: e.status,
    message: e.message,
    details: e.details,
    body: restJson(e),
  }));
  const run = spawnSync(python, ['-W', 'ignore', join(ROOT, 'scripts/shapes/render_python.py')], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`render_python.py failed (exit ${run.status}):\n${run.stderr}`);
  const out = JSON.parse(run.stdout) as Record<string, Record<PythonShape, string>>;
  const result = new Map<string, Record<PythonShape, string>>();
  for (const id of errors.keys()) {
    const r = out[id];
    const missing = PYTHON_SHAPES.filter((s) => typeof r?.[s] !== 'string');
    if (!r || missing.length) throw new Error(`render_python.py gave no ${missing.join(', ')} for ${id}`);
    result.set(id, r);
  }
  return result;
}
