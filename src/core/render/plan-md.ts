/** Plan -> Markdown (the "Solution", "Verify" and rollback parts of a runbook, or a plan alone). */
import type { NextCheck, Plan, PlanCause, PlanOption } from '../model.js';
import { planSubject, stepCommands, stepTitle } from './steps.js';

export function optionMarkdown(option: PlanOption, n: number): string[] {
  const out = [`### Option ${n}: ${option.title}${option.recommended ? ' (recommended)' : ''}`, ''];
  option.steps.forEach((s, i) => {
    out.push(`${i + 1}. **${stepTitle(s)}**: ${s.why}`);
  });
  const commands = option.steps.flatMap((s) => stepCommands(s));
  if (commands.length) out.push('', '```bash', ...commands, '```');
  out.push('');
  // The recommended option's undo has its own section (rollbackMarkdown).
  if (!option.recommended && option.rollback?.length)
    out.push(...undoList('Undo this option', option.rollback));
  return out;
}

function undoList(title: string, checks: NextCheck[]): string[] {
  const out = [`${title}:`, ''];
  for (const r of checks) {
    out.push(`- ${r.description}`);
    if (r.command) out.push('', '  ```bash', `  ${r.command}`, '  ```');
  }
  out.push('');
  return out;
}

export function variablesMarkdown(plan: Plan<PlanCause>): string[] {
  if (!plan.variables.length) return [];
  const out = [
    'Values the evidence does not give (set them first; the commands use them as shell variables):',
    '',
  ];
  out.push('```bash');
  for (const v of plan.variables) {
    out.push(`# ${v.description}`);
    out.push(v.discover ? `${v.name}="$(${v.discover})"` : `${v.name}=""  # set by hand`);
  }
  out.push('```', '');
  return out;
}

export function verifyMarkdown(plan: Plan<PlanCause>): string[] {
  const out: string[] = [];
  plan.verify.forEach((c, i) => {
    out.push(`### ${i + 1}. ${c.description}`, '');
    if (c.command) out.push('```bash', c.command, '```', '');
  });
  return out;
}

export function rollbackMarkdown(plan: Plan<PlanCause>): string[] {
  if (!plan.rollback.length) return [];
  return ['### Rollback', '', ...undoList('Undo the recommended option', plan.rollback)];
}

export function planMarkdown(plan: Plan<PlanCause>): string {
  const out = [`# Fix plan: ${planSubject(plan)}`, '', plan.summary, ''];
  out.push(...variablesMarkdown(plan));
  out.push('## Options', '');
  plan.options.forEach((o, i) => {
    out.push(...optionMarkdown(o, i + 1));
  });
  out.push('## Verify the fix', '', ...verifyMarkdown(plan));
  out.push(...rollbackMarkdown(plan));
  if (plan.notes.length) out.push('## Notes', '', ...plan.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
