/**
 * The console page: one self-contained HTML document. Its CSS and JS are inlined under a
 * per-response nonce; it loads nothing from anywhere and talks only to its own origin.
 */
import { escapeXml } from '../../core/escape.js';
import { RUNTIMES } from '../../core/runtimes.js';
import { CLIENT_JS } from './client.js';
import { pageShell } from './shell.js';

export interface PageOptions {
  nonce: string;
  /** What a live check runs against, shown in the header ("sandbox" or "Google Cloud"). */
  target: string;
}

const RUNTIME_OPTIONS = ['', ...RUNTIMES];

export function renderPage({ nonce, target }: PageOptions): string {
  const runtimeOptions = RUNTIME_OPTIONS.map(
    (r) => `<option value="${r}">${r === '' ? '(not set)' : r}</option>`,
  ).join('');
  return pageShell({
    title: 'genai-doctor console',
    nonce,
    script: CLIENT_JS,
    body: `<a class="skip" href="#results">Skip to results</a>
<header>
  <h1>genai-doctor</h1>
  <p>Paste a Gemini / Vertex AI error, drop a log export, or check the project live.</p>
  <span class="target" id="target">Live checks run against: ${escapeXml(target)}</span>
</header>
<main>
<section aria-labelledby="input-h">
  <h2 id="input-h">Evidence</h2>
  <form id="diagnose-form" novalidate>
    <label for="error-text">Error text</label>
    <textarea id="error-text" name="text" rows="10" spellcheck="false" autocomplete="off"
      aria-describedby="error-hint" placeholder="403 PERMISSION_DENIED. {'error': {'code': 403, ..."></textarea>
    <p id="error-hint" class="hint">Ctrl+Enter (or Enter in a context field) diagnoses. Secrets such as API keys and tokens are redacted from every answer; nothing leaves this machine.</p>
    <div id="drop" class="drop">
      <label for="log-file">Log file</label>
      <input id="log-file" name="log" type="file" aria-describedby="drop-hint"
        accept=".json,.jsonl,.ndjson,.log,.txt,.gz,application/json,application/gzip,text/plain">
      <p id="drop-hint" class="hint">Datadog or Cloud Logging export (JSON lines), or a plain text log; gzip is fine. Choose it or drop it anywhere on this page.</p>
    </div>
    <fieldset>
      <legend>Context (optional)</legend>
      <div class="fields">
        <div><label for="ctx-project">Project you meant to use</label><input id="ctx-project" name="project" type="text" autocomplete="off" placeholder="my-project"></div>
        <div><label for="ctx-runtime">Runtime</label><select id="ctx-runtime" name="runtime">${runtimeOptions}</select></div>
        <div><label for="ctx-principal">Principal</label><input id="ctx-principal" name="principal" type="text" autocomplete="off" placeholder="sa@project.iam.gserviceaccount.com"></div>
        <div><label for="ctx-location">Location</label><input id="ctx-location" name="location" type="text" autocomplete="off" placeholder="global"></div>
        <div><label for="ctx-model">Model</label><input id="ctx-model" name="model" type="text" autocomplete="off" placeholder="gemini-2.5-flash"></div>
      </div>
    </fieldset>
    <div class="actions">
      <button type="submit" class="primary" id="diagnose-btn">Diagnose</button>
      <button type="button" id="check-btn">Run live check</button>
    </div>
  </form>
  <p id="status" role="status" aria-live="polite"></p>
</section>

<section id="check-results" tabindex="-1" aria-labelledby="check-h" hidden>
  <h2 id="check-h">Live check</h2>
  <p id="check-target" class="muted"></p>
  <ol id="probes" class="probes" aria-live="polite" aria-relevant="additions"></ol>
</section>

<section id="logs-results" tabindex="-1" aria-labelledby="logs-h" hidden>
  <h2 id="logs-h">Incidents in the log</h2>
  <p id="logs-stats" class="muted"></p>
  <h3 id="chart-h">Failures per minute</h3>
  <div id="chart"></div>
  <h3 id="incidents-h">Incidents</h3>
  <div class="table-wrap">
    <table id="incidents" aria-labelledby="incidents-h">
      <thead><tr><th scope="col">Code</th><th scope="col">Cause</th><th scope="col" class="num">Failures</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col">Service</th><th scope="col">Principal</th><th scope="col">Project</th><th scope="col">Model</th><th scope="col">Details</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
</section>

<section id="results" tabindex="-1" aria-labelledby="results-h" hidden>
  <h2 id="results-h">Diagnosis</h2>
  <div class="verdict">
    <p class="code" id="verdict-code"></p>
    <div>
      <h3 id="verdict-title"></h3>
      <span class="cause" id="verdict-cause"></span>
    </div>
    <div class="confidence"><label for="verdict-meter">Confidence</label><meter id="verdict-meter" min="0" max="1" low="0.4" high="0.75" optimum="1"></meter><span id="verdict-confidence"></span></div>
  </div>
  <p id="verdict-summary"></p>
  <p id="plan-summary"></p>
  <div class="actions"><button type="button" id="catalog-btn">Open catalog page</button></div>
  <div id="evidence-block">
    <h3>Evidence in your text</h3>
    <pre id="evidence-text" class="wrap" tabindex="0" aria-label="Your text with the evidence highlighted"></pre>
  </div>
  <ul id="evidence-list" class="evidence"></ul>
  <div id="against-block" hidden><h3>What speaks against it</h3><ul id="against-list"></ul></div>
  <div id="checks-block" hidden><h3>Next checks</h3><ul id="checks-list"></ul></div>
  <div id="others-block" hidden><h3>Other possible causes</h3><ul id="others-list"></ul></div>
  <h3 id="plan-h">Fix plan</h3>
  <div role="tablist" aria-labelledby="plan-h" id="plan-tabs">
    <button type="button" role="tab" id="tab-gcloud" aria-controls="panel-gcloud" aria-selected="true" tabindex="0">gcloud</button>
    <button type="button" role="tab" id="tab-terraform" aria-controls="panel-terraform" aria-selected="false" tabindex="-1">Terraform</button>
    <button type="button" role="tab" id="tab-console" aria-controls="panel-console" aria-selected="false" tabindex="-1">Console</button>
  </div>
  <div role="tabpanel" id="panel-gcloud" aria-labelledby="tab-gcloud" tabindex="0">
    <div class="panel-actions"><button type="button" class="copy" data-copy="gcloud">Copy gcloud script</button></div>
    <pre><code id="plan-gcloud"></code></pre>
  </div>
  <div role="tabpanel" id="panel-terraform" aria-labelledby="tab-terraform" tabindex="0" hidden>
    <div class="panel-actions"><button type="button" class="copy" data-copy="terraform">Copy Terraform</button></div>
    <pre><code id="plan-terraform"></code></pre>
  </div>
  <div role="tabpanel" id="panel-console" aria-labelledby="tab-console" tabindex="0" hidden>
    <div class="panel-actions"><button type="button" class="copy" data-copy="console">Copy Console steps</button></div>
    <pre class="wrap"><code id="plan-console"></code></pre>
  </div>
</section>

<dialog id="catalog-dialog" aria-labelledby="catalog-title">
  <div class="dialog-head"><h2 id="catalog-title">Catalog</h2><button type="button" id="catalog-close">Close</button></div>
  <div id="catalog-body" class="catalog"></div>
</dialog>
</main>`,
  });
}
