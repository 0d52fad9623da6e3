/**
 * Plan -> a runnable bash script of gcloud commands. Every option is a function; the
 * recommended one runs by default (`./fix.sh OPTION_ID` picks another, `DRY_RUN=1` only
 * prints). Values the evidence does not give are variables at the top: taken from the
 * environment, else from their discover command, else the script stops and says which to set.
 */
import type { Plan, PlanCause, PlanOption, Unknown } from '../model.js';
import { sq, varRefs } from './shell.js';
import { planSubject, stepCommands, stepTitle } from './steps.js';

/** Text for a `#` comment line: a newline in it would end the comment and start a command. */
function c(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

function fnName(option: PlanOption): string {
  return `option_${option.id.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

/** `need_X` functions: fill X from env, then its discover command (after its own dependencies). */
function needFunctions(vars: Unknown[]): string[] {
  const names = vars.map((v) => v.name);
  const out: string[] = [];
  for (const v of vars) {
    const deps = v.discover ? varRefs(v.discover, names).filter((n) => n !== v.name) : [];
    out.push(`need_${v.name}() {`);
    for (const d of deps) out.push(`  need_${d}`);
    if (v.discover) {
      // A dry run calls nothing, discovery included: it shows the command and goes on with a
      // placeholder. A discovery that fails leaves the value empty, so the script ends with the
      // `set X` message and exit 2 below, not with gcloud's own exit status.
      out.push(
        `  if [ -z "\${${v.name}}" ] && [ -n "\${DRY_RUN:-}" ]; then echo ${sq(`+ ${v.name}=$(${v.discover})`)} >&2; ${v.name}='<${v.name}>'; fi`,
        `  if [ -z "\${${v.name}}" ]; then ${v.name}="$(${v.discover})" || ${v.name}=''; fi`,
      );
    }
    out.push(
      `  if [ -z "\${${v.name}}" ]; then echo ${sq(`genai-doctor: set ${v.name}: ${v.description}`)} >&2; exit 2; fi`,
      `  export ${v.name}`,
      '}',
    );
  }
  return out;
}

function optionFunction(option: PlanOption, vars: Unknown[]): string[] {
  const names = vars.map((v) => v.name);
  const commands = option.steps.map((s) => stepCommands(s));
  const used = varRefs(commands.flat().join('\n'), names);
  const out = [`# ${c(option.title)}${option.recommended ? ' (recommended)' : ''}`, `${fnName(option)}() {`];
  for (const n of used) out.push(`  need_${n}`);
  option.steps.forEach((step, i) => {
    out.push(`  step ${sq(`${i + 1}/${option.steps.length} ${stepTitle(step)}`)} ${sq(step.why)}`);
    if (step.kind === 'wait_propagation') {
      out.push(`  wait_for ${step.seconds}`);
      return;
    }
    const cmds = commands[i] ?? [];
    if (cmds.length === 0) out.push(`  todo ${sq(todoText(step))}`);
    for (const c of cmds) out.push(`  run ${sq(c)}`);
  });
  if (option.steps.length === 0) out.push('  :');
  out.push('}');
  return out;
}

function todoText(step: PlanOption['steps'][number]): string {
  if (step.kind === 'manual') return `${step.title}: ${step.instructions}`;
  if (step.kind === 'enable_billing')
    return 'Link an open billing account (next step, or the Console billing page).';
  if (step.kind === 'request_quota')
    return 'Request the increase in the Console quotas page (IAM & Admin > Quotas).';
  if (step.kind === 'set_config') return `Set ${step.key} in ${step.where}.`;
  return stepTitle(step);
}

export function renderGcloud(plan: Plan<PlanCause>): string {
  const vars = plan.variables;
  const recommended = plan.options.find((o) => o.recommended) ?? plan.options[0];
  const out: string[] = [
    '#!/usr/bin/env bash',
    `# genai-doctor fix plan for ${planSubject(plan)}`,
    `# ${c(plan.summary)}`,
    '#',
    `# Usage: bash fix.sh [OPTION]   OPTION: ${plan.options.map((o) => o.id).join(' | ')} (default: ${recommended?.id ?? 'none'})`,
    '#        DRY_RUN=1 bash fix.sh   prints the commands without running them',
    'set -euo pipefail',
    '',
  ];
  if (vars.length) {
    out.push(
      '# Values the evidence does not give. Set them in the environment, or let the discover commands find them.',
    );
    for (const v of vars) {
      out.push(`#   ${v.name}: ${c(v.description)}`);
      if (v.discover) out.push(`#     discover: ${c(v.discover)}`);
    }
    for (const v of vars) out.push(`${v.name}="\${${v.name}:-}"`);
    out.push('');
  }
  out.push(
    'run() {',
    '  echo "+ $1" >&2',
    `  if [ -z "\${DRY_RUN:-}" ]; then bash -c "$1"; fi`,
    '}',
    'step() { printf \'\\n==> %s\\n    why: %s\\n\' "$1" "$2" >&2; }',
    'todo() { printf \'    manual: %s\\n\' "$1" >&2; }',
    'wait_for() {',
    `  echo "    waiting \${WAIT_SECONDS:-$1}s (set WAIT_SECONDS=0 to skip)" >&2`,
    `  if [ -z "\${DRY_RUN:-}" ]; then sleep "\${WAIT_SECONDS:-$1}"; fi`,
    '}',
    '',
    ...needFunctions(vars),
    '',
  );
  for (const option of plan.options) out.push(...optionFunction(option, vars), '');
  out.push('verify_fix() {');
  if (plan.verify.length === 0) out.push('  :');
  for (const check of plan.verify) {
    if (!check.command) continue;
    for (const n of varRefs(
      check.command,
      vars.map((v) => v.name),
    ))
      out.push(`  need_${n}`);
    out.push(
      `  step ${sq(`verify: ${check.description}`)} 'proves the fix'`,
      `  run ${sq(check.command)} || echo '    not yet: retry in a minute (IAM propagation)' >&2`,
    );
  }
  out.push('}', '');
  out.push(`OPTION="\${1:-${recommended?.id ?? ''}}"`, 'case "$OPTION" in');
  for (const option of plan.options) out.push(`  ${option.id}) ${fnName(option)} ;;`);
  out.push(
    `  *) echo "genai-doctor: unknown option '$OPTION' (one of: ${plan.options.map((o) => o.id).join(', ')})" >&2; exit 2 ;;`,
    'esac',
    'verify_fix',
    '',
  );
  for (const option of plan.options) {
    const undo = option.recommended ? plan.rollback : (option.rollback ?? []);
    if (!undo.length) continue;
    out.push(
      `# Rollback of option ${option.id}${option.recommended ? ' (recommended)' : ''}, by hand if needed:`,
    );
    for (const r of undo) {
      out.push(`#   ${c(r.description)}`);
      if (r.command) out.push(`#     ${c(r.command)}`);
    }
  }
  if (plan.notes.length) {
    out.push('# Notes:');
    for (const n of plan.notes) out.push(`#   - ${c(n)}`);
  }
  return `${out.join('\n')}\n`;
}
