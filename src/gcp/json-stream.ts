/**
 * A JSON document read chunk by chunk, handing on the elements of one array (named by its path
 * of object keys) one at a time, and the scalars met on the way: so a large answer (a Policy
 * Analyzer result read back from Cloud Storage) is held one element at a time, never whole.
 * Pure: no I/O. Strings, escapes and nesting are tracked character by character; each element is
 * parsed with JSON.parse once its closing bracket arrives, and its text is then dropped.
 */

type Frame = { kind: 'object'; key: string | undefined; expectKey: boolean } | { kind: 'array' };

export interface JsonStreamHandlers {
  /** Each element of the array at `arrayPath`. */
  onElement: (value: unknown) => void;
  /** Scalars (strings, numbers, booleans, null) outside that array, with their key path. */
  onScalar?: (path: string[], value: unknown) => void;
}

export class JsonArrayStream {
  private readonly stack: Frame[] = [];
  /** Unconsumed text: from the start of the element (or scalar) being read. */
  private buf = '';
  private pos = 0;
  private inString = false;
  private escaped = false;
  /** Where in `buf` the element being collected starts (-1: not collecting). */
  private elementStart = -1;
  /** Stack depth of the wanted array while inside it (-1: not inside). */
  private arrayDepth = -1;
  /** A string or bare scalar being read outside the wanted array. */
  private tokenStart = -1;
  private lastString: string | undefined;

  constructor(
    private readonly arrayPath: string[],
    private readonly handlers: JsonStreamHandlers,
  ) {}

  private path(): string[] {
    return this.stack.flatMap((f) => (f.kind === 'object' && f.key !== undefined ? [f.key] : []));
  }

  private isWantedArray(): boolean {
    const p = this.path();
    return p.length === this.arrayPath.length && p.every((k, i) => k === this.arrayPath[i]);
  }

  /** Feeds the next chunk of text. */
  write(chunk: string): void {
    this.buf += chunk;
    const buf = this.buf;
    for (; this.pos < buf.length; this.pos++) {
      const c = buf[this.pos] as string;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') {
          this.inString = false;
          if (this.elementStart < 0 && this.tokenStart >= 0) {
            this.lastString = JSON.parse(buf.slice(this.tokenStart, this.pos + 1)) as string;
            this.tokenStart = -1;
            this.afterString();
          }
        }
        continue;
      }
      if (this.elementStart >= 0) {
        this.collect(c);
        continue;
      }
      if (this.tokenStart >= 0 && !/[\w.+-]/.test(c)) this.endBareScalar();
      this.structural(c);
    }
    this.compact();
  }

  /** Ends the document: a truncated one is an error. */
  end(): void {
    const cut = () => new Error('the JSON document ended before it was complete');
    if (this.inString || this.elementStart >= 0) throw cut();
    if (this.tokenStart >= 0) this.endBareScalar();
    if (this.stack.length) throw cut();
  }

  /** Inside the wanted array: track nesting; a comma or the closing bracket at its level ends an element. */
  private collect(c: string): void {
    if (c === '"') this.inString = true;
    else if (c === '{' || c === '[') this.stack.push({ kind: 'array' });
    else if (c === '}' || c === ']') {
      if (this.stack.length === this.arrayDepth) {
        this.emitElement();
        this.elementStart = -1;
        this.arrayDepth = -1;
      }
      this.stack.pop();
    } else if (c === ',' && this.stack.length === this.arrayDepth) {
      this.emitElement();
      this.elementStart = this.pos + 1;
    }
  }

  private emitElement(): void {
    const text = this.buf.slice(this.elementStart, this.pos).trim();
    if (text) this.handlers.onElement(JSON.parse(text));
  }

  private structural(c: string): void {
    const top = this.stack[this.stack.length - 1];
    switch (c) {
      case '{':
        this.stack.push({ kind: 'object', key: undefined, expectKey: true });
        return;
      case '[': {
        const wanted = this.isWantedArray();
        this.stack.push({ kind: 'array' });
        if (wanted) {
          this.arrayDepth = this.stack.length;
          this.elementStart = this.pos + 1;
        }
        return;
      }
      case '}':
      case ']':
        this.stack.pop();
        return;
      case '"':
        this.inString = true;
        this.tokenStart = this.pos;
        return;
      case ':':
        if (top?.kind === 'object') top.expectKey = false;
        return;
      case ',':
        if (top?.kind === 'object') {
          top.expectKey = true;
          top.key = undefined;
        }
        return;
      default:
        if (/[\w.+-]/.test(c) && this.tokenStart < 0) this.tokenStart = this.pos;
    }
  }

  private afterString(): void {
    const top = this.stack[this.stack.length - 1];
    if (top?.kind === 'object' && top.expectKey) top.key = this.lastString;
    else this.handlers.onScalar?.(this.path(), this.lastString);
  }

  private endBareScalar(): void {
    const text = this.buf.slice(this.tokenStart, this.pos);
    this.tokenStart = -1;
    this.handlers.onScalar?.(this.path(), JSON.parse(text));
  }

  /** Drops the text already consumed, keeping what an open element or token still needs. */
  private compact(): void {
    const keepFrom = Math.min(...[this.elementStart, this.tokenStart, this.pos].filter((n) => n >= 0));
    if (keepFrom <= 0) return;
    this.buf = this.buf.slice(keepFrom);
    this.pos -= keepFrom;
    if (this.elementStart >= 0) this.elementStart -= keepFrom;
    if (this.tokenStart >= 0) this.tokenStart -= keepFrom;
  }
}
