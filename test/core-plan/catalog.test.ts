import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogPages, explainCode, PAGE_SECTIONS, renderCatalogPage } from '../../src/core/catalog/index.js';
import { CAUSE_IDS, CAUSES, ERROR_CODES } from '../../src/core/taxonomy.js';
import { runCliSync } from '../support/cli.js';

const CODES = [
  1100, 1101, 1102, 1103, 1104, 1110, 1111, 1112, 1120, 1121, 1122, 1123, 1150, 1152, 1153, 1160, 1199,
];

describe('catalog pages', () => {
  test('one page per code, every section filled', () => {
    const pages = catalogPages();
    assert.deepEqual(
      pages.map((p) => p.code),
      CODES,
    );
    assert.deepEqual([...ERROR_CODES], CODES);
    for (const p of pages) {
      assert.ok(
        p.title && p.quickAnswer.length > 40 && p.mechanics.length > 40 && p.tldr.length > 10,
        `${p.code}`,
      );
      assert.ok(p.causes.length >= 1, `${p.code} causes`);
      for (const c of p.causes) assert.equal(CAUSES[c.cause], p.code);
      assert.deepEqual(
        p.remediation.map((r) => r.environment),
        ['Console', 'gcloud', 'Terraform'],
        `${p.code} remediation`,
      );
      assert.ok(p.bestPractices.length >= 1 && p.related.length >= 1, `${p.code}`);
      for (const r of p.related)
        assert.ok(CODES.includes(r.code) && r.code !== p.code, `${p.code} -> ${r.code}`);
      const md = renderCatalogPage(p, 'md');
      for (const s of PAGE_SECTIONS)
        assert.match(
          md,
          new RegExp(`^## ${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
          `${p.code} ${s}`,
        );
      const text = renderCatalogPage(p, 'text', { color: false });
      for (const s of PAGE_SECTIONS) assert.ok(text.includes(s), `${p.code} text ${s}`);
      assert.deepEqual(JSON.parse(renderCatalogPage(p, 'json')), p);
    }
    // Every cause is on exactly one page.
    assert.deepEqual(pages.flatMap((p) => p.causes.map((c) => c.cause)).sort(), [...CAUSE_IDS].sort());
  });

  test('1100, 1152 and 1153 keep the seed page meanings', () => {
    assert.match(explainCode('1100')!.quickAnswer, /quota/i);
    assert.match(explainCode('1100')!.quickAnswer, /API key/);
    assert.match(explainCode('1152')!.quickAnswer, /Identity and Access Management/);
    assert.match(explainCode('1152')!.quickAnswer, /roles\/aiplatform\.user/);
    assert.match(explainCode('1153')!.quickAnswer, /throttling/i);
    assert.match(explainCode('1153')!.mechanics, /payload/i);
    assert.match(explainCode('1152')!.bestPractices.join(' '), /Owner or Editor/);
  });

  test('lookup by code, prefixed code or cause id; unknown -> undefined', () => {
    assert.equal(explainCode('E1152')?.code, 1152);
    const byCause = explainCode('iam.act_as');
    assert.equal(byCause?.code, 1152);
    assert.equal(byCause?.focus, 'iam.act_as');
    assert.equal(explainCode('9999'), undefined);
    assert.equal(explainCode('iam.nope'), undefined);
    assert.equal(explainCode(''), undefined);
  });
});

describe('genai-doctor explain (child process)', () => {
  const cli = (...args: string[]) => {
    const r = runCliSync(['explain', ...args]);
    return { ...r, status: r.code };
  };

  test('prints a page (text, md, json) with exit 0', () => {
    const text = cli('1152');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^Error 1152: IAM permission denied/);
    assert.doesNotMatch(text.stdout, /\x1b\[/, 'no colour when not a TTY');
    const md = cli('iam.missing_permission', '--format', 'md');
    assert.equal(md.status, 0);
    assert.match(md.stdout, /^# Error 1152/);
    const json = cli('1153', '-f', 'json');
    assert.equal(JSON.parse(json.stdout).code, 1153);
  });

  test('unknown code or format: one clear line, exit 2', () => {
    const bad = cli('9999');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^genai-doctor: unknown code or cause '9999'/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const fmt = cli('1152', '--format', 'xml');
    assert.equal(fmt.status, 2);
    assert.match(fmt.stderr, /unknown --format 'xml'/);
  });
});
