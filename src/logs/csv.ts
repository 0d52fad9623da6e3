/**
 * RFC 4180 records from lines: quoted fields may hold commas, "" and newlines. A quote left open
 * at the end of input is reported on the record, never thrown. A record longer than the cap (an
 * unterminated quote near the top of a big file makes the rest of it one record) stops being
 * kept and is reported as oversized once it ends.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  error?: string;
  /** Longer than the cap: its fields were not kept. */
  oversized?: true;
}

export class CsvRecordSplitter {
  private fields: string[] = [];
  private field = '';
  /** Whether the field has begun (kept or not): a quote opens only an empty field. */
  private fieldBegun = false;
  private inQuotes = false;
  private start = 1;
  /** Characters of the record so far; past the cap nothing more is kept. */
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  /** A line (without its newline); returns the record it completes, if any. */
  push(text: string, lineNo: number): CsvRecord | undefined {
    if (!this.inQuotes) {
      if (text.trim() === '') return undefined;
      this.start = lineNo;
    } else if (this.chars <= this.maxChars) this.field += '\n';
    this.chars += text.length + 1;
    const keep = this.chars <= this.maxChars;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            if (keep) this.field += '"';
            i++;
          } else this.inQuotes = false;
        } else if (keep) this.field += c;
      } else if (c === '"' && !this.fieldBegun) {
        this.inQuotes = true;
        this.fieldBegun = true;
      } else if (c === ',') {
        if (keep) this.fields.push(this.field);
        this.field = '';
        this.fieldBegun = false;
      } else {
        if (keep) this.field += c;
        this.fieldBegun = true;
      }
    }
    if (this.inQuotes) return undefined;
    return this.take();
  }

  /** `count` blank lines: part of a quoted field when one is open, else nothing. */
  blankLines(count: number, _lastLineNo: number): void {
    if (!this.inQuotes) return;
    this.chars += count;
    if (this.chars <= this.maxChars) this.field += '\n'.repeat(count);
  }

  /**
   * A line too long to be read: the record it belongs to (the open one, else its own) is
   * oversized, and the next line starts a record (the line is taken to close any open quote).
   */
  skipLine(lineNo: number): CsvRecord {
    const line = this.inQuotes ? this.start : lineNo;
    this.inQuotes = false;
    this.take();
    return { fields: [], line, oversized: true };
  }

  /** End of input: a record whose quote never closed. */
  end(): CsvRecord | undefined {
    if (!this.inQuotes) return undefined;
    this.inQuotes = false;
    return { ...this.take(), error: 'unterminated quoted field' };
  }

  private take(): CsvRecord {
    const record: CsvRecord =
      this.chars > this.maxChars
        ? { fields: [], line: this.start, oversized: true }
        : { fields: [...this.fields, this.field], line: this.start };
    this.fields = [];
    this.field = '';
    this.fieldBegun = false;
    this.chars = 0;
    return record;
  }
}
