/**
 * Sandbox worlds for the service tests: the success world (the seed incident with the runbook fix)
 * and every shipped scenario with the service configured as its workload (see sandbox-backend.ts).
 */

import type { CauseId } from '../../../../src/core/taxonomy.js';
import { listScenarios, loadScenario } from '../../../../src/sandbox/index.js';
import { type ServiceSettings, seedFixedScenario, serviceSettingsFor } from '../../src/sandbox-backend.js';

export const SUCCESS_SCENARIO = seedFixedScenario();

export type ServiceCall = Extract<ServiceSettings, { ok: true }> & {
  name: string;
  cause: CauseId;
  accept: CauseId[];
};

/** The scenarios this service can reproduce, and the others with the reason it cannot. */
export function serviceScenarios(): { reproducible: ServiceCall[]; other: { name: string; why: string }[] } {
  const reproducible: ServiceCall[] = [];
  const other: { name: string; why: string }[] = [];
  for (const { name } of listScenarios()) {
    const s = loadScenario(name);
    const settings = serviceSettingsFor(s);
    if (!settings.ok) other.push({ name, why: settings.why });
    else
      reproducible.push({
        ...settings,
        name,
        cause: s.expect.cause,
        accept: (s.expect.accept ?? []) as CauseId[],
      });
  }
  return { reproducible, other };
}
