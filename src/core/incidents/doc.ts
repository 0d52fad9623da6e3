/**
 * A tiny document model (sections of paragraphs, lists, code, tables, a timeline) and its two
 * renderings: Markdown and a self-contained HTML page. Text is data, never markup: the renderers
 * escape every string, so hostile log text cannot inject Markdown or HTML.
 */
import { escapeXml } from '../escape.js';
import { type Series, sparkline, timelineSvg } from './timeline.js';

/** Inline text: plain, `code`, **strong** or a link. */
export type Inline = string | { code: string } | { strong: string } | { link: string; text: string };

export type Block =
  | { kind: 'p'; text: Inline[] }
  | { kind: 'list'; items: Inline[][]; ordered?: boolean }
  | { kind: 'code'; lang?: string; text: string }
  | { kind: 'table'; head: string[]; rows: Inline[][][] }
  | { kind: 'h3'; text: string }
  | { kind: 'timeline'; series: Series; title: string };

export interface Section {
  title: string;
  /** Seed-runbook style emoji, shown in Markdown headings. */
  icon?: string;
  blocks: Block[];
}

export interface Doc {
  title: string;
  sections: Section[];
  footer: Inline[][];
}

// ---------------------------------------------------------------------------------------------
// Markdown

function mdEscape(s: string): string {
  return s.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function mdCode(s: string): string {
  const runs = s.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

function mdInline(parts: Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return mdEscape(p);
      if ('code' in p) return mdCode(p.code);
      if ('strong' in p) return `**${mdEscape(p.strong)}**`;
      return /^https?:\/\//.test(p.link)
        ? `[${mdEscape(p.text)}](<${p.link.replace(/[<>\s]/g, encodeURIComponent)}>)`
        : mdEscape(p.text);
    })
    .join('');
}

function mdFence(text: string, lang = ''): string[] {
  const runs = text.match(/`{3,}/g) ?? [];
  const fence = '`'.repeat(Math.max(3, ...runs.map((r) => r.length + 1)));
  return [`${fence}${lang}`, text, fence];
}

function mdBlock(b: Block): string[] {
  switch (b.kind) {
    case 'p':
      return [mdInline(b.text), ''];
    case 'h3':
      return [`### ${mdEscape(b.text)}`, ''];
    case 'list':
      return [...b.items.map((it, i) => `${b.ordered ? `${i + 1}.` : '-'} ${mdInline(it)}`), ''];
    case 'code':
      return [...mdFence(b.text, b.lang), ''];
    case 'table':
      return [
        `| ${b.head.map(mdEscape).join(' | ')} |`,
        `|${b.head.map(() => '---').join('|')}|`,
        ...b.rows.map((r) => `| ${r.map(mdInline).join(' | ')} |`),
        '',
      ];
    case 'timeline': {
      const unit = b.series.step === 1 ? 'minute' : `${b.series.step} minutes`;
      const max = Math.max(...b.series.counts);
      return [
        `${mdEscape(b.title)} (one column per ${unit}, peak ${max}):`,
        '',
        ...mdFence(sparkline(b.series)),
        '',
      ];
    }
  }
}

export function docMarkdown(doc: Doc): string {
  const out = [`# ${mdEscape(doc.title)}`, ''];
  for (const s of doc.sections) {
    out.push(`## ${s.icon ? `${s.icon} ` : ''}**${mdEscape(s.title)}**`, '');
    for (const b of s.blocks) out.push(...mdBlock(b));
  }
  if (doc.footer.length) out.push('---', '', ...doc.footer.map((l) => `${mdInline(l)}  `), '');
  return `${out.join('\n').trimEnd()}\n`;
}

// ---------------------------------------------------------------------------------------------
// HTML

function htmlInline(parts: Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return escapeXml(p);
      if ('code' in p) return `<code>${escapeXml(p.code)}</code>`;
      if ('strong' in p) return `<strong>${escapeXml(p.strong)}</strong>`;
      // Only http(s) links become anchors: a javascript: URL in hostile text stays text.
      return /^https?:\/\//.test(p.link)
        ? `<a href="${escapeXml(p.link)}" rel="noreferrer">${escapeXml(p.text)}</a>`
        : escapeXml(p.text);
    })
    .join('');
}

function htmlBlock(b: Block): string {
  switch (b.kind) {
    case 'p':
      return `<p>${htmlInline(b.text)}</p>`;
    case 'h3':
      return `<h3>${escapeXml(b.text)}</h3>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((it) => `<li>${htmlInline(it)}</li>`).join('')}</${tag}>`;
    }
    case 'code':
      return `<pre><code${b.lang ? ` class="language-${escapeXml(b.lang)}"` : ''}>${escapeXml(b.text)}</code></pre>`;
    case 'table':
      return `<table><thead><tr>${b.head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${htmlInline(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
    case 'timeline':
      return `<figure class="timeline">${timelineSvg(b.series, b.title)}</figure>`;
  }
}

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.5}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
code{background:#f3f3f3;padding:.1rem .25rem;border-radius:3px;font-size:.92em;overflow-wrap:anywhere}
pre{background:#f6f8fa;padding:.8rem;overflow-x:auto;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}pre code{background:none;padding:0}
table{border-collapse:collapse;margin:.5rem 0;display:block;max-width:100%;overflow-x:auto}td code{overflow-wrap:normal;white-space:nowrap}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
figure.timeline{margin:1rem 0}figure.timeline svg{max-width:100%;height:auto}footer{margin-top:2rem;color:#555;font-size:.9rem}`;

export function docHtml(doc: Doc): string {
  const body = doc.sections
    .map((s) => `<section><h2>${escapeXml(s.title)}</h2>${s.blocks.map(htmlBlock).join('\n')}</section>`)
    .join('\n');
  const footer = doc.footer.map((l) => `<div>${htmlInline(l)}</div>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(doc.title)}</h1>
${body}
<footer>${footer}</footer>
</body>
</html>
`;
}
