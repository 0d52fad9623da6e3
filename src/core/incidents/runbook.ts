/**
 * An incident runbook in the structure of the seed runbook (seeds/000): Issue summary, Key
 * findings from logs, Root cause, Solution options, Verify the fix, Datadog monitoring, Security
 * best practices, Related files, Notes, filled from the grouped log evidence with real counts,
 * timestamps and trace ids. Builds a Doc; ./doc.ts renders it as Markdown or HTML.
 */
import { CAUSE_INFO, catalogPage } from '../catalog/index.js';
import type { Plan } from '../model.js';
import { counted } from '../plural.js';
import { monitoringQueries } from '../render/monitoring.js';
import { stepCommands, stepTitle } from '../render/steps.js';
import type { Block, Doc, Inline, Section } from './doc.js';
import type { Incident, LogAnalysis } from './model.js';
import { formatBytes, peakPerMinute } from './render.js';
import { mergeBuckets, toSeries } from './timeline.js';

/** Datadog queries for the incident's service, built by the monitors module. */
export interface IncidentMonitoring {
  logsQuery: string;
  successQuery: string;
  traceQuery: string;
  monitorName: string;
  monitorQuery: string;
  /** The command that creates every monitor of the service. */
  applyCommand: string;
  /** How the reader runs genai-doctor (`npx genai-doctor`, `genai-doctor`). */
  cli: string;
}

export const REPORT_SECTIONS = [
  'Issue Summary',
  'Key Findings from Logs',
  'Root Cause',
  'Solution',
  'Verify the Fix',
  'Datadog Monitoring',
  'Security Best Practices',
  'Related Files',
  'Notes',
] as const;

const c = (code: string): Inline => ({ code });

/** Engine prose marks code with backticks: keep those as code spans, the rest as plain text. */
export function prose(s: string): Inline[] {
  return s
    .split(/(`[^`\n]+`)/)
    .filter((x) => x !== '')
    .map((x) => (x.startsWith('`') && x.endsWith('`') && x.length > 2 ? c(x.slice(1, -1)) : x));
}
const b = (strong: string): Inline => ({ strong });

function minutesBetween(a?: string, z?: string): number {
  if (!a || !z) return 0;
  return Math.max(1, Math.round((Date.parse(z) - Date.parse(a)) / 60_000) + 1);
}

function issueSummary(a: LogAnalysis, i: Incident): Block[] {
  const top = i.diagnosis.findings[0];
  const span = minutesBetween(i.firstSeen, i.lastSeen);
  const blocks: Block[] = [
    {
      kind: 'p',
      text: [
        `From ${a.input}: `,
        b(`${i.count} failing call${i.count === 1 ? '' : 's'}`),
        ...(i.service ? [' of ', c(i.service)] : []),
        ...(i.firstSeen
          ? [` between ${i.firstSeen} and ${i.lastSeen} (${span} min, peak ${peakPerMinute(i)} per minute)`]
          : []),
        '.',
      ],
    },
    { kind: 'code', text: i.sample },
  ];
  if (top) blocks.push({ kind: 'p', text: prose(top.summary) });
  return blocks;
}

function keyFindings(a: LogAnalysis, i: Incident): Block[] {
  const d = i.diagnosis;
  const f = d.facts;
  const runtime = d.context.runtime;
  const rows: Inline[][] = [];
  const add = (k: string, ...v: Inline[]) => rows.push([b(k), ': ', ...v]);
  if (i.service) add('Service', c(i.service), runtime ? ` (${runtime})` : '');
  if (i.project) add('Project in the failing request', c(i.project));
  if (i.runtimeProject)
    add(
      'Project the service runs in',
      c(i.runtimeProject),
      i.project && i.project !== i.runtimeProject ? ' (differs from the request)' : '',
    );
  if (i.runtimeLocation) add('Location', c(i.runtimeLocation));
  if (i.model) add('Model', c(i.model), ...(i.location ? [' at ', c(i.location), ' location'] : []));
  if (i.principal) {
    const from =
      i.principalSource === 'audit-log'
        ? ' (from the Cloud Audit Log: authenticationInfo.principalEmail)'
        : i.principalSource === 'context'
          ? ' (as given)'
          : '';
    add('Auth method / principal', c(i.principal), from);
  } else {
    add(
      'Auth method / principal',
      'not in the logs; ',
      runtime === 'cloud-run'
        ? 'a Cloud Run service calls as its service account (default: PROJECT_NUMBER-compute@developer.gserviceaccount.com) via the metadata server'
        : 'enable Data Access audit logs to have the caller named',
    );
  }
  if (i.permission) add('Permission', c(i.permission));
  if (f.http || f.status || f.reason) add('Status', [f.http, f.status, f.reason].filter(Boolean).join(' '));
  if (i.firstSeen) add('Timestamp', `first ${i.firstSeen}, last ${i.lastSeen} (UTC)`);
  add('Failures', `${i.count}, peak ${peakPerMinute(i)} per minute`);
  if (i.traceIds.length) add('Trace IDs', ...join(i.traceIds.map(c)));
  if (i.logIds.length) add('Log IDs', ...join(i.logIds.map(c)));
  else if (i.lines.length) add('Lines', i.lines.join(', '));
  add('Sources', i.sources.join(', '));
  const blocks: Block[] = [{ kind: 'list', items: rows }];
  if (i.audit) {
    blocks.push({
      kind: 'p',
      text: [
        'The audit log names the caller the error hides: ',
        c(i.audit.principal),
        ' was denied ',
        ...(i.audit.permission ? [c(i.audit.permission)] : ['access']),
        ...(i.audit.resource ? [' on ', c(i.audit.resource)] : []),
        ` ${i.audit.count} time${i.audit.count === 1 ? '' : 's'} (${i.audit.firstSeen} to ${i.audit.lastSeen}).`,
      ],
    });
  }
  const series = toSeries(i.perMinute);
  if (series) blocks.push({ kind: 'timeline', series, title: 'Failures of this incident' });
  if (a.incidents.length > 1) {
    blocks.push({ kind: 'h3', text: `All ${a.incidents.length} incidents in these logs` });
    blocks.push({
      kind: 'table',
      head: ['#', 'Cause', 'Code', 'Failures', 'Service', 'Project', 'Model', 'First seen', 'Last seen'],
      rows: a.incidents.map((x, k) => [
        [String(k + 1)],
        [c(x.cause)],
        [String(x.code)],
        [String(x.count)],
        [x.service ?? ''],
        [x.project ?? ''],
        [x.model ?? ''],
        [x.firstSeen ?? ''],
        [x.lastSeen ?? ''],
      ]),
    });
    const all = toSeries(mergeBuckets(a.incidents.map((x) => x.perMinute)));
    if (all) blocks.push({ kind: 'timeline', series: all, title: 'All failures in these logs' });
  }
  return blocks;
}

function join(parts: Inline[]): Inline[] {
  return parts.flatMap((p, k) => (k === 0 ? [p] : [', ', p]));
}

function rootCause(i: Incident): Block[] {
  const top = i.diagnosis.findings[0];
  if (!top) return [{ kind: 'p', text: ['No finding.'] }];
  const blocks: Block[] = [
    {
      kind: 'p',
      text: [
        b(top.title),
        ' (',
        c(top.cause),
        `, error ${top.code}, confidence ${top.confidence.toFixed(2)})`,
      ],
    },
    { kind: 'p', text: prose(top.summary) },
  ];
  if (top.evidence.length) {
    blocks.push({ kind: 'p', text: [b('From the evidence'), ':'] });
    blocks.push({
      kind: 'list',
      items: top.evidence.map((e) => [c(e.fact), ' = ', c(e.value), ...(e.note ? [`: ${e.note}`] : [])]),
    });
  }
  if (top.against.length)
    blocks.push({ kind: 'p', text: ['What speaks against it: ', top.against.join('; ')] });
  const others = i.diagnosis.findings.slice(1, 4);
  if (others.length) {
    blocks.push({
      kind: 'list',
      items: others.map((o) => [
        'Also possible: ',
        c(o.cause),
        ` (${o.code}, confidence ${o.confidence.toFixed(2)}): `,
        ...prose(o.summary),
      ]),
    });
  }
  blocks.push({ kind: 'p', text: [`What this cause means: ${CAUSE_INFO[top.cause].happens}`] });
  return blocks;
}

function solution(plan: Plan | undefined): Block[] {
  if (!plan) return [{ kind: 'p', text: ['No fix plan was built for this incident.'] }];
  const blocks: Block[] = [{ kind: 'p', text: [plan.summary] }];
  if (plan.variables.length) {
    blocks.push({
      kind: 'p',
      text: ['Values the logs do not give (the commands use them as shell variables):'],
    });
    blocks.push({
      kind: 'code',
      lang: 'bash',
      text: plan.variables
        .map(
          (v) => `# ${v.description}\n${v.name}=${v.discover ? `"$(${v.discover})"` : '""  # set by hand'}`,
        )
        .join('\n'),
    });
  }
  plan.options.forEach((o, k) => {
    blocks.push({ kind: 'h3', text: `Option ${k + 1}: ${o.title}${o.recommended ? ' (Recommended)' : ''}` });
    blocks.push({ kind: 'list', ordered: true, items: o.steps.map((s) => [b(stepTitle(s)), `: ${s.why}`]) });
    const commands = o.steps.flatMap((s) => stepCommands(s));
    if (commands.length) blocks.push({ kind: 'code', lang: 'bash', text: commands.join('\n\n') });
  });
  if (plan.rollback.length) {
    blocks.push({ kind: 'h3', text: 'Rollback' });
    blocks.push({
      kind: 'list',
      items: plan.rollback.map((r) => [r.description, ...(r.command ? [': ', c(r.command)] : [])]),
    });
  }
  return blocks;
}

function verify(i: Incident, m: IncidentMonitoring): Block[] {
  const blocks: Block[] = [];
  (i.plan?.verify ?? []).forEach((v, k) => {
    blocks.push({ kind: 'h3', text: `${k + 1}. ${v.description}` });
    if (v.command) blocks.push({ kind: 'code', lang: 'bash', text: v.command });
  });
  blocks.push({ kind: 'h3', text: `${(i.plan?.verify.length ?? 0) + 1}. Watch the logs` });
  blocks.push({
    kind: 'p',
    text: ['After the fix no new failures of this kind should appear, and successes should:'],
  });
  blocks.push({
    kind: 'code',
    lang: 'bash',
    text: `${m.cli} logs --datadog '${m.logsQuery.replace(/'/g, "'\\''")}' --from now-15m\n# In Datadog Log Explorer:\n${m.successQuery}`,
  });
  const checks = i.diagnosis.findings.flatMap((f) => f.nextChecks).slice(0, 5);
  if (checks.length) {
    blocks.push({ kind: 'h3', text: 'Checks that settle the diagnosis' });
    blocks.push({
      kind: 'list',
      items: checks.map((x) => [x.description, ...(x.command ? [': ', c(x.command)] : [])]),
    });
  }
  return blocks;
}

function monitoring(i: Incident, m: IncidentMonitoring): Block[] {
  const q = monitoringQueries(i.diagnosis);
  return [
    { kind: 'h3', text: 'Logs Query' },
    { kind: 'code', text: `${m.logsQuery}\n${m.successQuery}` },
    { kind: 'h3', text: 'Trace Query' },
    { kind: 'code', text: m.traceQuery },
    { kind: 'h3', text: 'Monitor Alert' },
    { kind: 'p', text: [`${m.monitorName}:`] },
    { kind: 'code', text: m.monitorQuery },
    {
      kind: 'p',
      text: [
        'Create it, with the throttling, credential and APM error-rate monitors of the service (idempotent):',
      ],
    },
    { kind: 'code', lang: 'bash', text: m.applyCommand },
    { kind: 'h3', text: 'Cloud Logging' },
    {
      kind: 'code',
      text: `${q.cloudLogging}\n\n# Audit log: names the caller and the permission\n${q.cloudAudit}`,
    },
  ];
}

function security(i: Incident): Block[] {
  const items: Inline[][] = [];
  for (const dec of i.plan?.roleDecisions ?? []) {
    if (!dec.chosen) continue;
    // Words, not ✅ / ❌: the markers must read without an emoji font (terminals, PDFs).
    items.push([
      b('Use'),
      ' ',
      c(dec.chosen.role),
      ' is the smallest GA predefined role holding ',
      ...join(dec.permissions.map(c)),
    ]);
    for (const r of dec.accepted.slice(1, 3)) items.push([b('Not'), ' ', c(r.role), ': too broad']);
    for (const r of dec.rejected.slice(0, 3))
      items.push([b('Not'), ' ', c(r.role), `: never for a workload (${r.reason})`]);
  }
  if (i.plan?.options.some((o) => o.id === 'dedicated-service-account')) {
    items.push([
      'Use a dedicated service account per service instead of the default compute service account (see the dedicated-service-account option).',
    ]);
  }
  for (const p of catalogPage(i.code).bestPractices) items.push([p]);
  items.push([
    'Enable Data Access audit logs (DATA_READ) for aiplatform.googleapis.com so that the next denial names its principal.',
  ]);
  const seen = new Set<string>();
  return [
    { kind: 'list', items: items.filter((x) => !seen.has(JSON.stringify(x)) && seen.add(JSON.stringify(x))) },
  ];
}

function relatedFiles(i: Incident): Block[] {
  const svc = i.service ?? 'the service';
  return [
    {
      kind: 'p',
      text: ['Left to you: genai-doctor reads logs, not your repository. List the files to change:'],
    },
    {
      kind: 'list',
      items: [
        [
          b('Client construction'),
          `: where ${svc} creates the Gemini / Vertex AI client (project, location, credentials)`,
        ],
        [b('Service entry point'), ': the handler behind the failing resource'],
        [
          b('Deployment'),
          ': the Cloud Run service definition / CI workflow that sets the service account and GOOGLE_CLOUD_PROJECT',
        ],
      ],
    },
  ];
}

function notes(a: LogAnalysis, i: Incident): Block[] {
  const items: Inline[][] = [];
  if (i.plan?.options.some((o) => o.steps.some((s) => s.kind === 'grant_role'))) {
    items.push([
      b('Permission propagation'),
      ': IAM changes usually apply within 2 minutes and can take up to 7.',
    ]);
  }
  if (i.project && i.runtimeProject && i.project !== i.runtimeProject) {
    items.push([
      b('Multiple projects'),
      ': the failing request named ',
      c(i.project),
      ' while the service runs in ',
      c(i.runtimeProject),
      '; make sure the client uses the project you mean.',
    ]);
  }
  if (i.location === 'global')
    items.push([
      b('Location'),
      ': the model is called at ',
      c('location="global"'),
      ', not at a regional endpoint.',
    ]);
  for (const n of i.plan?.notes ?? []) items.push([n]);
  for (const u of i.diagnosis.unknowns) items.push([`Unknown: ${u}`]);
  const s = a.stats;
  items.push([
    b('Evidence'),
    `: ${counted(s.records, 'record')} read (${s.format}${s.bytes ? `, ${formatBytes(s.bytes)}` : ''}), ${counted(s.failures, 'failure')}, ${counted(a.incidents.length, 'incident')}`,
    s.malformed
      ? `, ${s.malformed} malformed record${s.malformed === 1 ? '' : 's'} skipped (first at line ${s.malformedLines.map((x) => x.line).join(', ')})`
      : '',
    s.oversized
      ? `, ${s.oversized} record${s.oversized === 1 ? '' : 's'} over the record cap skipped (at line ${s.oversizedLines.join(', ')})`
      : '',
    '.',
  ]);
  return [{ kind: 'list', ordered: true, items }];
}

function priority(i: Incident): string {
  if (i.code === 1153) return 'Medium - requests are throttled, retries with backoff may hide part of it';
  return i.count >= 10 || peakPerMinute(i) >= 3
    ? 'High - the failing call does not succeed at all'
    : 'Medium';
}

export function incidentRunbook(a: LogAnalysis, i: Incident, m: IncidentMonitoring): Doc {
  const top = i.diagnosis.findings[0];
  const title = `${top?.title ?? 'Failure'}${i.model ? `: ${i.model}` : ''}${i.service ? ` in ${i.service}` : ''} (error ${i.code})`;
  const sections: Section[] = [
    { title: REPORT_SECTIONS[0], icon: '🔍', blocks: issueSummary(a, i) },
    { title: REPORT_SECTIONS[1], icon: '🔎', blocks: keyFindings(a, i) },
    { title: REPORT_SECTIONS[2], icon: '🎯', blocks: rootCause(i) },
    { title: REPORT_SECTIONS[3], icon: '✅', blocks: solution(i.plan) },
    { title: REPORT_SECTIONS[4], icon: '🧪', blocks: verify(i, m) },
    { title: REPORT_SECTIONS[5], icon: '📊', blocks: monitoring(i, m) },
    { title: REPORT_SECTIONS[6], icon: '🔐', blocks: security(i) },
    { title: REPORT_SECTIONS[7], icon: '📝', blocks: relatedFiles(i) },
    { title: REPORT_SECTIONS[8], icon: '⚠️', blocks: notes(a, i) },
  ];
  return {
    title,
    sections,
    footer: [
      [
        b('Status'),
        `: ${i.plan && i.cause !== 'unknown' ? 'Ready to apply' : 'Diagnosis only: collect the evidence listed above'}`,
      ],
      [b('Priority'), `: ${priority(i)}`],
      [b('Catalog'), ': ', c(`${m.cli} explain ${i.code}`)],
    ],
  };
}
