/**
 * The fleet view: a scan's findings as one table, filtered by cause and by project owner.
 * Self-contained like the console page (CSS and JS inline under the nonce, DOM built with
 * textContent only: Trusted Types allow no HTML sinks).
 */
import { escapeXml } from '../../core/escape.js';
import { pageShell } from './shell.js';

const FLEET_JS = `
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var rows = [];
  function el(tag, text, className) {
    var n = document.createElement(tag);
    if (text !== undefined && text !== null) n.textContent = String(text);
    if (className) n.className = className;
    return n;
  }
  function fillSelect(select, values, all) {
    while (select.firstChild) select.removeChild(select.firstChild);
    select.appendChild(el('option', all)).value = '';
    values.forEach(function (v) { select.appendChild(el('option', v)).value = v; });
  }
  function unique(key) {
    return rows.map(function (r) { return r[key]; }).filter(function (v, i, a) { return a.indexOf(v) === i; }).sort();
  }
  function render() {
    var cause = $('filter-cause').value, owner = $('filter-owner').value;
    var body = $('fleet').tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    var shown = rows.filter(function (r) { return (!cause || r.class === cause) && (!owner || r.owner === owner); });
    shown.forEach(function (r) {
      var tr = el('tr', null, r.severity);
      tr.dataset.cause = r.class;
      tr.dataset.owner = r.owner;
      [r.rank, r.severity === 'will-fail' ? 'will fail' : 'risky', (r.code ? r.code + ' ' : '') + r.class,
       r.owner, r.project, r.service || r.subject, r.identity || '', r.target || '', r.fix || ''].forEach(function (v) {
        tr.appendChild(el('td', v));
      });
      var how = el('td', (r.recognisedBy || []).join('; '));
      tr.appendChild(how);
      body.appendChild(tr);
    });
    $('shown').textContent = shown.length + ' of ' + rows.length + ' findings';
  }
  function scan(event) {
    event.preventDefault();
    var org = $('org').value.trim();
    $('status').textContent = 'Scanning ' + org + '...';
    $('scan-btn').disabled = true;
    fetch('/api/scan', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ organization: org }) })
      .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, body: body }; }); })
      .then(function (a) {
        if (!a.ok) throw new Error(a.body && a.body.error ? a.body.error.message : 'scan failed');
        rows = a.body.findings;
        var c = a.body.counts;
        var denied = a.body.scopes.filter(function (s) { return s.status !== 'ok'; }).map(function (s) { return s.scope + ' (' + s.status + ')'; });
        $('status').textContent = c.projects + ' projects, ' + c.workloads + ' workloads (' + c.genaiWorkloads + ' call Gemini), ' + c.apiCalls + ' API calls' + (denied.length ? '; not readable: ' + denied.join(', ') : '');
        fillSelect($('filter-cause'), unique('class'), 'every cause');
        fillSelect($('filter-owner'), unique('owner'), 'every owner');
        render();
        document.documentElement.dataset.scanned = 'true';
      })
      .catch(function (err) { $('status').textContent = err.message; })
      .then(function () { $('scan-btn').disabled = false; });
  }
  $('scan-form').addEventListener('submit', scan);
  $('filter-cause').addEventListener('change', render);
  $('filter-owner').addEventListener('change', render);
  document.documentElement.dataset.ready = 'true';
})();
`;

const FLEET_CSS = `
table.fleet { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
table.fleet th, table.fleet td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.4rem; text-align: left; vertical-align: top; }
table.fleet tr.will-fail td:nth-child(2) { color: var(--bad); font-weight: 600; }
table.fleet tr.risky td:nth-child(2) { color: var(--warn); }
.filters { display: flex; gap: 1rem; align-items: end; margin: 0.8rem 0; flex-wrap: wrap; }
`;

export function renderFleetPage({ nonce, target }: { nonce: string; target: string }): string {
  return pageShell({
    title: 'genai-doctor fleet',
    nonce,
    css: FLEET_CSS,
    script: FLEET_JS,
    body: `<header>
  <h1>genai-doctor fleet</h1>
  <p>Every Gemini / Vertex AI workload of an organization that will fail, and the risky setups, from Cloud Asset Inventory.</p>
  <span class="target">Scans run against: ${escapeXml(target)}</span>
</header>
<main>
<section aria-labelledby="scan-h">
  <h2 id="scan-h">Scan</h2>
  <form id="scan-form" class="filters">
    <div><label for="org">Organization id</label><input id="org" name="organization" type="text" inputmode="numeric" autocomplete="off" placeholder="123456789012" required></div>
    <button id="scan-btn" type="submit">Scan</button>
  </form>
  <p id="status" role="status" aria-live="polite"></p>
</section>
<section aria-labelledby="fleet-h">
  <h2 id="fleet-h">Findings</h2>
  <div class="filters">
    <div><label for="filter-cause">Cause</label><select id="filter-cause"><option value="">every cause</option></select></div>
    <div><label for="filter-owner">Project owner</label><select id="filter-owner"><option value="">every owner</option></select></div>
    <p id="shown"></p>
  </div>
  <table id="fleet" class="fleet">
    <thead><tr><th>#</th><th>Severity</th><th>Cause</th><th>Owner</th><th>Project</th><th>Workload</th><th>Identity</th><th>Calls project</th><th>Fix</th><th>Recognised by</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
</main>`,
  });
}
