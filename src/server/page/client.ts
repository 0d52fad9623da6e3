/**
 * The console's browser script, inlined into the page under the CSP nonce. Plain ES2020 with no
 * dependency. One rule holds throughout: data from the user or the server reaches the DOM only
 * through textContent / createElement / setAttribute on fixed attribute names, never as markup
 * (the page's CSP also requires Trusted Types with no policy, so an HTML sink would throw).
 * No template literals inside: the script lives in a String.raw literal.
 */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var form = $('diagnose-form');
  var textArea = $('error-text');
  var fileInput = $('log-file');
  var drop = $('drop');
  var statusLine = $('status');
  var diagnoseBtn = $('diagnose-btn');
  var checkBtn = $('check-btn');
  var results = $('results');
  var rendered = { gcloud: '', terraform: '', console: '' };
  var currentCode = null;
  var liveCheck = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.className = isError ? 'alert' : '';
    statusLine.setAttribute('role', isError ? 'alert' : 'status');
  }
  function busy(on) { diagnoseBtn.disabled = on; checkBtn.disabled = on; }

  function context() {
    var out = {};
    ['project', 'runtime', 'principal', 'location', 'model'].forEach(function (name) {
      var value = $('ctx-' + name).value.trim();
      if (value) out[name] = value;
    });
    return out;
  }
  function query(params) {
    var search = new URLSearchParams();
    Object.keys(params).forEach(function (k) { search.set(k, params[k]); });
    return search.toString();
  }

  // Every request goes to this page's own origin, with no credentials of any kind. The
  // same-origin referrer policy makes POSTs carry the real Origin (no-referrer sends "null",
  // which the server refuses as a foreign origin).
  function api(path, init) {
    init = init || {};
    init.credentials = 'omit';
    init.cache = 'no-store';
    init.referrerPolicy = 'same-origin';
    return fetch(path, init).then(function (res) {
      return res.text().then(function (body) {
        var data = null;
        try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var msg = data && data.error && data.error.message ? data.error.message : 'HTTP ' + res.status;
          throw new Error(msg);
        }
        return data;
      });
    });
  }

  // Text with Markdown code spans (the core writes ids that way), built as DOM.
  function richText(target, text) { clear(target); inline(target, text || ''); }

  // ---- evidence highlighting ------------------------------------------------------------------
  // strict: keep a span only where the text there reads exactly as the fact's value (used for a
  // log incident's sample, whose diagnosis may have been read from another record of the group).
  function collectSpans(diagnosis, text, strict) {
    var length = text.length;
    var spans = [];
    function add(span, label, strong, value) {
      if (!span || typeof span.start !== 'number' || typeof span.end !== 'number') return;
      var start = Math.max(0, Math.min(length, span.start));
      var end = Math.max(0, Math.min(length, span.end));
      if (end <= start) return;
      if (strict && (value === undefined || value === null || text.slice(start, end) !== String(value))) return;
      spans.push({ start: start, end: end, label: label, strong: strong });
    }
    var facts = (diagnosis && diagnosis.facts) || {};
    var factSpans = facts.spans || {};
    Object.keys(factSpans).forEach(function (name) { add(factSpans[name], name, false, facts[name]); });
    (facts.errors || []).forEach(function (e) {
      var s = (e && e.spans) || {};
      Object.keys(s).forEach(function (name) { add(s[name], name, false, e[name]); });
    });
    var top = diagnosis && diagnosis.findings && diagnosis.findings[0];
    if (top) (top.evidence || []).forEach(function (ev) { add(ev.span, ev.fact, true, ev.value); });
    return spans;
  }

  // Splits the text at every span boundary; each piece covered by a span becomes a <mark>
  // whose title names the facts read there. Overlapping spans are handled by the split.
  function highlight(target, text, spans) {
    clear(target);
    var cuts = [0, text.length];
    spans.forEach(function (s) { cuts.push(s.start, s.end); });
    cuts = cuts.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], b = cuts[i + 1];
      var piece = text.slice(a, b);
      var covering = spans.filter(function (s) { return s.start <= a && s.end >= b; });
      if (covering.length === 0) { target.appendChild(document.createTextNode(piece)); continue; }
      var mark = el('mark', piece, covering.some(function (s) { return s.strong; }) ? 'ev' : '');
      var labels = covering.map(function (s) { return s.label; })
        .filter(function (v, j, arr) { return arr.indexOf(v) === j; });
      mark.setAttribute('title', labels.join(', '));
      mark.setAttribute('data-facts', labels.join(' '));
      target.appendChild(mark);
    }
  }

  // ---- diagnosis -------------------------------------------------------------------------------
  function fillList(blockId, listId, items, render) {
    var list = $(listId);
    clear(list);
    (items || []).forEach(function (item) { list.appendChild(render(item)); });
    if (blockId) $(blockId).hidden = !items || items.length === 0;
  }

  function showDiagnosis(payload, text, strictSpans) {
    var diagnosis = payload.diagnosis;
    var top = diagnosis.findings[0];
    currentCode = top.code;
    $('verdict-code').textContent = String(top.code);
    $('verdict-title').textContent = top.title;
    $('verdict-cause').textContent = top.cause;
    $('verdict-meter').value = top.confidence;
    $('verdict-confidence').textContent = Math.round(top.confidence * 100) + ' %';
    richText($('verdict-summary'), diagnosis.noError ? diagnosis.noError : top.summary);
    richText($('plan-summary'), payload.plan && payload.plan.summary ? 'Fix: ' + payload.plan.summary : '');
    $('catalog-btn').textContent = 'Open catalog page ' + top.code;

    var evidenceBlock = $('evidence-block');
    if (typeof text === 'string' && text.length > 0) {
      evidenceBlock.hidden = false;
      highlight($('evidence-text'), text, collectSpans(diagnosis, text, !!strictSpans));
    } else {
      evidenceBlock.hidden = true;
      clear($('evidence-text'));
    }
    fillList(null, 'evidence-list', top.evidence, function (ev) {
      var li = el('li');
      li.appendChild(el('span', ev.fact + ': '));
      li.appendChild(el('code', ev.value));
      if (ev.note) { var note = el('span', null, 'muted'); inline(note, ' (' + ev.note + ')'); li.appendChild(note); }
      return li;
    });
    fillList('against-block', 'against-list', top.against, function (a) { var li = el('li'); inline(li, a); return li; });
    fillList('checks-block', 'checks-list', top.nextChecks, function (c) {
      var li = el('li');
      inline(li, c.description);
      if (c.command) { li.appendChild(document.createTextNode(' ')); li.appendChild(el('code', c.command)); }
      return li;
    });
    fillList('others-block', 'others-list', diagnosis.findings.slice(1), function (f) {
      return el('li', f.code + ' ' + f.title + ' (' + f.cause + ', ' + Math.round(f.confidence * 100) + ' %)');
    });
    var r = payload.rendered || {};
    ['gcloud', 'terraform', 'console'].forEach(function (fmt) {
      rendered[fmt] = r[fmt] || '';
      $('plan-' + fmt).textContent = rendered[fmt] || '(no ' + fmt + ' rendering for this plan)';
    });
    results.hidden = false;
  }

  function diagnoseText() {
    var text = textArea.value;
    if (!text.trim()) {
      if (fileInput.files && fileInput.files[0]) { uploadLog(fileInput.files[0]); return; }
      say('Paste an error first (or choose a log file).', true);
      textArea.focus();
      return;
    }
    busy(true);
    say('Diagnosing...');
    api('/api/diagnose', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: text, context: context() }),
    }).then(function (payload) {
      showDiagnosis(payload, text);
      var top = payload.diagnosis.findings[0];
      say('Diagnosed: ' + top.code + ' ' + top.title + '.');
      results.focus();
    }).catch(function (err) { say(err.message, true); })
      .then(function () { busy(false); });
  }

  // ---- log upload --------------------------------------------------------------------------------
  function formatTime(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function drawChart(container, timeline) {
    clear(container);
    if (!timeline || timeline.length === 0) { container.appendChild(el('p', 'No failures over time to chart.', 'muted')); return; }
    // Drawn at the container's own width, so labels keep their size on a phone.
    var W = Math.max(300, Math.min(960, container.clientWidth || 640)), H = 200, left = 36, bottom = 28, top = 10, right = 8;
    var max = timeline.reduce(function (m, p) { return Math.max(m, p.failures); }, 0) || 1;
    var total = timeline.reduce(function (m, p) { return m + p.failures; }, 0);
    var plotW = W - left - right, plotH = H - top - bottom;
    var step = plotW / timeline.length;
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title' });
    root.appendChild(svg('title', { id: 'chart-title' },
      total + ' failures over ' + timeline.length + ' minutes, at most ' + max + ' in one minute'));
    root.appendChild(svg('line', { x1: left, y1: top + plotH, x2: W - right, y2: top + plotH, class: 'axis' }));
    root.appendChild(svg('line', { x1: left, y1: top, x2: left, y2: top + plotH, class: 'axis' }));
    root.appendChild(svg('text', { x: left - 4, y: top + 10, 'text-anchor': 'end' }, max));
    root.appendChild(svg('text', { x: left - 4, y: top + plotH, 'text-anchor': 'end' }, 0));
    timeline.forEach(function (p, i) {
      var h = (p.failures / max) * plotH;
      var bar = svg('rect', {
        x: (left + i * step + step * 0.1).toFixed(2), y: (top + plotH - h).toFixed(2),
        width: Math.max(0.5, step * 0.8).toFixed(2), height: h.toFixed(2), class: 'bar',
        'data-minute': p.minute, 'data-failures': p.failures,
      });
      bar.appendChild(svg('title', {}, formatTime(p.minute) + ': ' + p.failures + (p.failures === 1 ? ' failure' : ' failures')));
      root.appendChild(bar);
    });
    var first = formatTime(timeline[0].minute), last = formatTime(timeline[timeline.length - 1].minute);
    root.appendChild(svg('text', { x: left, y: H - 8, 'text-anchor': 'start' }, first.slice(0, 16)));
    if (timeline.length > 1) root.appendChild(svg('text', { x: W - right, y: H - 8, 'text-anchor': 'end' }, last.slice(11, 16)));
    container.appendChild(root);
  }

  function showLogs(payload, name) {
    var stats = payload.stats || {};
    var parts = [];
    if (typeof stats.lines === 'number') parts.push(stats.lines + ' lines');
    if (typeof stats.failures === 'number') parts.push(stats.failures + (stats.failures === 1 ? ' failure' : ' failures'));
    parts.push(payload.incidents.length + ' incidents');
    if (stats.malformed) parts.push(stats.malformed + (stats.malformed === 1 ? ' malformed line' : ' malformed lines') +
      (stats.malformedLines && stats.malformedLines.length
        ? ' (line ' + stats.malformedLines.slice(0, 5).map(function (m) { return m.line; }).join(', ') + ')' : ''));
    if (stats.oversized) parts.push(stats.oversized + (stats.oversized === 1 ? ' record' : ' records') +
      ' over the record cap skipped (line ' + (stats.oversizedLines || []).slice(0, 5).join(', ') + ')');
    $('logs-stats').textContent = name + ': ' + parts.join(', ') + '.';
    $('logs-results').hidden = false; // before drawing: the chart takes its width from the page
    drawChart($('chart'), payload.timeline);
    var body = $('incidents').tBodies[0];
    clear(body);
    // Each cell carries its column name, so a narrow window can show rows as labelled cards.
    var columns = Array.prototype.map.call($('incidents').tHead.rows[0].cells, function (th) { return th.textContent; });
    payload.incidents.forEach(function (inc, index) {
      var tr = el('tr');
      function cell(text, className) {
        var td = el('td', text, className);
        td.setAttribute('data-label', columns[tr.cells.length] || '');
        tr.appendChild(td);
        return td;
      }
      cell(inc.code);
      cell(inc.title ? inc.title + ' (' + inc.cause + ')' : inc.cause);
      cell(inc.count, 'num');
      cell(formatTime(inc.firstSeen));
      cell(formatTime(inc.lastSeen));
      ['service', 'principal', 'project', 'model'].forEach(function (k) { cell(inc[k] || ''); });
      var actions = cell('');
      if (inc.diagnosis) {
        var btn = el('button', 'Show fix');
        btn.type = 'button';
        btn.setAttribute('aria-label', 'Show diagnosis and fix for incident ' + (index + 1));
        btn.addEventListener('click', function () {
          showDiagnosis(inc, inc.sample || '', true);
          results.focus();
        });
        actions.appendChild(btn);
      }
      body.appendChild(tr);
    });
    if (payload.incidents[0] && payload.incidents[0].diagnosis) showDiagnosis(payload.incidents[0], payload.incidents[0].sample || '', true);
  }

  function uploadLog(file) {
    busy(true);
    say('Reading ' + file.name + ' (' + Math.max(1, Math.round(file.size / 1024)) + ' KB)...');
    var params = context();
    params.name = file.name;
    api('/api/logs?' + query(params), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    }).then(function (payload) {
      showLogs(payload, file.name);
      say('Read ' + file.name + ': ' + payload.incidents.length + ' incidents.');
      $('logs-results').focus();
    }).catch(function (err) { say(err.message, true); })
      .then(function () { busy(false); });
  }

  fileInput.addEventListener('change', function () {
    if (fileInput.files && fileInput.files[0]) uploadLog(fileInput.files[0]);
  });
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') !== -1;
  }
  document.addEventListener('dragover', function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    drop.classList.add('over');
  });
  document.addEventListener('dragleave', function () { drop.classList.remove('over'); });
  document.addEventListener('drop', function (event) {
    drop.classList.remove('over');
    if (!hasFiles(event)) return;
    event.preventDefault();
    var file = event.dataTransfer.files[0];
    if (file) uploadLog(file);
  });

  // ---- live check (Server-Sent Events: each probe is shown as soon as it finishes) ---------------
  function runCheck() {
    if (liveCheck) liveCheck.close();
    var ctx = context();
    var params = {};
    ['project', 'principal', 'location', 'model'].forEach(function (k) { if (ctx[k]) params[k] = ctx[k]; });
    var list = $('probes');
    clear(list);
    $('check-results').hidden = false;
    $('check-target').textContent = '';
    busy(true);
    say('Checking the project...');
    var source = new EventSource('/api/check/stream?' + query(params));
    liveCheck = source;
    var finished = false;
    function finish(message, isError) {
      finished = true;
      source.close();
      liveCheck = null;
      busy(false);
      say(message, isError);
    }
    source.addEventListener('start', function (e) {
      var info = JSON.parse(e.data);
      $('check-target').textContent = info.description || '';
    });
    source.addEventListener('probe', function (e) {
      var probe = JSON.parse(e.data);
      var li = el('li');
      li.setAttribute('data-probe', probe.id);
      li.appendChild(el('span', probe.outcome, 'badge ' + probe.outcome));
      var text = el('div');
      text.appendChild(el('strong', probe.title));
      if (probe.detail) { var detail = el('div', null, 'detail'); inline(detail, probe.detail); text.appendChild(detail); }
      li.appendChild(text);
      list.appendChild(li);
    });
    source.addEventListener('result', function (e) {
      var payload = JSON.parse(e.data);
      showDiagnosis(payload, '');
      var top = payload.diagnosis.findings[0];
      finish('Live check done: ' + top.code + ' ' + top.title + '.', false);
    });
    source.addEventListener('failure', function (e) {
      var info = JSON.parse(e.data);
      finish('Live check failed: ' + info.message, true);
    });
    source.addEventListener('error', function () {
      if (!finished) finish('Live check: the connection to the console was lost.', true);
    });
  }

  // ---- catalog ---------------------------------------------------------------------------------
  // A small Markdown reader that builds DOM: headings, lists, code blocks, paragraphs, inline
  // code, and links only to https:// (anything else, javascript: included, stays plain text).
  // links: only catalog pages (the project's own text) may carry links; anything derived from
  // what the user pasted gets code spans and bold, never a link.
  function inline(parent, text, links) {
    var re = /\x60([^\x60]+)\x60|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*/g;
    // Long text stays plain: the pattern rescans from each unmatched bracket, so keep it bounded.
    if (text.length > 4000) { parent.appendChild(document.createTextNode(text)); return; }
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) parent.appendChild(el('code', m[1]));
      else if (m[2] !== undefined) {
        if (links && /^https:\/\//i.test(m[3])) {
          var a = el('a', m[2]);
          a.setAttribute('href', m[3]);
          a.setAttribute('rel', 'noopener noreferrer');
          a.setAttribute('target', '_blank');
          parent.appendChild(a);
        } else parent.appendChild(document.createTextNode(links ? m[2] + ' (' + m[3] + ')' : m[0]));
      } else parent.appendChild(el('strong', m[4]));
      last = re.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function markdown(target, md) {
    clear(target);
    var lines = md.split('\n');
    var list = null, para = null, code = null, table = null;
    function flush() { list = null; para = null; table = null; }
    lines.forEach(function (line) {
      if (code) {
        if (/^\s*\x60\x60\x60/.test(line)) { code = null; return; }
        code.textContent += (code.textContent ? '\n' : '') + line;
        return;
      }
      if (/^\s*\x60\x60\x60/.test(line)) { flush(); var pre = el('pre'); code = el('code'); code.textContent = ''; pre.appendChild(code); target.appendChild(pre); return; }
      // Tables (the catalog's remediation and role tables): a header row, a |---| rule, rows;
      // scrolled sideways in their own box rather than shown as raw pipes.
      if (/^\s*\|/.test(line)) {
        // An escaped pipe (\|) belongs to its cell.
        var cells = line.trim().replace(/^\||\|$/g, '').replace(/\\\|/g, '\u0000').split('|')
          .map(function (x) { return x.trim().replace(/\u0000/g, '|'); });
        if (cells.every(function (x) { return /^:?-{3,}:?$/.test(x); })) return;
        if (!table) {
          flush();
          var wrap = el('div'); wrap.className = 'table-wrap';
          table = el('table'); wrap.appendChild(table); target.appendChild(wrap);
          var head = el('tr'); table.appendChild(head);
          cells.forEach(function (x) { var th = el('th'); inline(th, x, true); head.appendChild(th); });
          return;
        }
        var tr = el('tr'); table.appendChild(tr);
        cells.forEach(function (x) { var td = el('td'); inline(td, x, true); tr.appendChild(td); });
        return;
      }
      table = null;
      var h = /^(#{1,6})\s+(.*)$/.exec(line);
      if (h) { flush(); var heading = el(h[1].length <= 2 ? 'h3' : 'h4'); inline(heading, h[2], true); target.appendChild(heading); return; }
      var li = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
      if (li) {
        if (!list) { para = null; list = el(/^\s*\d/.test(line) ? 'ol' : 'ul'); target.appendChild(list); }
        var item = el('li'); inline(item, li[1], true); list.appendChild(item); return;
      }
      if (!line.trim()) { flush(); return; }
      if (!para) { list = null; para = el('p'); target.appendChild(para); } else para.appendChild(document.createTextNode(' '));
      inline(para, line.trim(), true);
    });
  }

  var dialog = $('catalog-dialog');
  var dialogOpener = null;
  function openCatalog() {
    if (currentCode === null) return;
    dialogOpener = document.activeElement;
    say('Loading catalog page ' + currentCode + '...');
    api('/api/explain/' + encodeURIComponent(String(currentCode))).then(function (page) {
      $('catalog-title').textContent = page.code + ' ' + page.title;
      markdown($('catalog-body'), page.markdown || '');
      dialog.showModal();
      $('catalog-close').focus();
      say('');
    }).catch(function (err) { say(err.message, true); });
  }
  $('catalog-btn').addEventListener('click', openCatalog);
  $('catalog-close').addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('close', function () { if (dialogOpener && dialogOpener.focus) dialogOpener.focus(); });

  // ---- plan tabs (WAI-ARIA tabs: arrows, Home and End move between them) -------------------------
  var tabs = Array.prototype.slice.call(document.querySelectorAll('[role=tab]'));
  function selectTab(tab, focus) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    });
    if (focus) tab.focus();
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener('click', function () { selectTab(tab, false); });
    tab.addEventListener('keydown', function (e) {
      var next = null;
      if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
      else if (e.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (e.key === 'Home') next = tabs[0];
      else if (e.key === 'End') next = tabs[tabs.length - 1];
      if (next) { e.preventDefault(); selectTab(next, true); }
    });
  });

  // ---- copy buttons ------------------------------------------------------------------------------
  function copyFallback(text) {
    var scratch = document.createElement('textarea');
    scratch.value = text;
    scratch.setAttribute('readonly', '');
    scratch.className = 'skip';
    document.body.appendChild(scratch);
    scratch.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(scratch);
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.copy'), function (btn) {
    btn.addEventListener('click', function () {
      var fmt = btn.getAttribute('data-copy');
      var text = rendered[fmt] || '';
      var write = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text).catch(function () { return copyFallback(text); })
        : copyFallback(text);
      write.then(function () { say('Copied the ' + fmt + ' plan to the clipboard.'); },
        function () { say('Could not copy; select the text and copy it by hand.', true); });
    });
  });

  // ---- keyboard and form --------------------------------------------------------------------------
  form.addEventListener('submit', function (e) { e.preventDefault(); diagnoseText(); });
  textArea.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); diagnoseText(); }
  });
  checkBtn.addEventListener('click', runCheck);
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
