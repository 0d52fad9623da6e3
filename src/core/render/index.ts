/**
 * Renderers: a diagnosis (+ plan) as text, Markdown runbook or versioned JSON; a plan as a
 * gcloud script, Terraform, Console steps, Markdown or JSON. Every output passes through
 * redactSecrets on the way out, so a key or token in the evidence never reaches a terminal,
 * file or HTTP response.
 */
import type { Diagnosis, OutputFormat, Plan, PlanCause } from '../model.js';
import { redactSecrets } from '../redact.js';
import { redactDeep } from '../redact-deep.js';
import { renderConsole } from './console.js';
import { renderGcloud } from './gcloud.js';
import { planJson, reportJson } from './json.js';
import { planMarkdown } from './plan-md.js';
import { reportMarkdown } from './report-md.js';
import { reportText } from './report-text.js';
import { renderTerraform } from './terraform.js';

export type PlanTarget = 'gcloud' | 'terraform' | 'console' | 'md' | 'json';
export const PLAN_TARGETS: readonly PlanTarget[] = ['gcloud', 'terraform', 'console', 'md', 'json'];
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'md', 'json'];

function json(value: unknown): string {
  return `${JSON.stringify(redactDeep(value), null, 2)}\n`;
}

export interface RenderOptions {
  color: boolean;
}

export function renderReport(
  diagnosis: Diagnosis,
  plan: Plan | undefined,
  format: OutputFormat,
  opts: RenderOptions = { color: false },
): string {
  switch (format) {
    case 'json':
      return json(reportJson(diagnosis, plan));
    case 'md':
      return redactSecrets(reportMarkdown(diagnosis, plan));
    case 'text':
      return redactSecrets(reportText(diagnosis, plan, opts.color));
  }
}

/** `option` picks a non-recommended option for terraform / console (gcloud scripts hold all). */
export function renderPlan(
  plan: Plan<PlanCause>,
  target: PlanTarget,
  opts: { option?: string } = {},
): string {
  switch (target) {
    case 'gcloud':
      return redactSecrets(renderGcloud(plan));
    case 'terraform':
      return redactSecrets(renderTerraform(plan, opts.option));
    case 'console':
      return redactSecrets(renderConsole(plan, opts.option));
    case 'md':
      return redactSecrets(planMarkdown(plan));
    case 'json':
      return json(planJson(plan));
  }
}

export { planJson, reportJson } from './json.js';
export { type MonitoringQueries, monitoringQueries } from './monitoring.js';
export { RUNBOOK_SECTIONS } from './report-md.js';
// The TypeBox schemas stay out of this module: importing them costs every `diagnose` run ~90 ms
// of module loading. Take them from ./schema.js (or the package root) where they are needed.
export type { JsonPlan, JsonReport } from './schema.js';
