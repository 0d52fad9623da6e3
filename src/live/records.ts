/** Loads the state files with a clear one-line error when they are missing or not ours. */
import { join } from 'node:path';
import type { CheckRecord } from './check.js';
import type { UndoRecord } from './fix.js';
import { LAST_CHECK, readJsonFile, stateDir } from './state.js';

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

async function load<T>(path: string, what: string, missing: string): Promise<T> {
  try {
    return await readJsonFile<T>(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new RecordError(missing);
    throw new RecordError(`${path} is not a readable ${what}: ${(e as Error).message}`);
  }
}

export async function loadCheckRecord(path?: string): Promise<CheckRecord> {
  const file = path ?? join(stateDir(), LAST_CHECK);
  const r = await load<CheckRecord>(
    file,
    'check record',
    `no check record at ${file}: run genai-doctor check first`,
  );
  if (r?.schemaVersion !== 1 || !r.plan || !r.diagnosis)
    throw new RecordError(`${file} is not a genai-doctor check record`);
  return r;
}

export async function loadUndoRecord(path: string): Promise<UndoRecord> {
  const r = await load<UndoRecord>(path, 'undo record', `no undo record at ${path}`);
  if (r?.schemaVersion !== 1 || !Array.isArray(r.changes))
    throw new RecordError(`${path} is not a genai-doctor undo record`);
  return r;
}
