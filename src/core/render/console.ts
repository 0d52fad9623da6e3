/** Plan -> numbered Google Cloud Console steps for one option (the recommended one by default). */
import type { Plan, PlanCause } from '../model.js';
import { consoleInstructions, planSubject, stepTitle } from './steps.js';

export function renderConsole(plan: Plan<PlanCause>, optionId?: string): string {
  const option =
    plan.options.find((o) => o.id === optionId) ?? plan.options.find((o) => o.recommended) ?? plan.options[0];
  const out: string[] = [`Fix for ${planSubject(plan)}: ${plan.summary}`, ''];
  if (!option) return `${out.join('\n')}\nNo steps.\n`;
  out.push(`Option: ${option.title}${option.recommended ? ' (recommended)' : ''}`, '');
  if (plan.variables.length) {
    out.push('First find these values (shown as <NAME> below):');
    for (const v of plan.variables)
      out.push(`  <${v.name}>: ${v.description}${v.discover ? `\n      find it with: ${v.discover}` : ''}`);
    out.push('');
  }
  option.steps.forEach((step, i) => {
    out.push(`${i + 1}. ${stepTitle(step)}`, `   ${consoleInstructions(step)}`, `   Why: ${step.why}`);
  });
  out.push('');
  if (plan.verify.length) {
    out.push('Verify:');
    plan.verify.forEach((c, i) => {
      out.push(`  ${i + 1}. ${c.description}${c.command ? `\n     ${c.command}` : ''}`);
    });
    out.push('');
  }
  const undo = option.rollback ?? (option.recommended ? plan.rollback : []);
  if (undo.length) {
    out.push('To undo this option:');
    undo.forEach((c, i) => {
      out.push(`  ${i + 1}. ${c.description}${c.command ? `\n     ${c.command}` : ''}`);
    });
    out.push('');
  }
  const others = plan.options.filter((o) => o !== option);
  if (others.length) {
    out.push('Other options:');
    for (const o of others) out.push(`  - ${o.title} (--option ${o.id})`);
    out.push('');
  }
  return out.join('\n');
}
