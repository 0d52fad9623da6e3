/**
 * A scan as text, Markdown (a report per project owner), CSV or JSON; its fixes as one gcloud
 * script (each will-fail finding's plan rendered by the same renderer as `plan`), Markdown or
 * JSON. Everything passes through the redactors on the way out, like every other renderer.
 */
import { redactSecrets } from '../core/redact.js';
import { redactDeep } from '../core/redact-deep.js';
import { planJson, renderPlan } from '../core/render/index.js';
import { sq } from '../core/render/shell.js';
import type { ScanFinding, ScanResult } from './model.js';

export const SCAN_FORMATS = ['text', 'md', 'json', 'csv'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];
export const FIX_PLAN_FORMATS = ['gcloud', 'md', 'json'] as const;
export type FixPlanFormat = (typeof FIX_PLAN_FORMATS)[number];

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
  return (f.plan?.options.find((o) => o.recommended) ?? f.plan?.options[0])?.title;
}

function header(r: ScanResult): string[] {
  const c = r.counts;
  const lines = [
    `Scanned ${r.scopes.map((s) => s.scope).join(', ')}: ${c.projects} projects, ${c.workloads} workloads (${c.genaiWorkloads} call Gemini), ${c.apiCalls} API calls in ${(r.wallMs / 1000).toFixed(1)} s`,
  ];
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
      const fix = recommendedTitle(f) ?? f.remediation?.[0];
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
      out.push(`- **Confidence:** ${f.confidence}`);
      out.push(
        '- **Evidence:**',
        ...f.evidence.map((e) => `  - ${e.fact}: ${e.value}${e.note ? ` (${e.note})` : ''}`),
      );
      const fix = recommendedTitle(f);
      if (fix) out.push(`- **Fix:** ${fix} (\`genai-doctor scan ... --fix-plan\` has the script)`);
      if (f.remediation?.length) out.push('- **Fix:**', '', '```sh', ...f.remediation, '```');
      out.push('');
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
      recommendedTitle(f) ?? f.remediation?.join(' && '),
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
 * One script for every finding: each will-fail plan is the `plan` command's gcloud script, kept
 * whole in a function; risky findings' commands follow as comments. Nothing runs unless asked:
 * `bash fixes.sh` lists, `bash fixes.sh N` runs finding N's plan, `bash fixes.sh all` runs all.
 */
function gcloudFixes(r: ScanResult): string {
  const plans = r.findings.filter((f) => f.plan);
  const out = [
    '#!/usr/bin/env bash',
    `# genai-doctor scan fixes: ${plans.length} plans for findings that will fail, risky setups at the end (commented).`,
    '# Usage: bash fixes.sh            list the plans',
    '#        bash fixes.sh N [OPTION]  run plan N (DRY_RUN=1 prints its commands)',
    '#        bash fixes.sh all         run every plan with its recommended option',
    'set -euo pipefail',
    '',
  ];
  plans.forEach((f, i) => {
    const tag = `GENAI_DOCTOR_PLAN_${i + 1}`;
    out.push(`# ${i + 1}. ${label(f)} ${f.subject} (owner ${f.owner})`);
    out.push(
      `plan_${i + 1}() {`,
      `  bash -s -- "$@" <<'${tag}'`,
      (f.plan ? renderPlan(f.plan, 'gcloud') : '').trimEnd(),
      tag,
      '}',
      '',
    );
  });
  out.push('list() {');
  for (const [i, f] of plans.entries()) out.push(`  echo ${sq(`${i + 1}. ${label(f)} ${f.subject}`)}`);
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
  const risky = r.findings.filter((f) => f.remediation?.length);
  if (risky.length) {
    out.push('# Risky setups (the calls work): review, then run by hand.');
    for (const f of risky) {
      out.push(
        `# - ${label(f)} ${f.subject} (owner ${f.owner})`,
        ...(f.remediation ?? []).map((c) => `#   ${c}`),
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderFixPlans(r: ScanResult, format: FixPlanFormat): string {
  if (format === 'gcloud') return redactSecrets(gcloudFixes(r));
  if (format === 'json') {
    const plans = r.findings.map((f) => ({
      id: f.id,
      owner: f.owner,
      ...(f.plan ? { plan: planJson(f.plan) } : {}),
      ...(f.remediation ? { remediation: f.remediation } : {}),
    }));
    return `${JSON.stringify(redactDeep(plans), null, 2)}\n`;
  }
  const parts = r.findings.map((f, i) => {
    const head = `# ${i + 1}. ${label(f)}: ${f.subject} (owner ${f.owner})\n\n`;
    if (f.plan) return head + renderPlan(f.plan, 'md');
    return `${head}\`\`\`sh\n${(f.remediation ?? []).join('\n')}\n\`\`\`\n`;
  });
  return redactSecrets(parts.join('\n'));
}
