/**
 * "Nothing to diagnose" is only for text with no error in it. Every labelled corpus case carries
 * an error, so neither its whole text nor any of its lines that state the error alone (a line
 * with an HTTP error code, an rpc status, an exception class, an OAuth error code or a denial /
 * not-found / disabled / exceeded statement) may be answered with "no error".
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnose } from '../../src/core/diagnose/index.js';

const CORPUS = new URL('../../../shared/corpus/cases', import.meta.url).pathname;

/** A line that on its face reports an error (the list of what makes text an error). */
const ERROR_LINE =
  /\b[45]\d\d\b[^\n]{0,40}(?:error|denied|forbidden|not found|unauthori[sz]ed|exhausted|[A-Z]{4,}_[A-Z_]{3,})|\b(?:PERMISSION_DENIED|NOT_FOUND|RESOURCE_EXHAUSTED|FAILED_PRECONDITION|UNAUTHENTICATED|INVALID_ARGUMENT)\b|\binvalid_(?:grant|scope|client|request)\b|\b(?:denied|not found|disabled|exceeded|not enabled|has not been used)\b/i;
/** Exception classes are named in CamelCase: matched case-sensitively. */
const EXCEPTION_CLASS = /\b[A-Z][A-Za-z0-9]{1,60}(?:Error|Exception)\b/;

function cases(): Array<{ id: string; text: string }> {
  if (!existsSync(CORPUS)) return [];
  return readdirSync(CORPUS)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const c = JSON.parse(readFileSync(join(CORPUS, n), 'utf8'));
      return { id: c.id as string, text: c.input.text as string };
    });
}

test('no corpus case is called error-free, as a whole or line by line', () => {
  const wrong: string[] = [];
  for (const c of cases()) {
    if (diagnose(c.text).noError) wrong.push(`${c.id}: whole text`);
    for (const line of c.text.split('\n')) {
      const l = line.trim();
      if (l.length < 12 || !(ERROR_LINE.test(l) || EXCEPTION_CLASS.test(l))) continue;
      if (diagnose(l).noError) wrong.push(`${c.id}: ${l.slice(0, 120)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('text with no error is still "nothing to diagnose"', () => {
  for (const text of [
    '{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"finishReason":"STOP"}]}',
    'INFO 2025-06-01T10:00:00Z request served in 120 ms',
    'HTTP/1.1 200 OK',
  ]) {
    assert.ok(diagnose(text).noError, text);
  }
});
