/**
 * The message catalog: one table of phrase -> signal with a provenance per row. Each row must
 * say where its wording comes from, and each phrase, met in an error text, must raise its signal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFacts } from '../../src/core/parse/index.js';
import { catalogSources, MESSAGES } from '../../src/core/parse/messages.js';

test('every catalog row names its source: a repository path or a Google page', () => {
  for (const row of MESSAGES) {
    assert.match(
      row.source,
      /^[\w.-]+\/[\w.-]+: \S+$|^https:\/\/(cloud\.google\.com|ai\.google\.dev)\//,
      `${row.signal} "${row.phrase}": ${row.source}`,
    );
    assert.equal(row.phrase, row.phrase.toLowerCase(), 'phrases are matched lower-cased');
  }
  assert.ok(MESSAGES.length >= 150, `${MESSAGES.length} rows`);
  assert.ok(catalogSources().length >= 25, `${catalogSources().length} sources`);
});

test('each phrase, inside an error text, raises its signal', () => {
  const missed: string[] = [];
  for (const row of MESSAGES) {
    // A guarded row needs its context: give it the words its guard looks for.
    const context = row.near ? ' insufficient scope publisher model api ' : '';
    const text = `Error 403: something went wrong:${context} ${row.phrase.trim()} (see the logs)`;
    const f = parseFacts(text);
    if (!f.signals?.some((s) => s.id === row.signal)) missed.push(`${row.signal}: ${row.phrase}`);
  }
  assert.deepEqual(missed, []);
});

test('a phrase broken across lines by a terminal still counts', () => {
  const f = parseFacts(
    'Error: Vertex AI API has not been used in\n   project 123456 before or it is disabled.',
  );
  assert.ok(f.signals?.some((s) => s.id === 'service_not_used'));
});
