/**
 * Diagnosis + plan -> a Markdown incident runbook with the seed runbook's sections: Issue
 * summary, Key findings, Root cause, Solution, Verify the fix, Monitoring, Security best
 * practices, Notes. Every line is filled from the evidence; nothing is boilerplate about a
 * project, model or service the evidence does not name.
 */

import { CAUSE_INFO, catalogPage } from '../catalog/index.js';
import { modelInfo } from '../data/models.js';
import type { Diagnosis, Plan } from '../model.js';
import { display } from '../plan/variables.js';
import { distinctNextChecks } from './checks.js';
import { monitoringQueries } from './monitoring.js';
import { optionMarkdown, rollbackMarkdown, variablesMarkdown, verifyMarkdown } from './plan-md.js';

export const RUNBOOK_SECTIONS = [
  'Issue summary',
  'Key findings',
  'Root cause',
  'Solution',
  'Verify the fix',
  'Monitoring',
  'Security best practices',
  'Notes',
] as const;

function errorBlock(d: Diagnosis): string[] {
  const f = d.facts;
  const head = [f.http, f.status].filter(Boolean).join(' ');
  const lines = [head, f.message ?? ''].filter((l) => l);
  if (f.resource && !(f.message ?? '').includes(f.resource)) lines.push(`resource: ${f.resource}`);
  if (f.reason) lines.push(`reason: ${f.reason}${f.domain ? ` (${f.domain})` : ''}`);
  return lines.length ? ['```', ...lines, '```', ''] : [];
}

function keyFindings(d: Diagnosis): string[] {
  const f = d.facts;
  const c = d.context;
  const rows: Array<[string, string | undefined]> = [
    // The runtime alone is not a service name: it gets its own row.
    ['Service', c.service && `\`${c.service}\`${c.runtime ? ` (${c.runtime})` : ''}`],
    ['Runtime', c.service ? undefined : c.runtime],
    [
      'Project in the request',
      f.project && `\`${f.project}\`${f.projectIsNumber ? ' (project number)' : ''}`,
    ],
    ['Project the workload means / runs in', c.project && `\`${c.project}\``],
    ['Caller', (c.principal ?? f.principal) && `\`${c.principal ?? f.principal}\``],
    ['Permission', f.permission && `\`${f.permission}\``],
    ['Model', (f.model ?? c.model) ? `\`${f.model ?? c.model}\`` : undefined],
    ['Location', (f.location ?? c.location) ? `\`${f.location ?? c.location}\`` : undefined],
    ['API', f.service && `\`${f.service}\``],
    ['Status', [f.http, f.status, f.reason].filter(Boolean).join(' ') || undefined],
  ];
  const out = rows.filter(([, v]) => v).map(([k, v]) => `- **${k}**: ${v}`);
  if (f.project && c.project && f.project !== c.project && !f.projectIsNumber) {
    out.push(
      `- **Project mismatch**: the request named \`${f.project}\`, the workload means \`${c.project}\``,
    );
  }
  out.push('', '| # | Cause | Code | Confidence | Summary |', '|---|---|---|---|---|');
  d.findings.forEach((x, i) => {
    out.push(
      `| ${i + 1} | \`${x.cause}\` | ${x.code} | ${x.confidence.toFixed(2)} | ${x.summary.replace(/\|/g, '\\|')} |`,
    );
  });
  return [...out, ''];
}

function rootCause(d: Diagnosis): string[] {
  const top = d.findings[0]!;
  const out = [
    `**${top.title}** (\`${top.cause}\`, error ${top.code}, confidence ${top.confidence.toFixed(2)})`,
    '',
    top.summary,
    '',
  ];
  if (top.evidence.length) {
    out.push('Evidence:', '');
    for (const e of top.evidence) out.push(`- \`${e.fact}\` = \`${e.value}\`${e.note ? `: ${e.note}` : ''}`);
    out.push('');
  }
  if (top.against.length) out.push('What speaks against it:', '', ...top.against.map((a) => `- ${a}`), '');
  const info = CAUSE_INFO[top.cause];
  out.push(`What this cause means: ${info.happens}`, '');
  return out;
}

function security(d: Diagnosis, plan: Plan | undefined): string[] {
  const out: string[] = [];
  for (const dec of plan?.roleDecisions ?? []) {
    if (!dec.chosen) continue;
    out.push(
      `- Least privilege: \`${dec.chosen.role}\` is the smallest GA predefined role holding ${dec.permissions.map((p) => `\`${p}\``).join(', ')}.`,
    );
    const bigger = dec.accepted.slice(1, 3).map((a) => `\`${a.role}\``);
    if (bigger.length) out.push(`  - Too broad: ${bigger.join(', ')}.`);
    const LABEL: Record<string, string> = {
      'service-agent': 'service-agent roles',
      'not-ga': 'non-GA roles',
      primitive: 'primitive roles',
      deleted: 'deleted roles',
      'custom-role': 'custom roles',
    };
    const groups = new Map<string, string[]>();
    for (const r of dec.rejected) groups.set(r.reason, [...(groups.get(r.reason) ?? []), r.role]);
    const unsafe = [...groups].map(([reason, roles]) => {
      const shown = roles.slice(0, 2).map((r) => `\`${r}\``);
      return `${roles.length} ${LABEL[reason] ?? reason} (${shown.join(', ')}${roles.length > 2 ? ', ...' : ''})`;
    });
    if (unsafe.length)
      out.push(`  - Never for a workload, though they hold the permission: ${unsafe.join('; ')}.`);
  }
  if (plan?.options.some((o) => o.id === 'dedicated-service-account')) {
    out.push(
      '- Use a dedicated service account per service instead of the default compute account (see the dedicated-service-account option).',
    );
  }
  out.push(...catalogPage(d.findings[0]!.code).bestPractices.map((b) => `- ${b}`));
  out.push(
    '- Enable Data Access audit logs (DATA_READ) for aiplatform.googleapis.com so the next denial names its principal.',
  );
  return [...new Set(out), ''];
}

function notes(d: Diagnosis, plan: Plan | undefined): string[] {
  const f = d.facts;
  const c = d.context;
  const out: string[] = [];
  if (plan?.options.some((o) => o.steps.some((s) => s.kind === 'grant_role'))) {
    out.push('**Permission propagation**: IAM changes usually apply within 2 minutes and can take up to 7.');
  }
  if (f.project && c.project && f.project !== c.project && !f.projectIsNumber) {
    out.push(`**Multiple projects**: make sure the client uses \`${c.project}\`, not \`${f.project}\`.`);
  }
  const model = f.model ?? c.model;
  const info = model ? modelInfo(model) : undefined;
  if (info) {
    if (info.status !== 'ga')
      out.push(
        `**Model availability**: \`${info.id}\` is ${info.status}${info.requiresAllowlist ? ' and needs allowlisting for the project' : ''}${info.replacement ? `; replacement: \`${info.replacement}\`` : ''}.`,
      );
    if (info.vertexLocations.length === 1 && info.vertexLocations[0] === 'global') {
      out.push(
        `**Location**: \`${info.id}\` is served at \`location="global"\` (host aiplatform.googleapis.com), not at regional endpoints.`,
      );
    }
  }
  for (const n of plan?.notes ?? []) out.push(n);
  for (const u of d.unknowns) out.push(`Unknown: ${u}`);
  return [...out.map((n, i) => `${i + 1}. ${n}`), ''];
}

export function reportMarkdown(d: Diagnosis, plan: Plan | undefined): string {
  const top = d.findings[0]!;
  const out: string[] = [`# ${top.title} (error ${top.code})`, ''];
  out.push('## Issue summary', '');
  if (d.noError) out.push(d.noError, '');
  out.push(...errorBlock(d), top.summary, '');
  out.push('## Key findings', '', ...keyFindings(d));
  out.push('## Root cause', '', ...rootCause(d));
  out.push('## Solution', '');
  if (plan) {
    out.push(plan.summary, '', ...variablesMarkdown(plan));
    plan.options.forEach((o, i) => {
      out.push(...optionMarkdown(o, i + 1));
    });
    out.push(...rollbackMarkdown(plan));
  } else out.push('No plan was built for this diagnosis.', '');
  out.push('## Verify the fix', '');
  if (plan?.verify.length) out.push(...verifyMarkdown(plan));
  const checks = distinctNextChecks(d, plan);
  if (checks.length) {
    out.push('### Checks that settle the diagnosis', '');
    for (const c of checks) out.push(`- ${c.description}${c.command ? `: \`${c.command}\`` : ''}`);
    out.push('');
  }
  const q = monitoringQueries(d);
  out.push(
    '## Monitoring',
    '',
    '### Datadog logs query',
    '',
    '```',
    q.datadogLogs,
    '```',
    '',
    '### Datadog trace query',
    '',
    '```',
    q.datadogTraces,
    '```',
    '',
    '### Datadog monitor (log alert)',
    '',
    '```',
    q.datadogMonitor,
    '```',
    '',
    '### Cloud Logging filter',
    '',
    '```',
    q.cloudLogging,
    '```',
    '',
    'Audit log (names the caller and permission):',
    '',
    '```',
    q.cloudAudit,
    '```',
    '',
  );
  out.push('## Security best practices', '', ...security(d, plan));
  out.push('## Notes', '', ...notes(d, plan));
  out.push(
    '---',
    '',
    `Catalog: error ${top.code} (\`genai-doctor explain ${top.code}\`). Status: ${plan ? `plan ready (${display(plan.options.find((o) => o.recommended)?.id ?? '')})` : 'diagnosis only'}.`,
    '',
  );
  return out.join('\n');
}
