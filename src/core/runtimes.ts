/** The runtimes a caller may name (`--runtime`, the console's select), in the order help lists them. */
import type { Runtime } from './model.js';

// A record keyed by the union makes the compiler reject a Runtime added to the model but not here.
const RUNTIME_SET: Record<Runtime, true> = {
  'cloud-run': true,
  gke: true,
  gce: true,
  'cloud-functions': true,
  local: true,
  colab: true,
  'vertex-workbench': true,
  other: true,
};

export const RUNTIMES: readonly Runtime[] = Object.keys(RUNTIME_SET) as Runtime[];

export function isRuntime(value: string): value is Runtime {
  return Object.hasOwn(RUNTIME_SET, value);
}
