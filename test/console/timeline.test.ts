import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failuresPerMinute } from '../../src/server/timeline.js';

test('failures per minute sums incidents and fills quiet minutes with zeros', () => {
  const timeline = failuresPerMinute([
    {
      perMinute: [
        { minute: '2026-01-02T16:00:00.000Z', count: 2 },
        { minute: '2026-01-02T16:03:00.000Z', count: 1 },
      ],
    },
    { perMinute: [{ minute: '2026-01-02T16:00:00.000Z', count: 5 }] },
  ]);
  assert.deepEqual(timeline, [
    { minute: '2026-01-02T16:00:00.000Z', failures: 7 },
    { minute: '2026-01-02T16:01:00.000Z', failures: 0 },
    { minute: '2026-01-02T16:02:00.000Z', failures: 0 },
    { minute: '2026-01-02T16:03:00.000Z', failures: 1 },
  ]);
});

test('a timeline longer than a day keeps only the minutes with failures', () => {
  const timeline = failuresPerMinute([
    {
      perMinute: [
        { minute: '2026-01-01T00:00:00.000Z', count: 1 },
        { minute: '2026-01-03T00:00:00.000Z', count: 1 },
      ],
    },
  ]);
  assert.equal(timeline.length, 2);
  assert.deepEqual(failuresPerMinute([]), []);
});
