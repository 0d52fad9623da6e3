/**
 * The chunked JSON reader the long-running Policy Analyzer's answer goes through: whatever the
 * chunk boundaries (inside strings, escapes, numbers, nested arrays), it hands on exactly the
 * elements of the named array and the scalars around it, and a truncated document is an error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JsonArrayStream } from '../../src/gcp/json-stream.js';

const doc = {
  mainAnalysis: {
    analysisQuery: { scope: 'organizations/1', accessSelector: { permissions: ['a.b.c'] }, odd: [1, [2]] },
    analysisResults: [
      {
        attachedResourceFullName: '//x/projects/1',
        identityList: { identities: [{ name: 'user:é@x.com' }] },
      },
      { tricky: '[",]}{\\"', nested: [[], [{}], { a: [-1.5e3, true, null] }] },
      {},
    ],
    fullyExplored: true,
  },
  fullyExplored: false,
};

function read(text: string, size: number) {
  const elements: unknown[] = [];
  const scalars: Array<[string, unknown]> = [];
  const s = new JsonArrayStream(['mainAnalysis', 'analysisResults'], {
    onElement: (v) => elements.push(v),
    onScalar: (p, v) => scalars.push([p.join('.'), v]),
  });
  for (let i = 0; i < text.length; i += size) s.write(text.slice(i, i + size));
  s.end();
  return { elements, scalars };
}

describe('JsonArrayStream', () => {
  for (const indent of [0, 2]) {
    test(`elements and scalars, at every chunk size (indent ${indent})`, () => {
      const text = JSON.stringify(doc, null, indent);
      const whole = read(text, text.length);
      assert.deepEqual(whole.elements, doc.mainAnalysis.analysisResults);
      assert.deepEqual(whole.scalars, [
        ['mainAnalysis.analysisQuery.scope', 'organizations/1'],
        ['mainAnalysis.analysisQuery.accessSelector.permissions', 'a.b.c'],
        ['mainAnalysis.analysisQuery.odd', 1],
        ['mainAnalysis.analysisQuery.odd', 2],
        ['mainAnalysis.fullyExplored', true],
        ['fullyExplored', false],
      ]);
      for (const size of [1, 2, 3, 5, 7, 64]) assert.deepEqual(read(text, size), whole, `chunks of ${size}`);
    });
  }

  test('an empty array, and a document cut short', () => {
    assert.deepEqual(read('{"mainAnalysis":{"analysisResults":[]}}', 4).elements, []);
    const text = JSON.stringify(doc);
    assert.throws(() => read(text.slice(0, text.length - 30), 10), /ended before it was complete/);
  });
});
