/**
 * Cloud Storage objects the sandbox itself writes (the output of Cloud Asset Inventory's
 * long-running analysis), kept beside the state rather than in it: one world's objects, by
 * bucket and name.
 */
import type { SandboxState } from './state.js';

const objects = new WeakMap<
  SandboxState,
  Map<string, { data: string; updated: string; generation: string }>
>();

export function putObject(state: SandboxState, bucket: string, name: string, data: string): void {
  let store = objects.get(state);
  if (!store) {
    store = new Map();
    objects.set(state, store);
  }
  store.set(`${bucket}/${name}`, {
    data,
    updated: new Date().toISOString(),
    generation: String(Date.now() * 1000),
  });
}

export function getObject(
  state: SandboxState,
  bucket: string,
  name: string,
): { data: string; updated: string; generation: string } | undefined {
  return objects.get(state)?.get(`${bucket}/${name}`);
}
