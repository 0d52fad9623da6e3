/**
 * State files the live commands hand each other, under `.genai-doctor/` in the working directory
 * (GENAI_DOCTOR_STATE_DIR overrides): `last-check.json` (what check saw; fix and verify start
 * from it) and `undo-<ISO time>.json` (exactly what one `fix --apply` changed).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.GENAI_DOCTOR_STATE_DIR || '.genai-doctor');
}

export const LAST_CHECK = 'last-check.json';

/**
 * Written to a temporary file and renamed over the old one: a process killed mid-write leaves the
 * previous complete record, never a truncated one (fix --apply's write-ahead record relies on it).
 */
export async function writeState(name: string, value: unknown, env?: NodeJS.ProcessEnv): Promise<string> {
  const dir = stateDir(env);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
  return path;
}

/** writeState for an exit that cannot wait for the event loop. */
export function writeStateSync(name: string, value: unknown, env?: NodeJS.ProcessEnv): string {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return path;
}

export async function readJsonFile<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export async function readState<T>(name: string, env?: NodeJS.ProcessEnv): Promise<T | undefined> {
  try {
    return await readJsonFile<T>(join(stateDir(env), name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** `undo-2026-01-02T16-14-47.123Z.json`: sortable, and safe on every file system. */
export function undoFileName(at: Date = new Date()): string {
  return `undo-${at.toISOString().replace(/:/g, '-')}.json`;
}
