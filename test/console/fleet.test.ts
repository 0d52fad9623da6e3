/**
 * The console's fleet view in headless Chromium (playwright-core, Debian's Chromium): scan the
 * org-fleet sandbox, see the ranked table, filter it by cause and by project owner. No CSP or
 * script error on the way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { FLEET_ORG } from '../../src/sandbox/scenarios/fleet.js';
import type { RunningConsole } from '../../src/server/index.js';
import { consoleFor, postJson } from './helpers.js';

describe('fleet view', () => {
  let c: RunningConsole;
  let browser: Browser;
  before(async () => {
    c = await consoleFor({ live: 'sandbox', scenario: 'org-fleet:40' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
  });
  after(async () => {
    await browser?.close();
    await c?.close();
  });

  test('scan, then filter the table by cause and by project owner', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${c.url}/fleet`);
    await page.waitForSelector('html[data-ready=true]');
    await page.fill('#org', FLEET_ORG);
    await page.click('#scan-btn');
    await page.waitForSelector('html[data-scanned=true]', { timeout: 60_000 });
    const rows = page.locator('#fleet tbody tr');
    assert.equal(await rows.count(), 9);
    assert.match((await rows.first().locator('td').nth(1).textContent()) ?? '', /will fail/);
    assert.match((await page.textContent('#status')) ?? '', /42 projects, \d+ workloads \(41 call Gemini\)/);

    await page.selectOption('#filter-cause', 'project.mismatch');
    assert.equal(await rows.count(), 2);
    await page.selectOption('#filter-owner', 'ese-lead@example.com');
    assert.equal(await rows.count(), 1);
    const seed = (await rows.first().textContent()) ?? '';
    assert.match(seed, /1150 project\.mismatch/);
    assert.match(seed, /genai-adk-python/);
    assert.match(seed, /GOOGLE_CLOUD_PROJECT=datadog-sandbox/);
    await page.selectOption('#filter-cause', '');
    assert.equal(await rows.count(), 1, 'the owner filter alone still applies');
    assert.deepEqual(problems, []);
  });

  test('POST /api/scan refuses a bad scope with 400', async () => {
    const r = await postJson(`${c.url}/api/scan`, { organization: 'acme' });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /numeric organization id/);
  });
});
