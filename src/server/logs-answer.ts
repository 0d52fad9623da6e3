/**
 * What POST /api/logs answers, built from a log analysis: each incident with its plan rendered
 * three ways, and the failures-per-minute timeline. Shared by the console engine (plans for
 * diagnoses and checks) and the upload worker (log uploads), so both render plans the same way.
 */
import type { LogAnalysis } from '../core/incidents/model.js';
import type { Diagnosis, Plan } from '../core/model.js';
import { buildPlan } from '../core/plan/index.js';
import { renderPlan as renderCorePlan } from '../core/render/index.js';
import type { RoleIndex } from '../core/roles/index.js';
import type { IncidentAnswer, LogsAnswer, Renderings } from './engine.js';
import type { PlanFormat } from './schemas.js';
import { failuresPerMinute } from './timeline.js';

export interface PlanTools {
  planOf(diagnosis: Diagnosis): Plan;
  renderPlan(plan: Plan, format: PlanFormat): string;
  renderAll(plan: Plan): Renderings;
}

export function planTools(roles?: RoleIndex): PlanTools {
  const planOf = (diagnosis: Diagnosis): Plan => buildPlan(diagnosis, roles ? { roles } : {});
  // core/render's renderPlan redacts its output too; the format names are the same.
  const renderPlan = (plan: Plan, format: PlanFormat): string => renderCorePlan(plan, format);
  const renderAll = (plan: Plan): Renderings => ({
    gcloud: renderPlan(plan, 'gcloud'),
    terraform: renderPlan(plan, 'terraform'),
    console: renderPlan(plan, 'console'),
  });
  return { planOf, renderPlan, renderAll };
}

export function logsAnswer(analysis: LogAnalysis, tools: PlanTools): LogsAnswer {
  const incidents: IncidentAnswer[] = analysis.incidents.map((incident) => ({
    ...incident,
    rendered: tools.renderAll(incident.plan ?? tools.planOf(incident.diagnosis)),
  }));
  return {
    input: analysis.input,
    stats: { ...analysis.stats, lines: analysis.stats.records },
    incidents,
    timeline: failuresPerMinute(analysis.incidents),
  };
}
