/**
 * Named unknowns of a plan. A value the evidence does not give (service account email, Cloud
 * Run service name, billing account...) becomes a variable with a description and, where one
 * exists, a command that prints exactly that value. Renderers turn them into shell variables at
 * the top of a script, Terraform variables, or "find X with ..." lines: never a silent guess.
 */
import type { Unknown, Value } from '../model.js';

export class Variables {
  private readonly list: Unknown[] = [];

  /** Registers `name` once (first description wins) and returns a reference to it. */
  use(name: string, description: string, discover?: string): Value {
    if (!this.list.some((v) => v.name === name)) {
      this.list.push(discover ? { name, description, discover } : { name, description });
    }
    return { var: name };
  }

  all(): Unknown[] {
    return [...this.list];
  }

  /**
   * The variables `body` (the plan's steps and checks, as JSON) refers to, plus those their
   * discover commands need, in registration order. Targets are resolved before the cause is
   * known, so some registered variables end up unused; a plan lists only what it asks for.
   */
  usedBy(body: string): Unknown[] {
    const refersTo = (text: string, name: string) =>
      text.includes(`"var":"${name}"`) || new RegExp(`\\$\\{?${name}\\b`).test(text);
    const keep = new Set(this.list.filter((v) => refersTo(body, v.name)).map((v) => v.name));
    for (let grew = true; grew; ) {
      grew = false;
      for (const v of this.list) {
        if (keep.has(v.name)) continue;
        if (this.list.some((k) => keep.has(k.name) && k.discover && refersTo(k.discover, v.name))) {
          keep.add(v.name);
          grew = true;
        }
      }
    }
    return this.list.filter((v) => keep.has(v.name));
  }
}

/** `$NAME` for a variable, the literal otherwise: for shell text inside commands and checks. */
export function shellRef(value: Value): string {
  return typeof value === 'string' ? value : `\${${value.var}}`;
}

/** Human text: the literal, or `<NAME>` for a variable. */
export function display(value: Value): string {
  return typeof value === 'string' ? value : `<${value.var}>`;
}

export function isVar(value: Value): value is { var: string } {
  return typeof value !== 'string';
}
