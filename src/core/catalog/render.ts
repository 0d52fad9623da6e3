/** Catalog page -> text (optionally coloured), Markdown, or JSON. */
import pc from 'picocolors';
import type { OutputFormat } from '../model.js';
import type { CatalogPage } from './index.js';

export function renderCatalogPage(
  page: CatalogPage,
  format: OutputFormat,
  opts: { color?: boolean } = {},
): string {
  if (format === 'json') return `${JSON.stringify(page, null, 2)}\n`;
  if (format === 'md') return markdown(page);
  return text(page, opts.color ?? false);
}

function markdown(p: CatalogPage): string {
  const out: string[] = [];
  out.push(`# Error ${p.code}: ${p.title}`, '');
  out.push('## Quick answer', '', p.quickAnswer, '');
  out.push('## How it happens', '', p.mechanics, '');
  out.push('## Causes', '');
  for (const c of p.causes) {
    const focus = p.focus === c.cause ? ' (this one)' : '';
    out.push(
      `### \`${c.cause}\`: ${c.title}${focus}`,
      '',
      c.happens,
      '',
      `- **Evidence:** ${c.evidence}`,
      `- **Fix:** ${c.fix}`,
      '',
    );
  }
  out.push('## Remediation', '', '| Environment | Action required | Target outcome |', '|---|---|---|');
  for (const r of p.remediation) out.push(`| ${r.environment} | ${cell(r.action)} | ${cell(r.outcome)} |`);
  out.push('');
  for (const r of p.remediation.filter((x) => x.snippet)) {
    out.push(
      `**${r.environment}:**`,
      '',
      '```' + (r.environment === 'Terraform' ? 'hcl' : 'bash'),
      r.snippet!,
      '```',
      '',
    );
  }
  out.push('## Best practices', '', ...p.bestPractices.map((b) => `- ${b}`), '');
  out.push('## Related codes', '', ...p.related.map((r) => `- **${r.code}** ${r.title}: ${r.why}`), '');
  out.push('## TL;DR', '', p.tldr, '');
  return out.join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function text(p: CatalogPage, color: boolean): string {
  const c = pc.createColors(color);
  const h = (s: string) => c.bold(c.cyan(s));
  const out: string[] = [];
  out.push(c.bold(`Error ${p.code}: ${p.title}`), '');
  out.push(h('Quick answer'), wrap(p.quickAnswer), '');
  out.push(h('How it happens'), wrap(p.mechanics), '');
  out.push(h('Causes'));
  for (const x of p.causes) {
    const mark = p.focus === x.cause ? c.yellow(' <- this one') : '';
    out.push(
      `  ${c.bold(x.cause)}  ${x.title}${mark}`,
      wrap(x.happens, 4),
      wrap(`evidence: ${x.evidence}`, 4),
      wrap(`fix: ${x.fix}`, 4),
    );
  }
  out.push('', h('Remediation'));
  for (const r of p.remediation) {
    out.push(`  ${c.bold(r.environment.padEnd(9))} ${r.action} -> ${r.outcome}`);
    if (r.snippet) out.push(...r.snippet.split('\n').map((l) => `      ${c.dim(l)}`));
  }
  out.push('', h('Best practices'), ...p.bestPractices.map((b) => wrap(`- ${b}`, 2)));
  out.push('', h('Related codes'), ...p.related.map((r) => `  ${r.code} ${r.title}: ${r.why}`));
  out.push('', h('TL;DR'), wrap(p.tldr), '');
  return out.join('\n');
}

/** Word-wraps to 100 columns with an indent (terminal readability). */
export function wrap(s: string, indent = 2, width = 100): string {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width - indent) {
      lines.push(pad + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(pad + line);
  return lines.join('\n');
}
