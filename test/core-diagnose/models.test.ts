import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODELS, modelInfo, normalizeModelId, servedAt } from '../../src/core/data/models.js';

test('Gemini 3 and image preview models are served at global only', () => {
  for (const id of [
    'gemini-3-pro-preview',
    'gemini-3-flash-preview',
    'gemini-3-pro-image-preview',
    'gemini-2.5-flash-image-preview',
  ]) {
    assert.equal(servedAt(id, 'global').verdict, 'served', id);
    const regional = servedAt(id, 'us-central1');
    assert.equal(regional.verdict, 'not_served_here', id);
    assert.deepEqual(regional.servedAt, ['global']);
  }
});

test('retired models say so, with a replacement', () => {
  for (const id of [
    'gemini-1.0-pro',
    'gemini-pro',
    'gemini-1.5-pro-001',
    'gemini-1.5-flash',
    'text-bison@001',
    'chat-bison',
    'textembedding-gecko@003',
  ]) {
    const s = servedAt(id, 'us-central1');
    assert.equal(s.verdict, 'retired', id);
    assert.ok(s.model?.replacement, id);
  }
});

test('GA models are served at global and in regions; embeddings regionally', () => {
  for (const id of [
    'gemini-2.5-pro',
    'gemini-2.5-flash',
    'gemini-2.5-flash-lite',
    'gemini-2.0-flash-001',
    'gemini-2.5-flash-image',
  ]) {
    assert.equal(servedAt(id, 'global').verdict, 'served', id);
    assert.equal(servedAt(id, 'us-central1').verdict, 'served', id);
  }
  assert.equal(servedAt('text-embedding-005', 'us-central1').verdict, 'served');
  assert.equal(servedAt('text-embedding-005', 'global').verdict, 'not_served_here');
  assert.equal(servedAt('gemini-embedding-001', 'global').verdict, 'served');
});

test('Gemini API availability and unknown models', () => {
  assert.equal(servedAt('gemini-2.5-flash', 'gemini-api').verdict, 'served');
  assert.equal(servedAt('text-embedding-005', 'gemini-api').verdict, 'not_served_here');
  assert.equal(servedAt('gemini-9-ultra', 'global').verdict, 'unknown_model');
});

test('ids are normalised from the forms users write', () => {
  assert.equal(normalizeModelId('models/gemini-2.5-pro'), 'gemini-2.5-pro');
  assert.equal(
    normalizeModelId(
      'projects/p/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent',
    ),
    'gemini-3-pro-preview',
  );
  assert.equal(normalizeModelId('3-flash-preview'), 'gemini-3-flash-preview');
  assert.equal(modelInfo('gemini-2.0-flash-001')?.id, 'gemini-2.0-flash');
  assert.equal(modelInfo('gemini-2.5-flash-image')?.imageOutput, true);
});

test('every id and alias is unique across the table', () => {
  const names = MODELS.flatMap((m) => [m.id, ...m.aliases]);
  assert.equal(new Set(names).size, names.length);
});
