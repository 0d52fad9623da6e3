/**
 * Plain text logs hold multi-line entries: a Python traceback, a Java stack trace with its
 * "Caused by:" chain, a pretty-printed error body. The line that names the cause
 * (`google.api_core.exceptions.PermissionDenied: 403 ...`) is often not the line with the
 * timestamp and the level, so reading line by line would split one failure into an "ERROR" line
 * without details and a detail line without time or trace id.
 * Log shippers join such lines by the rule used here: when a log's first line starts with a
 * timestamp or a level, every line that does not is a continuation of the entry above it. A log
 * whose lines do not start that way is read one line per entry.
 */

/** A timestamp (ISO 8601, with `T` or a space, optional brackets) or glog's `E0102 16:14:47`. */
const TIMESTAMP_START =
  /^\[?(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}|[IWEF]\d{4} \d{2}:\d{2}:\d{2}|\d{2}:\d{2}:\d{2}[.,]\d+\b)/;
/** A level first, as loggers without a timestamp print it (`ERROR:root:...`, `[WARN] ...`). */
const LEVEL_START =
  /^\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|SEVERE|CRITICAL|FATAL|ALERT|EMERGENCY)\b/;

/** Continuation lines kept per entry; the rest are counted as part of it but not kept. */
export const MAX_ENTRY_LINES = 400;
/** Characters kept per entry, so one endless entry cannot grow memory without bound. */
export const MAX_ENTRY_CHARS = 64 * 1024;

export interface TextEntry {
  text: string;
  /** 1-based line number of the entry's first line. */
  line: number;
}

export function startsEntry(line: string): boolean {
  return TIMESTAMP_START.test(line) || LEVEL_START.test(line);
}

/** Joins lines into entries as they stream past: push each line, take what comes out. */
export class TextEntryJoiner {
  private multiLine: boolean | undefined;
  private lines: string[] = [];
  private chars = 0;
  private first = 0;

  /** A line (without its newline); returns the entry it completes, if any. */
  push(text: string, lineNo: number): TextEntry | undefined {
    if (text.trim() === '') return undefined;
    this.multiLine ??= startsEntry(text);
    if (this.lines.length > 0 && this.multiLine && !startsEntry(text)) {
      if (this.lines.length < MAX_ENTRY_LINES && this.chars + text.length < MAX_ENTRY_CHARS) {
        this.lines.push(text);
        this.chars += text.length + 1;
      }
      return undefined;
    }
    const done = this.take();
    // A line of up to the record cap starts an entry; what is diagnosed of it is bounded too.
    const kept = text.length > MAX_ENTRY_CHARS ? text.slice(0, MAX_ENTRY_CHARS) : text;
    this.lines = [kept];
    this.chars = kept.length;
    this.first = lineNo;
    return done;
  }

  /** End of input: the entry still open, if any. */
  end(): TextEntry | undefined {
    const done = this.take();
    this.lines = [];
    return done;
  }

  private take(): TextEntry | undefined {
    if (this.lines.length === 0) return undefined;
    return { text: this.lines.join('\n'), line: this.first };
  }
}
