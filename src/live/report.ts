/**
 * Text / Markdown / JSON output of `check`: the identity and project-source section, the probes,
 * then the diagnosis and plan exactly as `diagnose` renders them.
 */
import pc from 'picocolors';
import type { OutputFormat } from '../core/model.js';
import { renderReport } from '../core/render/index.js';
import { stepTitle } from '../core/render/steps.js';
import type { CheckRecord } from './check.js';
import type { ProbeResult, ProbeStatus } from './probes.js';

export const STATUS_MARK: Record<ProbeStatus, string> = { ok: '✓', problem: '✗', unknown: '?', skipped: '-' };

export function probeLine(p: ProbeResult, color = false): string {
  const paint: Record<ProbeStatus, (s: string) => string> = {
    ok: pc.green,
    problem: pc.red,
    unknown: pc.yellow,
    skipped: pc.dim,
  };
  const mark = color ? paint[p.status](STATUS_MARK[p.status]) : STATUS_MARK[p.status];
  const ms = color ? pc.dim(`${p.ms} ms`) : `${p.ms} ms`;
  return `  ${mark} ${p.title.padEnd(24)} ${p.summary}  (${ms})`;
}

/** Who genai-doctor called as; with --impersonate refused, who tried and as whom. */
function callerText(r: CheckRecord): string {
  const { caller, callerSource, operator } = r.identity;
  const sa = r.options.impersonate;
  if (!callerSource && sa && operator) {
    const refused = r.probes.find((p) => p.id === 'identity')?.error?.httpStatus === 403;
    return `(none) — ${operator} ${refused ? 'may not' : 'could not'} impersonate ${sa}`;
  }
  return `${caller ?? '(unknown)'} via ${callerSource ?? '(no credentials)'}`;
}

function identityLines(r: CheckRecord, md: boolean): string[] {
  const t = r.target;
  const out: string[] = [];
  const li = md ? '- ' : '  ';
  out.push(`${li}caller: ${callerText(r)}`);
  if (!t) return out;
  out.push(`${li}principal: ${t.principal} (${t.principalSource})`);
  if (t.cloudRun) {
    out.push(
      `${li}workload: Cloud Run ${t.cloudRun.service} in ${t.cloudRun.region} (${t.cloudRun.name.split('/')[1]})`,
    );
  }
  out.push(`${li}call: ${t.model} at ${t.location} in project ${t.callProject}`);
  out.push(`${li}project sources: ${t.sources.map((s) => `${s.source}=${s.value}`).join(', ') || '(none)'}`);
  for (const d of t.disagreements) {
    out.push(
      `${li}${md ? '**disagreement**' : '! disagreement'}: ${d.source} = ${d.value}, but the target project is ${d.intended}` +
        (d.decidesCall ? ' — the workload’s call names this project' : ''),
    );
  }
  return out;
}

export function renderCheck(r: CheckRecord, format: OutputFormat, color: boolean): string {
  if (format === 'json') {
    const report = JSON.parse(renderReport(r.diagnosis, r.plan, 'json', { color: false })) as object;
    return `${JSON.stringify(
      {
        healthy: r.healthy,
        basis: r.basis,
        target: r.target,
        identity: r.identity,
        probes: r.probes,
        wallMs: r.wallMs,
        ...report,
      },
      null,
      2,
    )}\n`;
  }
  const md = format === 'md';
  const h = (s: string) => (md ? `## ${s}` : color ? pc.bold(s) : s);
  const out: string[] = [];
  const verdict = r.healthy
    ? 'HEALTHY: the call works'
    : `PROBLEM: the call would fail (${r.diagnosis.findings[0]?.cause ?? 'unknown'})`;
  out.push(md ? `# genai-doctor check: ${verdict}` : color ? pc.bold(verdict) : verdict, '');
  out.push(h('Identity and target'), ...identityLines(r, md), '');
  out.push(h(`Probes (${r.wallMs} ms)`));
  for (const p of r.probes) {
    out.push(
      md ? `- ${STATUS_MARK[p.status]} **${p.title}**: ${p.summary} (${p.ms} ms)` : probeLine(p, color),
    );
    for (const d of p.details ?? []) out.push(md ? `  - ${d}` : `      ${d}`);
  }
  out.push('');
  if (r.basis === 'derived-from-probe') {
    out.push(
      `${md ? '_' : ''}No real call could be made as the principal; the diagnosis reads the error Google returns when the ${r.basisProbe} probe's state holds.${md ? '_' : ''}`,
      '',
    );
  }
  if (r.healthy) {
    // Nothing failed: the empty diagnosis would only say "no error text".
    out.push(r.diagnosis.noError ?? 'Every probe passed.');
    for (const u of r.diagnosis.unknowns) out.push(`${md ? '- ' : '  '}not checked: ${u}`);
  } else {
    out.push(renderReport(r.diagnosis, r.plan, format, { color }));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The short form for the demo: verdict, identity, probes, the top finding and the recommended
 * option's steps. `genai-doctor check` prints the full report (facts, evidence, next checks).
 */
export function renderCheckBrief(r: CheckRecord, color: boolean): string {
  const out: string[] = [];
  const top = r.diagnosis.findings[0];
  out.push(
    r.healthy ? 'HEALTHY: the call works' : `PROBLEM: the call would fail (${top?.cause ?? 'unknown'})`,
    ...identityLines(r, false),
    `Probes (${r.wallMs} ms, in parallel):`,
  );
  for (const p of r.probes) out.push(probeLine(p, color));
  if (top && !r.healthy) {
    out.push(`Finding: ${top.code} ${top.cause} (${Math.round(top.confidence * 100)}%) ${top.title}`);
    out.push(`  ${top.summary}`);
    for (const f of r.diagnosis.findings.slice(1, 4))
      out.push(`  also considered: ${f.cause} ${Math.round(f.confidence * 100)}%`);
    const option = r.plan.options.find((o) => o.recommended) ?? r.plan.options[0];
    if (option) {
      out.push(`Plan (${option.id}): ${r.plan.summary}`);
      option.steps.forEach((s, i) => {
        out.push(`  ${i + 1}. ${stepTitle(s)}`);
      });
    }
  }
  return out.join('\n');
}
