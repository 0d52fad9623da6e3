import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { diagnose } from '../../src/core/diagnose/index.js';
import type { Diagnosis } from '../../src/core/model.js';
import { parseFacts } from '../../src/core/parse/index.js';
import { redactSecrets } from '../../src/core/redact.js';
import * as F from './fixtures.js';

const SHAPES = [
  F.REST_QUOTA,
  F.REST_SERVICE_DISABLED,
  F.REST_VPC_SC,
  F.PY_GENAI_DICT,
  F.NODE_GOT_STATUS,
  F.PY_GRPC,
  F.PY_TEXTPROTO_QUOTA,
  F.PY_TEXTPROTO_SERVICE_DISABLED,
  F.JAVA_GAX,
  F.JAVA_JSON_RESPONSE,
  F.DOTNET_RPC,
  F.GO_GOOGLEAPI,
  F.GCLOUD_YAML,
  F.PY_REFRESH_INVALID_GRANT,
  F.vertex403('acme', 'global', 'gemini-3-pro-image-preview'),
];

function valid(d: Diagnosis): void {
  assert.ok(d.findings.length > 0);
  for (const f of d.findings) assert.ok(f.confidence >= 0 && f.confidence <= 1);
}

/** A real shape cut, spliced, duplicated or sprinkled with structural characters. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SHAPES),
    fc.array(
      fc.record({
        at: fc.nat(),
        cut: fc.nat({ max: 40 }),
        insert: fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom(
            '{',
            '}',
            '[',
            ']',
            '"',
            "'",
            '\\',
            '\\"',
            '\n',
            ':',
            ',',
            'projects/',
            '@',
            '`',
            'reason: "',
            "- '@type':",
          ),
        ),
      }),
      { maxLength: 8 },
    ),
  )
  .map(([text, edits]) => {
    let out = text;
    for (const e of edits) {
      const at = e.at % (out.length + 1);
      out = out.slice(0, at) + e.insert + out.slice(at + e.cut);
    }
    return out;
  });

test('arbitrary strings never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (s) => {
      valid(diagnose(s));
    }),
    { numRuns: 300 },
  );
});

test('mutated real error shapes never throw and keep a ranked diagnosis', () => {
  fc.assert(
    fc.property(
      mutated,
      fc.constantFrom({}, { project: 'acme-other', runtime: 'cloud-run' as const }),
      (text, ctx) => {
        valid(diagnose(text, ctx));
      },
    ),
    { numRuns: 400 },
  );
});

test('redaction is idempotent and never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const once = redactSecrets(s);
      assert.equal(redactSecrets(once), once);
    }),
    { numRuns: 300 },
  );
});

test('10 MB inputs finish: real shapes repeated and hostile runs', () => {
  const MB = 1024 * 1024;
  const inputs = [
    F.PY_GENAI_DICT.repeat(Math.ceil((10 * MB) / F.PY_GENAI_DICT.length)).slice(0, 10 * MB),
    '{"a":['.repeat(Math.floor((10 * MB) / 6)),
    `was${' '.repeat(10 * MB)}x`,
    "- '@type': x\n  a:\n".repeat(Math.floor((10 * MB) / 19)),
  ];
  for (const text of inputs) {
    const d = diagnose(text);
    valid(d);
  }
  // The repeated real shape still parses to the same facts as one copy.
  assert.equal(parseFacts(inputs[0] as string).permission, 'aiplatform.endpoints.predict');
});
