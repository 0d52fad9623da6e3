/** Shell quoting for generated bash: one place, so no renderer invents its own escaping. */
import type { Value } from '../model.js';

/** Single-quoted: nothing inside expands. */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Double-quoted with `${NAME}` plan-variable references left live: escapes `"`, `\` and
 * backticks, and any `$` that does not start a `${NAME}` reference.
 */
export function dq(s: string): string {
  return `"${s.replace(/[\\"`]/g, '\\$&').replace(/\$(?!\{[A-Za-z_][A-Za-z0-9_]*(?:#[^}]*)?\})/g, '\\$')}"`;
}

/** A plan value as a double-quoted shell word. */
export function word(v: Value): string {
  return typeof v === 'string' ? dq(v) : `"\${${v.var}}"`;
}

/** Plan variables a piece of shell text refers to (`${NAME}` or `$NAME`), in order of appearance. */
export function varRefs(text: string, known: readonly string[]): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1]!;
    if (known.includes(name) && !found.includes(name)) found.push(name);
  }
  return found;
}
