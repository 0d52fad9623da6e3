/** Diagnosis + plan -> terminal text (coloured when asked: the CLI decides from TTY / NO_COLOR). */

import pc from 'picocolors';
import { wrap } from '../catalog/render.js';
import type { Diagnosis, Plan } from '../model.js';
import { distinctNextChecks } from './checks.js';
import { stepCommands, stepTitle } from './steps.js';

export function reportText(d: Diagnosis, plan: Plan | undefined, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [];
  if (d.noError) out.push(c.yellow(d.noError), '');
  const top = d.findings[0]!;
  const conf = (x: number) => `${Math.round(x * 100)}%`;
  out.push(
    `${c.bold(c.red(`error ${top.code}`))}  ${c.bold(top.title)}  ${c.dim(`${top.cause}, ${conf(top.confidence)}`)}`,
  );
  out.push(wrap(top.summary), '');
  const f = d.facts;
  const facts: Array<[string, unknown]> = [
    ['http', f.http],
    ['status', f.status],
    ['reason', f.reason],
    ['permission', f.permission],
    ['project', f.project],
    ['location', f.location],
    ['model', f.model],
    ['service', f.service],
    ['principal', f.principal],
  ];
  const shown = facts.filter(([, v]) => v !== undefined && v !== '');
  if (shown.length) {
    out.push(c.cyan('Facts'));
    for (const [k, v] of shown) out.push(`  ${k.padEnd(11)} ${String(v)}`);
    out.push('');
  }
  if (top.evidence.length) {
    out.push(c.cyan('Evidence'));
    for (const e of top.evidence) out.push(`  ${e.fact} = ${e.value}${e.note ? c.dim(`  (${e.note})`) : ''}`);
    out.push('');
  }
  if (d.findings.length > 1) {
    out.push(c.cyan('Other findings'));
    for (const x of d.findings.slice(1))
      out.push(`  ${x.code} ${x.cause} ${c.dim(conf(x.confidence))}  ${x.title}`);
    out.push('');
  }
  if (plan) {
    const rec = plan.options.find((o) => o.recommended) ?? plan.options[0];
    out.push(c.green('Fix'), wrap(plan.summary));
    if (rec) {
      out.push(`  ${c.bold(rec.title)}`);
      rec.steps.forEach((s, i) => {
        out.push(`  ${i + 1}. ${stepTitle(s)}`);
        for (const cmd of stepCommands(s)) out.push(`     ${c.dim(cmd)}`);
      });
    }
    const others = plan.options.filter((o) => o !== rec);
    if (others.length)
      out.push(
        c.dim(
          `  other options: ${others.map((o) => o.id).join(', ')} (genai-doctor plan ... --format gcloud)`,
        ),
      );
    if (plan.variables.length) {
      out.push(c.cyan('Unknown values'));
      for (const v of plan.variables) out.push(`  ${c.bold(v.name)}: ${v.description}`);
    }
    out.push('');
  }
  const checks = distinctNextChecks(d).slice(0, 5);
  if (checks.length) {
    out.push(c.cyan('Next checks'));
    for (const ch of checks)
      out.push(`  - ${ch.description}${ch.command ? `\n    ${c.dim(ch.command)}` : ''}`);
    out.push('');
  }
  if (d.unknowns.length) {
    out.push(c.cyan('Not in the evidence'), ...d.unknowns.map((u) => `  - ${u}`), '');
  }
  out.push(c.dim(`More: genai-doctor explain ${top.code}`));
  return `${out.join('\n')}\n`;
}
