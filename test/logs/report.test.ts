import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { docHtml, docMarkdown } from '../../src/core/incidents/doc.js';
import { IncidentGrouper } from '../../src/core/incidents/group.js';
import type { LogAnalysis } from '../../src/core/incidents/model.js';
import { renderAnalysis } from '../../src/core/incidents/render.js';
import { incidentRunbook, REPORT_SECTIONS } from '../../src/core/incidents/runbook.js';
import { coreEngine } from '../../src/logs/engine.js';
import { toFailureRecord } from '../../src/logs/records.js';
import { incidentMonitoring } from '../../src/monitors/definitions.js';
import { SEED, seedIncident } from './fixtures.js';

function analysisOf(objs: object[]): LogAnalysis {
  const g = new IncidentGrouper(coreEngine);
  for (const o of objs) {
    const r = toFailureRecord(o);
    if (r) g.add(r);
  }
  return {
    schemaVersion: 1,
    input: 'export.jsonl',
    stats: {
      records: objs.length,
      bytes: 1234,
      candidates: objs.length,
      failures: g.failures,
      diagnosed: g.diagnosed,
      malformed: 1,
      malformedLines: [{ line: 7, reason: 'truncated JSON object' }],
      oversized: 0,
      oversizedLines: [],
      format: 'jsonl',
    },
    incidents: g.incidents(),
  };
}

function runbookFor(a: LogAnalysis) {
  const i = a.incidents[0]!;
  const m = incidentMonitoring(
    {
      service: i.service!,
      env: 'prod',
      resource: SEED.resource,
      spanName: 'fastapi.request',
      notify: [],
      errorRate: 0.05,
      throttleCritical: 10,
    },
    i.code,
    i.sample,
    'Image generation completed',
  );
  return incidentRunbook(a, i, m);
}

describe('incident runbook', () => {
  const { events, audits } = seedIncident(8, 2);
  const analysis = analysisOf([...events, ...audits]);

  it('follows the seed runbook structure with real counts, timestamps, trace ids and principal', () => {
    const md = docMarkdown(runbookFor(analysis));
    let at = -1;
    for (const s of REPORT_SECTIONS) {
      const k = md.indexOf(`**${s}**`);
      assert.ok(k > at, `section ${s} in order`);
      at = k;
    }
    assert.match(
      md,
      /\*\*8 failing calls\*\* of `genai-adk-python` between 2026-01-02T16:14:47\.000Z and 2026-01-02T16:16:32\.000Z/,
    );
    assert.ok(md.includes(`\`${SEED.traceId}\``));
    assert.ok(md.includes(`\`${SEED.principal}\` (from the Cloud Audit Log`));
    assert.ok(md.includes('`datadog-ese-sandbox` (differs from the request)'));
    assert.ok(md.includes('`gemini-3-pro-image-preview` at `global` location'));
    assert.match(md, /### Option 1: .*\(Recommended\)/);
    assert.match(md, /```bash\n[^`]*gcloud projects add-iam-policy-binding/);
    assert.ok(md.includes('logs("service:genai-adk-python env:prod status:error (PERMISSION_DENIED'));
    assert.ok(md.includes('resource_name:"POST /api/v1/images/generate"'));
    assert.ok(md.includes('service:genai-adk-python env:prod "Image generation completed"'));
    assert.ok(md.includes('first at line 7'));
  });

  it('renders HTML with an inline SVG timeline and no external assets', () => {
    const html = docHtml(runbookFor(analysis));
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<rect /s);
    assert.doesNotMatch(html, /<(script|link|img|iframe)\b/i);
    assert.doesNotMatch(html, /\b(src|href)="(?!https?:\/\/)/);
    for (const s of REPORT_SECTIONS) assert.ok(html.includes(`<h2>${s}</h2>`), s);
  });

  it('escapes hostile log text in Markdown and HTML', () => {
    const hostile = {
      id: 'AQAAAZ<img src=x onerror=alert(1)>',
      type: 'log',
      attributes: {
        timestamp: '2026-01-02T16:14:47.000Z',
        service: 'evil</title><script>alert(1)</script>',
        status: 'error',
        message:
          // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile text on purpose
          "PERMISSION_DENIED ```\n# injected heading\n<script>alert('x')</script> [click](javascript:alert(1)) ${HOME} | col |",
        tags: ['project_id:p'],
        attributes: { dd: { trace_id: '"><svg onload=alert(1)>' } },
      },
    };
    const a = analysisOf([hostile]);
    const doc = runbookFor(a);
    const html = docHtml(doc);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img /i);
    assert.doesNotMatch(html, /<svg onload/i);
    assert.doesNotMatch(html, /href="javascript/i);
    assert.ok(html.includes('&lt;script&gt;'));
    const md = docMarkdown(doc);
    // A fence in the text cannot close the code block around it: the block's fence is longer.
    assert.ok(md.includes('````\nPERMISSION_DENIED ```\n# injected heading\n'));
    const outsideCode = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '').replace(/`[^`\n]*`/g, '');
    assert.doesNotMatch(outsideCode, /<script>|\]\(javascript:|^# injected/m);
  });

  it('lists incidents as text, Markdown and JSON for `logs`', () => {
    const text = renderAnalysis(analysis, 'text');
    assert.match(text, /10 failures in 1 incident/);
    assert.match(text, /: 8 failures\n/);
    assert.ok(text.includes(`traces ${SEED.traceId}`));
    assert.ok(text.includes(`principal ${SEED.principal} (from audit log)`));
    const md = renderAnalysis(analysis, 'md');
    assert.match(md, /\| 1 \| `[a-z_.]+` \| 115\d \| 8 \| genai-adk-python \|/);
    const json = JSON.parse(renderAnalysis(analysis, 'json')) as LogAnalysis;
    assert.equal(json.incidents[0]!.count, 8);
    assert.equal(
      json.incidents[0]!.perMinute.reduce((s, b) => s + b.count, 0),
      8,
    );
  });

  it('keeps keys and tokens out of every output', () => {
    const key = `AIza${'Sy'}D-9tSrke72PouQMnMX-a7eZSW0jkFMBWY`;
    const token = `ya29.${'a0AfB_byC'}1234567890abcdefghijklmnopqrstuvwxyz`;
    const leaky = {
      id: 'AQAAAZsecret',
      type: 'log',
      attributes: {
        timestamp: '2026-01-02T16:14:47.000Z',
        service: 'genai-adk-python',
        status: 'error',
        message: `google.genai.errors.ClientError: 400 INVALID_ARGUMENT. API key not valid. url=https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent?key=${key} Authorization: Bearer ${token}`,
        tags: ['project_id:p'],
      },
    };
    const a = analysisOf([leaky]);
    const outputs = [
      renderAnalysis(a, 'text'),
      renderAnalysis(a, 'md'),
      renderAnalysis(a, 'json'),
      docMarkdown(runbookFor(a)),
      docHtml(runbookFor(a)),
    ];
    for (const out of outputs) {
      assert.ok(!out.includes(key), 'API key redacted');
      assert.ok(!out.includes(token), 'token redacted');
    }
  });
});
