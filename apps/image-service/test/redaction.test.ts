/**
 * The redaction property through the image service: an upstream error quoting a credential, in
 * every form and context of test/support/secret-embeddings.ts, never reaches the client's answer
 * or the service's log (the failure log once redacted its serialised line, where escapes hid 4
 * of 10 credential forms). Every log line stays valid JSON, even when a private key cut off by
 * truncation is redacted "to the end of the text".
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  check,
  describeLeaks,
  type LeakTally,
  secretEmbeddings,
  tally,
} from '../../../test/support/secret-embeddings.js';
import { SUCCESS_SCENARIO } from './helpers/scenarios.js';
import { getJson, postJson, SEED_BODY, type Stack, startStack, waitFor } from './helpers/stack.js';

const EMBEDDINGS = secretEmbeddings(16);

describe('no secret reaches the image service client or log', () => {
  let stack: Stack;
  const answers: LeakTally = tally();
  const log: LeakTally = tally();
  before(async () => {
    stack = await startStack({
      scenario: SUCCESS_SCENARIO,
      proxy: true,
      config: { requestDeadlineMs: 5000, retryBaseDelayMs: 10 },
    });
    await waitFor(async () => ((await getJson(`${stack.url}/readyz`)).status === 200 ? true : undefined));
  });
  after(async () => {
    await stack.close();
    process.stdout.write(
      `# image service: ${EMBEDDINGS.length} embeddings; answers shown ${answers.shown} leaked ${answers.leaked.length}; ` +
        `log shown ${log.shown} leaked ${log.leaked.length}\n`,
    );
  });

  test('upstream errors quoting credentials in every form and context', async () => {
    const generate = `${stack.url}/api/v1/images/generate`;
    for (const e of EMBEDDINGS) {
      stack.proxy!.set({
        kind: 'status',
        status: 400,
        times: 1,
        body: { error: { code: 400, message: e.evidence, status: 'INVALID_ARGUMENT' } },
      });
      const before = stack.rawLogs.length;
      const res = await postJson(generate, SEED_BODY);
      assert.ok(res.status >= 400, `${e.form} / ${e.context}: ${res.status}`);
      check(answers, e, JSON.stringify(res.body), 'answer');
      check(log, e, stack.rawLogs.slice(before).join('\n'), 'log');
    }
    assert.equal(answers.leaked.length, 0, describeLeaks(answers));
    assert.equal(log.leaked.length, 0, describeLeaks(log));
    assert.ok(log.shown > EMBEDDINGS.length / 2, `the failure log quotes the upstream text (${log.shown})`);
    for (const line of stack.rawLogs) assert.doesNotThrow(() => JSON.parse(line), line.slice(0, 200));
  });

  test('errors and fields given to the logger are redacted before the line is written', () => {
    const before = stack.rawLogs.length;
    for (const e of EMBEDDINGS) {
      const err = new Error(`upstream said: ${e.evidence}`);
      stack.service.app.log.error(
        { err, event: 'redaction.check', detail: { text: e.embedded } },
        e.evidence,
      );
    }
    const lines = stack.rawLogs.slice(before);
    assert.equal(lines.length, EMBEDDINGS.length);
    const logged: LeakTally = tally();
    lines.forEach((line, k) => {
      const parsed = JSON.parse(line) as { err: { message: string; stack: string } };
      assert.ok(parsed.err.message.startsWith('upstream said: '), 'errors keep their message');
      check(logged, EMBEDDINGS[k]!, line, 'logger');
    });
    assert.equal(logged.leaked.length, 0, describeLeaks(logged));
  });
});
