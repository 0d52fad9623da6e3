/**
 * A small HCL writer: attributes, nested blocks, strings escaped so that no user text can start
 * an interpolation (`${` -> `$${`, `%{` -> `%%{`). A `raw` value is written as is (references).
 */

export type HclValue = string | number | boolean | HclValue[] | { [key: string]: HclValue } | HclRaw;

export interface HclRaw {
  raw: string;
}

export interface HclBlock {
  type: string;
  labels: string[];
  /** Attributes in order; `undefined` values are left out. */
  attrs: Array<[string, HclValue | undefined]>;
  blocks?: HclBlock[];
}

export function hclString(s: string): string {
  const escaped = s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
  return `"${escaped}"`;
}

function isRaw(v: HclValue): v is HclRaw {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as HclRaw).raw === 'string' &&
    Object.keys(v).length === 1
  );
}

function value(v: HclValue, indent: string): string {
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => value(x, indent)).join(', ')}]`;
  if (isRaw(v)) return v.raw;
  const inner = `${indent}  `;
  const entries = Object.entries(v).map(([k, x]): [string, string] => [hclString(k), value(x, inner)]);
  return entries.length === 0 ? '{}' : `{\n${aligned(entries, inner).join('\n')}\n${indent}}`;
}

/**
 * `key = value` lines aligned as `terraform fmt` aligns them: the `=` of consecutive one-line
 * attributes line up; a multi-line value (an object) stands alone and ends the run.
 */
function aligned(entries: Array<[string, string]>, indent: string): string[] {
  const lines: string[] = [];
  let run: Array<[string, string]> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([k]) => k.length));
    for (const [k, v] of run) lines.push(`${indent}${k.padEnd(width)} = ${v}`);
    run = [];
  };
  for (const [k, v] of entries) {
    if (v.includes('\n')) {
      flush();
      lines.push(`${indent}${k} = ${v}`);
    } else run.push([k, v]);
  }
  flush();
  return lines;
}

export function renderBlock(b: HclBlock, indent = ''): string {
  const head = [b.type, ...b.labels.map(hclString)].join(' ');
  const inner = `${indent}  `;
  const attrs = b.attrs.filter(([, v]) => v !== undefined) as Array<[string, HclValue]>;
  const lines = aligned(
    attrs.map(([k, v]): [string, string] => [k, value(v, inner)]),
    inner,
  );
  for (const sub of b.blocks ?? []) {
    lines.push('');
    lines.push(renderBlock(sub, inner));
  }
  return `${indent}${head} {\n${lines.join('\n')}\n${indent}}`;
}

/** A Terraform resource name: letters, digits, underscores and dashes, not starting with a digit. */
export function resourceName(s: string): string {
  const n = s.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[0-9-]/.test(n) ? `_${n}` : n;
}
