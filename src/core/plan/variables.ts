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
