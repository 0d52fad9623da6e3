/**
 * A forgiving reader for the object literals errors are printed in: JSON, Python dict repr
 * (single quotes, True / False / None), Node's util.inspect (bare keys), Java's pretty JSON
 * (`"code" : 403`), one level of escaping left in place (`{\n  "error": ...}` inside a Python
 * string), and text cut off mid-way (log lines are often truncated).
 *
 * It never throws and never backtracks: it reads forward until it meets something it cannot
 * use and returns what it has so far with the offset where it stopped. Depth is capped so hostile
 * nesting cannot exhaust the stack.
 */

export type Lenient = string | number | boolean | null | Lenient[] | LenientObject;
export interface LenientObject {
  [key: string]: Lenient;
}

export interface LenientResult {
  value: Lenient;
  /** Offset just past the last character used. Always > the start offset. */
  end: number;
  /** True when the value was closed properly (not cut off or abandoned). */
  complete: boolean;
}

const MAX_DEPTH = 48;

export function readLenient(text: string, start: number): LenientResult {
  const reader = new Reader(text, start);
  const value = reader.value(0);
  return { value: value ?? null, end: Math.max(reader.pos, start + 1), complete: reader.complete };
}

class Reader {
  pos: number;
  complete = true;

  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.pos = start;
  }

  /** Skips whitespace, including escaped whitespace (`\n`, `\t`, `\r` written as two characters). */
  private ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        this.pos++;
      } else if (c === 92) {
        const n = s[this.pos + 1];
        if (n === 'n' || n === 't' || n === 'r') this.pos += 2;
        else return;
      } else {
        return;
      }
    }
  }

  value(depth: number): Lenient | undefined {
    this.ws();
    const c = this.s[this.pos];
    if (c === undefined) {
      this.complete = false;
      return undefined;
    }
    if (c === '{') return depth >= MAX_DEPTH ? this.abandon() : this.object(depth + 1);
    if (c === '[') return depth >= MAX_DEPTH ? this.abandon() : this.array(depth + 1);
    if (c === '"' || c === "'") return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    const word = this.word();
    switch (word) {
      case 'true':
      case 'True':
        return true;
      case 'false':
      case 'False':
        return false;
      case 'null':
      case 'None':
      case 'undefined':
        return null;
      default:
        // An unquoted word where a value belongs: not an object literal we can use.
        if (word.length > 0) this.pos -= word.length;
        return this.abandon();
    }
  }

  private abandon(): undefined {
    this.complete = false;
    return undefined;
  }

  private object(depth: number): LenientObject | undefined {
    const out: LenientObject = Object.create(null);
    this.pos++; // {
    for (;;) {
      this.ws();
      const c = this.s[this.pos];
      if (c === '}') {
        this.pos++;
        return out;
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === undefined) {
        this.complete = false;
        return out;
      }
      let key: string;
      if (c === '"' || c === "'") key = this.string();
      else {
        key = this.word();
        if (key.length === 0) {
          this.complete = false;
          return out;
        }
      }
      this.ws();
      if (this.s[this.pos] !== ':') {
        this.complete = false;
        return out;
      }
      this.pos++;
      const v = this.value(depth);
      if (v === undefined) {
        this.complete = false;
        return out;
      }
      out[key] = v;
      if (!this.complete) return out;
    }
  }

  private array(depth: number): Lenient[] | undefined {
    const out: Lenient[] = [];
    this.pos++; // [
    for (;;) {
      this.ws();
      const c = this.s[this.pos];
      if (c === ']') {
        this.pos++;
        return out;
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === undefined) {
        this.complete = false;
        return out;
      }
      const v = this.value(depth);
      if (v === undefined) {
        this.complete = false;
        return out;
      }
      out.push(v);
      if (!this.complete) return out;
    }
  }

  /**
   * A quoted string in either quote style. Escapes follow JSON / Python; an unknown escape
   * keeps the character (`\'` inside a JSON string printed by Python). A string cut off by the
   * end of the text ends there.
   */
  private string(): string {
    const s = this.s;
    const quote = s[this.pos];
    this.pos++;
    let out = '';
    let runStart = this.pos;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) {
        this.complete = false;
        return out + s.slice(runStart, this.pos);
      }
      if (c === quote) {
        out += s.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === '\\') {
        out += s.slice(runStart, this.pos);
        const e = s[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'b':
          case 'f':
            break;
          case 'u': {
            const hex = s.slice(this.pos, this.pos + 4);
            if (/^[0-9a-fA-F]{4}$/.test(hex)) {
              out += String.fromCharCode(Number.parseInt(hex, 16));
              this.pos += 4;
            } else out += 'u';
            break;
          }
          case 'x': {
            const hex = s.slice(this.pos, this.pos + 2);
            if (/^[0-9a-fA-F]{2}$/.test(hex)) {
              out += String.fromCharCode(Number.parseInt(hex, 16));
              this.pos += 2;
            } else out += 'x';
            break;
          }
          case undefined:
            break;
          default:
            out += e;
        }
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private number(): number | undefined {
    const s = this.s;
    const start = this.pos;
    if (s[this.pos] === '-') this.pos++;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      // digits . e E + -
      if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) this.pos++;
      else break;
    }
    const n = Number(s.slice(start, this.pos));
    if (Number.isFinite(n)) return n;
    return this.abandon();
  }

  /** A bare identifier (`error`, `True`, `@type`), at most 100 characters. */
  private word(): string {
    const s = this.s;
    const start = this.pos;
    while (this.pos < s.length && this.pos - start < 100) {
      const c = s.charCodeAt(this.pos);
      const ok =
        (c >= 48 && c <= 57) ||
        (c >= 65 && c <= 90) ||
        (c >= 97 && c <= 122) ||
        c === 95 ||
        c === 36 ||
        c === 64;
      if (!ok) break;
      this.pos++;
    }
    return s.slice(start, this.pos);
  }
}

/** Every object literal in `text`, read left to right; each character is read at most once. */
export function findObjects(text: string, limit = 200): Array<{ start: number; result: LenientResult }> {
  const found: Array<{ start: number; result: LenientResult }> = [];
  let from = 0;
  while (found.length < limit) {
    const at = text.indexOf('{', from);
    if (at < 0) break;
    const result = readLenient(text, at);
    if (result.value !== null && typeof result.value === 'object') found.push({ start: at, result });
    from = result.end;
  }
  return found;
}

export function isObject(v: Lenient | undefined): v is LenientObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: Lenient | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}
