/**
 * A scan as text, Markdown (a report per project owner, each finding with its plan), CSV or JSON;
 * its fixes as one plan per finding (will fail and risky alike) through `plan`'s renderers: one
 * gcloud script, Terraform (a root module per finding), Console steps, Markdown or JSON.
 * Everything passes through the redactors on the way out, like every other renderer.
 */
import { redactSecrets } from '../core/redact.js';
import { redactDeep } from '../core/redact-deep.js';
import { PLAN_TARGETS, type PlanTarget, planJson, renderPlan } from '../core/render/index.js';
import { sq } from '../core/render/shell.js';
import type { ScanFinding, ScanResult } from './model.js';

export const SCAN_FORMATS = ['text', 'md', 'json', 'csv'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];
/** `--fix-plan` takes exactly what `plan --format` takes. */
export const FIX_PLAN_FORMATS = PLAN_TARGETS;
export type FixPlanFormat = PlanTarget;

function label(f: ScanFinding): string {
  return f.code ? `${f.code} ${f.class}` : f.class;
}

function where(f: ScanFinding): string {
  const w = f.workload;
  if (!w) return f.subject;
  const target = w.targetProject === w.hostProject ? w.hostProject : `${w.hostProject} -> ${w.targetProject}`;
  return f.class.startsWith('risk.') && f.class !== 'risk.primitive_role'
    ? f.subject
    : `${w.service} (${target})`;
}

function recommendedTitle(f: ScanFinding): string | undefined {
  return (f.plan.options.find((o) => o.recommended) ?? f.plan.options[0])?.title;
}

function header(r: ScanResult): string[] {
  const c = r.counts;
  const lines = [
    `Scanned ${r.scopes.map((s) => s.scope).join(', ')}: ${c.projects} projects, ${c.workloads} workloads (${c.genaiWorkloads} call Gemini), ${c.apiCalls} API calls in ${(r.wallMs / 1000).toFixed(1)} s`,
  ];
  if (c.usageProjects !== undefined) {
    const confirmed = new Set(r.findings.filter((f) => f.usage?.confirmed).map((f) => f.usage?.project));
    const idle = new Set(
      r.findings.filter((f) => f.usage && !f.usage.confirmed).map((f) => f.usage?.project),
    );
    lines.push(
      `Usage (Cloud Monitoring): ${c.usageProjects} projects with findings asked in ${c.usageCalls} calls; ${confirmed.size} call Gemini, ${idle.size} made no calls, ${c.usageProjects - confirmed.size - idle.size} unreadable`,
    );
  }
  for (const s of r.scopes.filter((x) => x.status !== 'ok')) {
    lines.push(`Not readable: ${s.scope} (${s.status}): ${s.message ?? ''}`);
  }
  return lines;
}

function textReport(r: ScanResult): string {
  const out = header(r);
  const groups: Array<[string, ScanFinding[]]> = [
    ['WILL FAIL', r.findings.filter((f) => f.severity === 'will-fail')],
    ['RISKY', r.findings.filter((f) => f.severity === 'risky')],
  ];
  let n = 0;
  for (const [title, list] of groups) {
    out.push('', `${title} (${list.length})`);
    for (const f of list) {
      n++;
      out.push(
        `${String(n).padStart(3)}. [${label(f)}] ${where(f)}  owner ${f.owner}  confidence ${f.confidence}`,
      );
      out.push(`     ${f.summary}`);
      if (f.workload) out.push(`     recognised by: ${f.workload.recognisedBy.join('; ')}`);
      if (f.usage) out.push(`     usage: ${f.usage.text}`);
      const fix = recommendedTitle(f);
      if (fix) out.push(`     fix: ${fix}`);
    }
  }
  if (r.findings.length === 0)
    out.push(
      '',
      'No finding: every recognised Gemini workload can make its call, and no risky setup was seen.',
    );
  if (r.unknowns.length)
    out.push('', `Not settled (${r.unknowns.length}):`, ...r.unknowns.map((u) => `  - ${u}`));
  out.push('', 'Fixes: genai-doctor scan ... --fix-plan > fixes.sh (same plans as `genai-doctor plan`)');
  return `${out.join('\n')}\n`;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown headings `by` levels deeper (at most 6), leaving fenced code (shell comments) alone. */
function demoteHeadings(md: string, by: number): string[] {
  let fenced = false;
  return md.split('\n').map((line) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) return line;
    const m = /^(#{1,6}) (.*)$/.exec(line);
    return m ? `${'#'.repeat(Math.min(6, (m[1] as string).length + by))} ${m[2]}` : line;
  });
}

function markdownReport(r: ScanResult): string {
  const out = ['# genai-doctor scan', '', ...header(r).map((l) => `${l}  `), ''];
  const owners = [...new Set(r.findings.map((f) => f.owner))].sort();
  out.push('| Owner | Will fail | Risky |', '|---|---|---|');
  for (const o of owners) {
    const mine = r.findings.filter((f) => f.owner === o);
    out.push(
      `| ${mdCell(o)} | ${mine.filter((f) => f.severity === 'will-fail').length} | ${mine.filter((f) => f.severity === 'risky').length} |`,
    );
  }
  for (const o of owners) {
    out.push('', `## ${o}`, '');
    for (const f of r.findings.filter((x) => x.owner === o)) {
      out.push(`### ${f.severity === 'will-fail' ? 'Will fail' : 'Risky'}: ${f.title} (${label(f)})`, '');
      out.push(`- **Where:** ${mdCell(where(f))} in \`${f.project}\``);
      out.push(`- **What:** ${f.summary}`);
      if (f.workload) out.push(`- **Recognised by:** ${f.workload.recognisedBy.join('; ')}`);
      if (f.usage) out.push(`- **Usage:** ${f.usage.text}`);
      out.push(`- **Confidence:** ${f.confidence}`);
      out.push(
        '- **Evidence:**',
        ...f.evidence.map((e) => `  - ${e.fact}: ${e.value}${e.note ? ` (${e.note})` : ''}`),
      );
      const fix = recommendedTitle(f);
      if (fix) out.push(`- **Fix:** ${fix} (\`genai-doctor scan ... --fix-plan\` has the script)`);
      // The plan, as `plan -f md` prints it, its headings moved under this finding's.
      out.push('', ...demoteHeadings(renderPlan(f.plan, 'md'), 3), '');
    }
  }
  if (r.unknowns.length) out.push('## Not settled', '', ...r.unknowns.map((u) => `- ${u}`), '');
  return `${out.join('\n')}\n`;
}

function csvCell(v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvReport(r: ScanResult): string {
  const cols = [
    'rank',
    'severity',
    'class',
    'code',
    'project',
    'owner',
    'subject',
    'identity',
    'target_project',
    'confidence',
    'summary',
    'recognised_by',
    'fix',
  ];
  const rows = r.findings.map((f, i) =>
    [
      i + 1,
      f.severity,
      f.class,
      f.code,
      f.project,
      f.owner,
      f.subject,
      f.workload?.identity,
      f.workload?.targetProject,
      f.confidence,
      f.summary,
      f.workload?.recognisedBy.join('; '),
      recommendedTitle(f),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[cols.join(','), ...rows].join('\n')}\n`;
}

function jsonReport(r: ScanResult): string {
  const findings = r.findings.map(({ plan, ...f }) => ({ ...f, ...(plan ? { plan: planJson(plan) } : {}) }));
  return `${JSON.stringify(redactDeep({ ...r, findings }), null, 2)}\n`;
}

export function renderScan(r: ScanResult, format: ScanFormat): string {
  switch (format) {
    case 'json':
      return jsonReport(r);
    case 'md':
      return redactSecrets(markdownReport(r));
    case 'csv':
      return redactSecrets(csvReport(r));
    case 'text':
      return redactSecrets(textReport(r));
  }
}

/**
 * One script for every finding: each plan (will fail and risky) is the `plan` command's gcloud
 * script, kept whole in a function. Nothing runs unless asked: `bash fixes.sh` lists,
 * `bash fixes.sh N` runs finding N's plan, `bash fixes.sh all` runs all.
 */
function gcloudFixes(r: ScanResult): string {
  const plans = r.findings;
  const failing = plans.filter((f) => f.severity === 'will-fail').length;
  const out = [
    '#!/usr/bin/env bash',
    `# genai-doctor scan fixes: ${plans.length} plans, ${failing} for workloads that will fail, ${plans.length - failing} for risky setups.`,
    '# Usage: bash fixes.sh            list the plans',
    '#        bash fixes.sh N [OPTION]  run plan N (DRY_RUN=1 prints its commands)',
    '#        bash fixes.sh all         run every plan with its recommended option',
    'set -euo pipefail',
    '',
  ];
  plans.forEach((f, i) => {
    const tag = `GENAI_DOCTOR_PLAN_${i + 1}`;
    out.push(`# ${i + 1}. ${f.severity} ${label(f)} ${f.subject} (owner ${f.owner})`);
    out.push(
      `plan_${i + 1}() {`,
      `  bash -s -- "$@" <<'${tag}'`,
      renderPlan(f.plan, 'gcloud').trimEnd(),
      tag,
      '}',
      '',
    );
  });
  out.push('list() {');
  for (const [i, f] of plans.entries())
    out.push(`  echo ${sq(`${i + 1}. ${f.severity} ${label(f)} ${f.subject}`)}`);
  if (plans.length === 0) out.push('  :');
  out.push('}', '');
  out.push(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
    'case "${1:-}" in',
    '  "") list ;;',
    `  all) for i in $(seq 1 ${plans.length}); do "plan_$i"; done ;;`,
    '  *) n="$1"; shift; "plan_$n" "$@" ;;',
    'esac',
    '',
  );
  return `${out.join('\n')}\n`;
}

/** The directory a finding's Terraform goes to (`--fix-plan terraform --output-dir`). */
export function fixDirName(f: ScanFinding, i: number): string {
  const slug = `${f.class}-${f.subject.split('/').pop() ?? ''}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${String(i + 1).padStart(3, '0')}-${slug}`;
}

/**
 * Every finding's plan in one target. Terraform: each plan is a root module of its own (their
 * variables and resource names would clash in one), so each is introduced by the file it belongs in;
 * `--output-dir` writes them there.
 */
export function renderFixPlans(r: ScanResult, format: FixPlanFormat): string {
  if (format === 'gcloud') return redactSecrets(gcloudFixes(r));
  if (format === 'json') {
    const plans = r.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      owner: f.owner,
      plan: planJson(f.plan),
    }));
    return `${JSON.stringify(redactDeep(plans), null, 2)}\n`;
  }
  const parts = r.findings.map((f, i) => {
    const what = `${i + 1}. ${f.severity} ${label(f)}: ${f.subject} (owner ${f.owner})`;
    if (format === 'md') return `# ${what}\n\n${renderPlan(f.plan, 'md')}`;
    if (format === 'terraform')
      return `# ==== ${fixDirName(f, i)}/main.tf: ${what}\n${renderPlan(f.plan, 'terraform')}`;
    return `==== ${what}\n\n${renderPlan(f.plan, 'console')}`;
  });
  return redactSecrets(parts.join('\n'));
}

/** Terraform per finding, as files: `DIR/NNN-class-subject/main.tf` -> HCL. */
export function terraformFixFiles(r: ScanResult): Array<{ path: string; hcl: string }> {
  return r.findings.map((f, i) => ({
    path: `${fixDirName(f, i)}/main.tf`,
    hcl: renderPlan(f.plan, 'terraform'),
  }));
}
