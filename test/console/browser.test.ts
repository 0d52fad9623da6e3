/**
 * The console page in a real browser: playwright-core driving Debian's Chromium against a real
 * console on 127.0.0.1 (with the embedded sandbox for the live check). Screenshots of each flow
 * go to test-artifacts/console/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type CauseId, codeOf } from '../../src/core/taxonomy.js';
import { loadScenario } from '../../src/sandbox/index.js';
import type { RunningConsole } from '../../src/server/index.js';
import { chromiumExecutable } from '../support/chromium.js';
import { consoleFor, logExport, SEED_ERROR } from './helpers.js';

const ARTIFACTS = new URL('../../test-artifacts/console/', import.meta.url);
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the tests read off `window`. */
interface Flags {
  /** One entry per probe row, in arrival order: was the verdict already on screen? */
  __probeSeen: Array<{ resultShown: boolean }>;
  __pwned?: unknown;
}

interface Watched {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions, console errors (CSP violations show up here) and dialogs. */
  problems: string[];
  dialogs: string[];
  /** Requests the page made to anywhere but its own origin. */
  foreign: string[];
}

describe('console page in Chromium', () => {
  let browser: Browser;
  let c: RunningConsole;
  const opened: BrowserContext[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    c = await consoleFor({ live: 'sandbox' });
    const { executablePath } = await chromiumExecutable();
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  after(async () => {
    for (const ctx of opened) await ctx.close();
    await browser?.close();
    await c?.close();
  });

  async function open(viewport = { width: 1280, height: 900 }): Promise<Watched> {
    const context = await browser.newContext({ viewport });
    opened.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: c.url });
    const page = await context.newPage();
    const watched: Watched = { page, context, problems: [], dialogs: [], foreign: [] };
    page.on('pageerror', (err) => watched.problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') watched.problems.push(`console: ${msg.text()}`);
    });
    page.on('dialog', async (dialog) => {
      watched.dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    page.on('request', (req) => {
      if (!req.url().startsWith(c.url) && !req.url().startsWith('data:')) watched.foreign.push(req.url());
    });
    await page.goto(c.url);
    await page.waitForSelector('html[data-ready=true]');
    return watched;
  }

  function shot(page: Page, name: string) {
    return page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
  }

  function clean(w: Watched) {
    assert.deepEqual(w.problems, [], 'no script error and no CSP violation');
    assert.deepEqual(w.foreign, [], 'the page talks to its own origin only');
  }

  test('paste the seed error: 1152, the evidence highlighted, roles/aiplatform.user in the plan tabs', async () => {
    const w = await open();
    const { page } = w;
    await page.fill('#error-text', SEED_ERROR);
    await page.selectOption('#ctx-runtime', 'cloud-run');
    await page.click('#diagnose-btn');
    await page.waitForSelector('#results:not([hidden])');
    assert.equal(await page.textContent('#verdict-code'), '1152');
    assert.equal(await page.textContent('#verdict-cause'), 'iam.missing_permission');
    const confidence = await page.textContent('#verdict-confidence');
    assert.match(confidence ?? '', /^\d+ %$/);

    // The evidence is marked inside the pasted text, and the marks read back as the facts.
    const marks = await page.$$eval('#evidence-text mark', (ms) =>
      ms.map((m) => ({ text: m.textContent, facts: m.getAttribute('data-facts') })),
    );
    assert.ok(marks.some((m) => m.text === 'aiplatform.endpoints.predict'));
    assert.ok(marks.some((m) => m.facts?.split(' ').includes('permission')));
    assert.equal(await page.$eval('#evidence-text', (e) => e.textContent), SEED_ERROR);

    // gcloud tab (default) shows the least-privilege role; Terraform too.
    assert.match((await page.textContent('#plan-gcloud')) ?? '', /roles\/aiplatform\.user/);
    await page.click('#tab-terraform');
    assert.equal(await page.isVisible('#panel-terraform'), true);
    assert.equal(await page.isVisible('#panel-gcloud'), false);
    assert.match((await page.textContent('#plan-terraform')) ?? '', /roles\/aiplatform\.user/);
    await page.click('#tab-console');
    assert.ok(((await page.textContent('#plan-console')) ?? '').length > 20);

    // Copy puts exactly the rendered plan on the clipboard.
    await page.click('#panel-console button.copy');
    await page.waitForFunction(() => /Copied/.test(document.getElementById('status')?.textContent ?? ''));
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await page.textContent('#plan-console'));

    await page.click('#tab-gcloud');
    await shot(page, 'paste-seed-error');

    // The catalog page is one click away.
    await page.click('#catalog-btn');
    await page.waitForSelector('#catalog-dialog[open]');
    assert.match((await page.textContent('#catalog-title')) ?? '', /^1152 /);
    assert.ok(((await page.textContent('#catalog-body')) ?? '').length > 200);
    await shot(page, 'catalog-1152');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.getElementById('catalog-dialog') as { open?: boolean }).open);
    clean(w);
  });

  test('drop a log export: incidents table and the failures-per-minute chart', async () => {
    const w = await open();
    const { page } = w;
    const log = logExport({ minutes: 12 });
    const dataTransfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'datadog-export.jsonl', { type: 'application/x-ndjson' }));
      return dt;
    }, log.text);
    await page.dispatchEvent('#drop', 'dragover', { dataTransfer });
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await page.waitForSelector('#logs-results:not([hidden])');

    const rows = await page.$$eval('#incidents tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
    );
    assert.ok(rows.length >= 2, 'two incidents at least (permission denied, throttling)');
    const codes = rows.map((r) => r[0]);
    assert.ok(codes.includes('1152') || codes.includes('1150'), `codes ${codes}`);
    assert.ok(codes.includes('1153'), `codes ${codes}`);
    const counted = rows.reduce((n, r) => n + Number(r[2]), 0);
    assert.equal(counted, log.failures);
    assert.match((await page.textContent('#logs-stats')) ?? '', /1 malformed line/);

    const bars = await page.$$eval('#chart svg rect.bar', (rs) =>
      rs.map((r) => Number(r.getAttribute('data-failures'))),
    );
    assert.equal(bars.length, 12, 'one bar per minute');
    assert.equal(
      bars.reduce((a, b) => a + b, 0),
      log.failures,
    );
    // The first incident's diagnosis and plan are shown below.
    await page.waitForSelector('#results:not([hidden])');
    await shot(page, 'drop-log-incidents');

    // The file chooser path works too (keyboard users never drag).
    await page.setInputFiles('#log-file', {
      name: 'second.jsonl',
      mimeType: 'application/json',
      buffer: Buffer.from(log.text),
    });
    await page.waitForFunction(() =>
      /second\.jsonl/.test(document.getElementById('logs-stats')?.textContent ?? ''),
    );
    clean(w);
  });

  test('live check against the sandbox: probes appear as they finish, then the diagnosis', async () => {
    const w = await open();
    const { page } = w;
    // Record, for each probe row as it appears, whether the final verdict was already shown.
    await page.evaluate(() => {
      const flags = window as unknown as Flags;
      flags.__probeSeen = [];
      new MutationObserver((changes) => {
        for (const ch of changes) {
          for (let i = 0; i < ch.addedNodes.length; i++) {
            flags.__probeSeen.push({ resultShown: !document.getElementById('results')!.hidden });
          }
        }
      }).observe(document.getElementById('probes')!, { childList: true });
    });
    await page.click('#check-btn');
    await page.waitForSelector('#check-results:not([hidden])');
    await page.waitForFunction(
      () => /Live check (done|failed)/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      {
        timeout: 60_000,
      },
    );
    assert.match((await page.textContent('#status')) ?? '', /Live check done/);
    const probes = await page.$$eval('#probes li', (lis) =>
      lis.map((li) => ({
        id: li.getAttribute('data-probe'),
        outcome: li.querySelector('.badge')?.textContent,
      })),
    );
    assert.ok(probes.length >= 5, `several probes shown (got ${probes.length})`);
    assert.ok(
      probes.some((p) => p.outcome === 'fail'),
      'the seed incident makes a probe fail',
    );
    const seen = await page.evaluate(() => (window as unknown as Flags).__probeSeen);
    assert.equal(seen.length, probes.length, 'each probe row was added on its own');
    assert.ok(
      seen.every((x) => !x.resultShown),
      'every probe was on screen before the verdict arrived',
    );
    // The verdict is the cause the sandbox scenario is built to produce (the seed: a project mismatch).
    const seed = loadScenario('seed-incident').expect;
    const cause = (await page.textContent('#verdict-cause')) ?? '';
    assert.ok(
      [seed.cause, ...(seed.accept ?? [])].includes(cause as CauseId),
      `${cause} is what the scenario expects`,
    );
    assert.equal(await page.textContent('#verdict-code'), String(codeOf(cause as CauseId)));
    assert.match((await page.textContent('#plan-gcloud')) ?? '', /roles\/aiplatform\.user/);
    assert.match((await page.textContent('#check-target')) ?? '', /genai-adk-python/);
    await shot(page, 'live-check-sandbox');
    clean(w);
  });

  test('hostile payloads are shown as text and never run', async () => {
    const w = await open();
    const { page } = w;
    const payloads = [
      '<img src=x onerror="window.__pwned=1;alert(1)">',
      '</textarea><script>window.__pwned=2;alert(2)</script>',
      '<svg onload="window.__pwned=3"><script>window.__pwned=4</script></svg>',
      '[click me](javascript:window.__pwned=5)',
      '<a href="javascript:window.__pwned=6">x</a>',
      '"><iframe srcdoc="<script>parent.__pwned=7</script>">',
    ];
    const text = `${payloads.join('\n')}\n${SEED_ERROR}`;
    await page.fill('#error-text', text);
    await page.fill('#ctx-project', '<img src=y onerror="window.__pwned=8">');
    await page.fill('#ctx-principal', '[x](javascript:window.__pwned=12) [y](https://attacker.example/)');
    await page.click('#diagnose-btn');
    await page.waitForSelector('#results:not([hidden])');
    assert.equal(await page.$eval('#evidence-text', (e) => e.textContent), text);
    // Every tab's text, the catalog and the log table are built from text nodes as well.
    const log = logExport({
      minutes: 3,
      service: '<svg/onload=window.__pwned=9><img src=z onerror=alert(9)>',
    });
    await page.setInputFiles('#log-file', {
      name: '<img src=q onerror=alert(10)>.jsonl',
      mimeType: 'text/plain',
      buffer: Buffer.from(log.text),
    });
    await page.waitForSelector('#logs-results:not([hidden])');
    assert.ok(((await page.textContent('#incidents')) ?? '').includes('<svg/onload=window.__pwned=9>'));
    await page.click('#catalog-btn');
    await page.waitForSelector('#catalog-dialog[open]');
    await page.keyboard.press('Escape');

    // The same payloads pushed straight into the DOM's HTML sinks are stopped by Trusted Types.
    const sinkBlocked = await page.evaluate(() => {
      try {
        document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.__pwned=11">');
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(sinkBlocked, true, 'HTML sinks throw under require-trusted-types-for');

    await page.waitForTimeout(300); // let any injected handler fire before looking
    assert.equal(await page.evaluate(() => (window as unknown as Flags).__pwned), undefined);
    assert.deepEqual(w.dialogs, []);
    const injected = await page.$$eval(
      'main img, main script, main iframe, main a[href^="javascript:"], main svg [onload], #evidence-text *:not(mark)',
      (n) => n.length,
    );
    assert.equal(injected, 0, 'no injected element exists');
    assert.equal(
      await page.$$eval('#results a, #logs-results a, #check-results a', (n) => n.length),
      0,
      'no link from user data',
    );
    await shot(page, 'hostile-payloads');
    assert.deepEqual(w.foreign, []);
    assert.deepEqual(
      w.problems.filter((p) => !/TrustedHTML|Trusted Type/i.test(p)),
      [],
    );
  });

  test('keyboard only: Tab to the text, Ctrl+Enter, arrow keys across the plan tabs, the catalog and back', async () => {
    const w = await open();
    const { page } = w;
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'error-text');
    await page.keyboard.insertText(SEED_ERROR);
    // Tab through the file input and into the context fields.
    for (let i = 0; i < 6 && (await focused()) !== 'ctx-project'; i++) await page.keyboard.press('Tab');
    assert.equal(await focused(), 'ctx-project');
    await page.keyboard.type('datadog-sandbox');
    await page.keyboard.press('Enter'); // Enter in a context field diagnoses
    await page.waitForSelector('#results:not([hidden])');
    assert.equal(await focused(), 'results', 'focus moves to the result');
    assert.equal(await page.textContent('#verdict-code'), '1152');

    // Ctrl+Enter in the text area diagnoses again.
    await page.focus('#error-text');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => /Diagnosed/.test(document.getElementById('status')?.textContent ?? ''));

    for (let i = 0; i < 12 && (await focused()) !== 'tab-gcloud'; i++) await page.keyboard.press('Tab');
    assert.equal(await focused(), 'tab-gcloud');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(), 'tab-terraform');
    assert.equal(await page.getAttribute('#tab-terraform', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#panel-terraform'), true);
    await page.keyboard.press('End');
    assert.equal(await focused(), 'tab-console');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(), 'tab-gcloud', 'arrows wrap around');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focused(), 'tab-console');
    await page.keyboard.press('Home');
    assert.equal(await focused(), 'tab-gcloud');
    // Only the selected tab is in the tab order; Tab goes to its panel.
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'panel-gcloud');

    // The catalog button, by keyboard, and Escape returns focus to it.
    await page.focus('#catalog-btn');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#catalog-dialog[open]');
    assert.equal(await focused(), 'catalog-close');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.getElementById('catalog-dialog') as { open?: boolean }).open);
    assert.equal(await focused(), 'catalog-btn');

    // Focus is visible: the focused control draws an outline.
    const outline = await page.$eval('#catalog-btn', (e) => getComputedStyle(e).outlineStyle);
    assert.equal(outline, 'solid');
    await shot(page, 'keyboard-flow');
    // Every form control has a label.
    const unlabelled = await page.$$eval('input, textarea, select', (els) =>
      els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id),
    );
    assert.deepEqual(unlabelled, []);
    clean(w);
  });

  test('narrow window (360x740): no horizontal scroll with results, plan and incidents shown', async () => {
    const w = await open({ width: 360, height: 740 });
    const { page } = w;
    await page.fill('#error-text', SEED_ERROR);
    await page.click('#diagnose-btn');
    await page.waitForSelector('#results:not([hidden])');
    await page.setInputFiles('#log-file', {
      name: 'export.jsonl',
      mimeType: 'application/json',
      buffer: Buffer.from(logExport().text),
    });
    await page.waitForSelector('#logs-results:not([hidden])');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    await shot(page, 'narrow-360');
    clean(w);
  });

  test('dark mode follows prefers-color-scheme', async () => {
    const w = await open();
    const { page } = w;
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(dark, light);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.fill('#error-text', SEED_ERROR);
    await page.click('#diagnose-btn');
    await page.waitForSelector('#results:not([hidden])');
    await shot(page, 'dark-mode');
    clean(w);
  });
});
