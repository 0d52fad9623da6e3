/**
 * `logs` output: the incidents of a log analysis as text, Markdown or JSON.
 */

import { counted } from '../plural.js';
import type { Incident, LogAnalysis } from './model.js';

export type IncidentFormat = 'text' | 'md' | 'json';

export function renderAnalysis(a: LogAnalysis, format: IncidentFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(a, null, 2)}\n`;
    case 'md':
      return renderMarkdown(a);
    default:
      return renderText(a);
  }
}

const n = (x: number) => x.toLocaleString('en-US');

export function formatBytes(b: number): string {
  if (b >= 1e9) return `${(b / 1e9).toFixed(2)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(1)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} kB`;
  return `${b} B`;
}

export function summaryLine(a: LogAnalysis): string {
  const s = a.stats;
  const size = s.bytes > 0 ? `, ${formatBytes(s.bytes)}` : '';
  return `${a.input}: ${counted(s.records, 'record', n(s.records))} (${s.format}${size}), ${counted(s.failures, 'failure', n(s.failures))} in ${counted(a.incidents.length, 'incident', n(a.incidents.length))}, ${counted(s.diagnosed, 'distinct error', n(s.diagnosed))} diagnosed`;
}

export function malformedLine(a: LogAnalysis): string | undefined {
  const s = a.stats;
  if (s.malformed === 0) return undefined;
  const lines = s.malformedLines.map((m) => `${m.line} (${m.reason})`).join(', ');
  return `${n(s.malformed)} malformed record${s.malformed === 1 ? '' : 's'} skipped; first at line ${lines}`;
}

/** "2 records over the 16 MB record cap skipped, at lines 3, 9", or undefined when there are none. */
export function oversizedLine(a: LogAnalysis): string | undefined {
  const s = a.stats;
  if (!s.oversized) return undefined;
  const cap = s.maxRecordBytes ? ` ${formatBytes(s.maxRecordBytes)}` : '';
  const lines = s.oversizedLines.join(', ');
  return `${n(s.oversized)} record${s.oversized === 1 ? '' : 's'} over the${cap} record cap skipped, at line${s.oversizedLines.length === 1 ? '' : 's'} ${lines}${s.oversized > s.oversizedLines.length ? ', ...' : ''}`;
}

/** The notes on what was skipped: malformed and oversized records. */
export function skippedLines(a: LogAnalysis): string[] {
  return [malformedLine(a), oversizedLine(a)].filter((x): x is string => x !== undefined);
}

/** Peak failures in one minute. */
export function peakPerMinute(i: Incident): number {
  return i.perMinute.reduce((m, b) => Math.max(m, b.count), 0);
}

/** "project P (runs in R)" etc.: the facts that identify an incident, in one line. */
export function scopeParts(i: Incident): string[] {
  const parts: string[] = [];
  if (i.service) parts.push(`service ${i.service}`);
  if (i.project)
    parts.push(
      i.runtimeProject && i.runtimeProject !== i.project
        ? `project ${i.project} (service runs in ${i.runtimeProject})`
        : `project ${i.project}`,
    );
  if (i.location) parts.push(`location ${i.location}`);
  if (i.model) parts.push(`model ${i.model}`);
  if (i.permission) parts.push(`permission ${i.permission}`);
  if (i.principal)
    parts.push(`principal ${i.principal}${i.principalSource === 'audit-log' ? ' (from audit log)' : ''}`);
  return parts;
}

function renderText(a: LogAnalysis): string {
  const out = [summaryLine(a), ...skippedLines(a)];
  a.incidents.forEach((i, k) => {
    out.push('');
    out.push(`#${k + 1} ${i.cause} (${i.code}) ${i.title}: ${n(i.count)} failure${i.count === 1 ? '' : 's'}`);
    const scope = scopeParts(i);
    if (scope.length) out.push(`   ${scope.join(' · ')}`);
    if (i.firstSeen) out.push(`   first ${i.firstSeen}  last ${i.lastSeen}  peak ${peakPerMinute(i)}/min`);
    if (i.traceIds.length) out.push(`   traces ${i.traceIds.join(', ')}`);
    if (i.logIds.length) out.push(`   log ids ${i.logIds.join(', ')}`);
    else if (i.lines.length) out.push(`   lines ${i.lines.join(', ')}`);
    const summary = i.diagnosis.findings[0]?.summary;
    if (summary) out.push(`   why: ${summary}`);
    const option = i.plan?.options.find((o) => o.recommended) ?? i.plan?.options[0];
    if (option) out.push(`   fix: ${option.title}`);
  });
  if (a.incidents.length > 0)
    out.push('', 'Runbook for an incident: genai-doctor report <input> --format md');
  return `${out.join('\n')}\n`;
}

/** Escapes text for a Markdown table cell or inline text. */
export function mdText(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function renderMarkdown(a: LogAnalysis): string {
  const out = ['# Failures in logs', '', `${mdText(summaryLine(a))}.`];
  for (const skipped of skippedLines(a)) out.push('', `> ${mdText(skipped)}`);
  if (a.incidents.length === 0) return `${out.join('\n')}\n`;
  out.push(
    '',
    '| # | Cause | Code | Count | Service | Project | Model | Principal | First seen | Last seen |',
  );
  out.push('|---|---|---|---:|---|---|---|---|---|---|');
  a.incidents.forEach((i, k) => {
    out.push(
      `| ${k + 1} | \`${i.cause}\` | ${i.code} | ${i.count} | ${mdText(i.service ?? '')} | ${mdText(i.project ?? '')} | ${mdText(i.model ?? '')} | ${mdText(i.principal ?? '')} | ${i.firstSeen ?? ''} | ${i.lastSeen ?? ''} |`,
    );
  });
  a.incidents.forEach((i, k) => {
    out.push('', `## ${k + 1}. ${mdText(i.title)} (\`${i.cause}\`, ${i.code})`, '');
    for (const p of scopeParts(i)) out.push(`- ${mdText(p)}`);
    out.push(`- **Failures**: ${i.count}, peak ${peakPerMinute(i)} per minute`);
    if (i.traceIds.length) out.push(`- **Trace ids**: ${i.traceIds.map((t) => `\`${t}\``).join(', ')}`);
    if (i.logIds.length) out.push(`- **Log ids**: ${i.logIds.map((t) => `\`${t}\``).join(', ')}`);
    const f = i.diagnosis.findings[0];
    if (f) out.push('', mdText(f.summary));
    out.push('', '```', i.sample.replace(/```/g, '`‍``'), '```');
    const option = i.plan?.options.find((o) => o.recommended) ?? i.plan?.options[0];
    if (option) out.push('', `**Fix**: ${mdText(option.title)}`);
  });
  return `${out.join('\n')}\n`;
}
