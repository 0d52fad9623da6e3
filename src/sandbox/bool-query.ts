/**
 * The boolean frame both log search stand-ins share (Cloud Logging filters, Datadog log search):
 * OR binds loosest, AND is explicit or implied by juxtaposition, NOT negates, parentheses group,
 * an empty query matches everything. Each syntax supplies only its atoms and how to match one.
 */

export type BoolExpr<A> = A | { op: 'and' | 'or'; items: BoolExpr<A>[] } | { op: 'not'; item: BoolExpr<A> };

/** What an atom parser may do: look at / take the next token, or parse a following unary term. */
export interface TokenReader<A> {
  peek(): string | undefined;
  next(): string | undefined;
  unary(): BoolExpr<A>;
}

/** `atom(tok, reader)` turns the token just read (not NOT / parenthesis) into an expression. */
export function parseBoolean<A>(
  tokens: readonly string[],
  atom: (tok: string, reader: TokenReader<A>) => BoolExpr<A>,
): BoolExpr<A> {
  let i = 0;
  const or = (): BoolExpr<A> => {
    const items = [and()];
    while (tokens[i] === 'OR') {
      i++;
      items.push(and());
    }
    return items.length === 1 ? (items[0] as BoolExpr<A>) : { op: 'or', items };
  };
  const and = (): BoolExpr<A> => {
    const items: BoolExpr<A>[] = [];
    while (i < tokens.length && tokens[i] !== ')' && tokens[i] !== 'OR') {
      if (tokens[i] === 'AND') {
        i++;
        continue;
      }
      items.push(unary());
    }
    return items.length === 1 ? (items[0] as BoolExpr<A>) : { op: 'and', items };
  };
  const reader: TokenReader<A> = {
    peek: () => tokens[i],
    next: () => tokens[i++],
    unary: () => unary(),
  };
  const unary = (): BoolExpr<A> => {
    const tok = tokens[i++] as string;
    if (tok === 'NOT') return { op: 'not', item: unary() };
    if (tok === '(') {
      const inner = or();
      if (tokens[i] === ')') i++;
      return inner;
    }
    return atom(tok, reader);
  };
  return tokens.length === 0 ? { op: 'and', items: [] } : or();
}

/** Evaluates an expression, `atom` deciding each leaf. */
export function matchesBoolean<A extends { op: string }>(
  expr: BoolExpr<A>,
  atom: (leaf: A) => boolean,
): boolean {
  const e = expr as { op: string; items?: BoolExpr<A>[]; item?: BoolExpr<A> };
  if (e.op === 'and') return (e.items ?? []).every((x) => matchesBoolean(x, atom));
  if (e.op === 'or') return (e.items ?? []).some((x) => matchesBoolean(x, atom));
  if (e.op === 'not') return !matchesBoolean(e.item as BoolExpr<A>, atom);
  return atom(expr as A);
}

/** A double-quoted token -> its text (backslash escapes removed); anything else unchanged. */
export function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s;
}
