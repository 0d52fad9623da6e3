/**
 * The one HCL writer behind every Terraform file genai-doctor prints (fix plans, monitors):
 * values, blocks, `#` comments, and `key = value` runs aligned exactly as `terraform fmt` aligns
 * them, so what we print is already fmt-clean. Strings are escaped so that no user text can start
 * an interpolation (`${` -> `$${`, `%{` -> `%%{`); a `raw` value is written as is (references,
 * templates a caller has already escaped).
 */

export type HclValue =
  | string
  | number
  | boolean
  | HclValue[]
  | { [key: string]: HclValue }
  | HclRaw
  | HclObject;

export interface HclRaw {
  raw: string;
}

/**
 * An object whose keys are HCL identifiers written bare (`source = ...`), as in
 * `required_providers`. A plain object is a map of user data and its keys are quoted.
 */
export class HclObject {
  constructor(readonly entries: Array<[string, HclValue]>) {}
}

export interface HclBlock {
  type: string;
  labels: string[];
  /** Attributes in order; `undefined` values are left out. */
  attrs: Array<[string, HclValue | undefined]>;
  blocks?: HclBlock[];
  /** Whether a blank line separates each nested block from what precedes it (default true). */
  spaced?: boolean;
}

/** A quoted string's contents, escaped (without the quotes). */
export function hclEscape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
}

export function hclString(s: string): string {
  return `"${hclEscape(s)}"`;
}

/** `# ` comment lines, one per line of text. */
export function hclComment(text: string): string[] {
  return text.split('\n').map((l) => `# ${l}`);
}

function isRaw(v: HclValue): v is HclRaw {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof HclObject) &&
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
  const entries =
    v instanceof HclObject
      ? v.entries.map(([k, x]): [string, string] => [k, value(x, inner)])
      : Object.entries(v).map(([k, x]): [string, string] => [hclString(k), value(x, inner)]);
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
    if (b.spaced !== false) lines.push('');
    lines.push(renderBlock(sub, inner));
  }
  return `${indent}${head} {\n${lines.join('\n')}\n${indent}}`;
}

/** A Terraform resource name: letters, digits, underscores and dashes, not starting with a digit. */
export function resourceName(s: string): string {
  const n = s.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[0-9-]/.test(n) ? `_${n}` : n;
}
