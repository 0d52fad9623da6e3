import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { HclObject, renderBlock } from '../../src/core/render/hcl.js';

describe('HCL writer (shared by plan and monitors Terraform)', () => {
  test('aligns `=` as terraform fmt does, quotes map keys, leaves identifier keys bare', () => {
    const hcl = renderBlock({
      type: 'resource',
      labels: ['google_monitoring_alert_policy', 'p'],
      attrs: [
        ['display_name', 'x'],
        ['enabled', true],
        ['user_labels', { 'app.kubernetes.io/name': 'svc' }],
        ['skipped', undefined],
        ['provider_like', new HclObject([['source', 'hashicorp/google']])],
      ],
    });
    assert.equal(
      hcl,
      [
        'resource "google_monitoring_alert_policy" "p" {',
        '  display_name = "x"',
        '  enabled      = true',
        '  user_labels = {',
        '    "app.kubernetes.io/name" = "svc"',
        '  }',
        '  provider_like = {',
        '    source = "hashicorp/google"',
        '  }',
        '}',
      ].join('\n'),
    );
  });

  test('user text cannot start an interpolation or break out of the string', async () => {
    // User text that looks like a Terraform reference: it must stay text.
    const text = `a "quote" $${'{'}var.secret} %{ if x } back\\slash\nline\ttab`;
    const hcl = renderBlock({ type: 'variable', labels: ['v'], attrs: [['description', text]] });
    const parsed = (await parseHcl('t.tf', hcl)) as { variable: { v: Array<{ description: string }> } };
    // hcl2json keeps template escapes as written: `$${` is the literal text `${`, never a reference.
    assert.equal(
      parsed.variable.v[0]?.description,
      'a "quote" $${var.secret} %%{ if x } back\\slash\nline\ttab',
    );
  });
});
