import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CAUSE_IDS, CAUSES } from '../src/core/taxonomy.js';

const taxonomyPath = new URL('../../shared/corpus/TAXONOMY.md', import.meta.url);

test('cause ids and codes match the shared taxonomy table', () => {
  let text: string;
  try {
    text = readFileSync(taxonomyPath, 'utf8');
  } catch {
    // shared/ sits beside every clone in CI; outside it there is nothing to compare against.
    return;
  }
  const rows = [...text.matchAll(/^\| `([a-z_.]+)` \| (\d{4}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  assert.equal(rows.length, 25);
  assert.deepEqual(Object.fromEntries(rows), CAUSES);
  assert.equal(CAUSE_IDS.length, 25);
});
