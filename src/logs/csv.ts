/**
 * RFC 4180 records from a stream of lines: quoted fields may hold commas, "" and newlines.
 * A quote left open at the end of input is reported on the record, never thrown.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
  error?: string;
}

export async function* splitCsvRecords(lines: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let lineNo = 0;
  let start = 1;
  for await (const text of lines) {
    lineNo++;
    if (!inQuotes) {
      if (text.trim() === '') continue;
      start = lineNo;
    } else {
      field += '\n';
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else inQuotes = false;
        } else field += c;
      } else if (c === '"' && field === '') inQuotes = true;
      else if (c === ',') {
        fields.push(field);
        field = '';
      } else field += c;
    }
    if (!inQuotes) {
      fields.push(field);
      yield { fields, line: start };
      fields = [];
      field = '';
    }
  }
  if (inQuotes) yield { fields: [...fields, field], line: start, error: 'unterminated quoted field' };
}
