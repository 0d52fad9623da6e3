/**
 * genai-doctor as a library: diagnose an error text, plan the least-privilege fix, render it,
 * explain a catalog code. Pure functions over the model in ./core/model.ts; the only I/O is
 * `loadRoleIndex` (reads a role catalog file).
 *
 * ```ts
 * import { diagnose, plan, render, explain } from 'genai-doctor';
 * const d = diagnose(errorText, { project: 'my-project', runtime: 'cloud-run' });
 * const p = plan(d);
 * console.log(render.report(d, p, 'md'));     // incident runbook
 * console.log(render.plan(p, 'gcloud'));      // runnable script
 * ```
 */
import { explainCode } from './core/catalog/index.js';
import { diagnose } from './core/diagnose/index.js';
import { buildPlan } from './core/plan/index.js';
import { renderPlan, renderReport } from './core/render/index.js';

export {
  type CatalogCause,
  type CatalogPage,
  catalogPage,
  catalogPages,
  explainCode,
  explainCode as explain,
  renderCatalogPage,
} from './core/catalog/index.js';
export { diagnose, diagnoseFacts } from './core/diagnose/index.js';
export type { Binding, IamRole, IamRoleList, Policy, RoleStage } from './core/iam.js';
export * from './core/model.js';
export { parseFacts } from './core/parse/index.js';
export { buildPlan, buildPlan as plan, type PlanOptions } from './core/plan/index.js';
export { buildRiskPlan, type RiskInput, type RiskPlanOptions, type RiskWorkload } from './core/plan/risk.js';
export { containsSecret, redactSecrets } from './core/redact.js';
export { redactDeep } from './core/redact-deep.js';
export { redactLogArguments, redactUrlForLog, requestForLog } from './core/redact-log.js';
export {
  type JsonPlan,
  type JsonReport,
  monitoringQueries,
  OUTPUT_FORMATS,
  PLAN_TARGETS,
  type PlanTarget,
  renderPlan,
  renderReport,
} from './core/render/index.js';
export { PlanSchema, ReportSchema, RiskPlanSchema } from './core/render/schema.js';
export { BUILTIN_ROLES } from './core/roles/builtin.js';
export {
  builtinRoleIndex,
  coverPermissions,
  isPrimitive,
  isServiceAgentRole,
  parseRoleCatalog,
  type RoleChoice,
  RoleIndex,
  shippedRoleIndex,
} from './core/roles/index.js';
export { loadRoleIndex } from './core/roles/load.js';
export {
  CAUSE_IDS,
  CAUSES,
  type CauseId,
  codeOf,
  ERROR_CODES,
  type ErrorCode,
  isCauseId,
} from './core/taxonomy.js';

/** `render.report(diagnosis, plan, format)` and `render.plan(plan, target)`, for discoverability. */
export const render = { report: renderReport, plan: renderPlan } as const;

/** One call: text -> { diagnosis, plan, catalog page } (the plan uses the builtin role catalog). */
export function doctor(text: string, context: Parameters<typeof diagnose>[1] = {}) {
  const diagnosis = diagnose(text, context);
  const fix = buildPlan(diagnosis);
  return { diagnosis, plan: fix, page: explainCode(String(diagnosis.findings[0]?.code ?? 1199)) };
}
