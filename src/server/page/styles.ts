/** The console's stylesheet: inlined into the page under the CSP nonce; no external asset. */
export const PAGE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f7f7f5; --fg: #1b1d21; --muted: #585e68; --card: #ffffff; --line: #d5d8dd;
  --accent: #1a56c4; --accent-fg: #ffffff; --focus: #b35c00; --mark: #ffe27a; --mark-ev: #ffb34d;
  --ok: #1d7a3a; --bad: #b3261e; --warn: #8a5a00; --code-bg: #f0f1f3; --bar: #c2410c;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121417; --fg: #e7e9ec; --muted: #a5abb5; --card: #1c1f24; --line: #363b44;
    --accent: #7aa7ff; --accent-fg: #0c1220; --focus: #ffb454; --mark: #6b5a00; --mark-ev: #8a4b00;
    --ok: #6fd38f; --bad: #ff8a80; --warn: #f2c14e; --code-bg: #24282f; --bar: #fb923c;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--fg); }
body { overflow-wrap: anywhere; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 0.5rem; top: 0.5rem; background: var(--card); padding: 0.5rem; z-index: 2; }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; }
header h1 { margin: 0; font-size: 1.5rem; }
header p { margin: 0.25rem 0 0; color: var(--muted); }
.target { display: inline-block; margin-top: 0.25rem; font-size: 0.85rem; padding: 0.1rem 0.5rem;
  border: 1px solid var(--line); border-radius: 1rem; color: var(--muted); }
section, .card { background: var(--card); border: 1px solid var(--line); border-radius: 0.5rem;
  padding: 1rem; margin: 1rem 0; min-width: 0; }
h2 { font-size: 1.2rem; margin: 0 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 0.5rem; }
label, legend { font-weight: 600; display: block; margin-bottom: 0.25rem; }
textarea, input, select, button { font: inherit; color: inherit; }
textarea, input[type=text], select {
  width: 100%; max-width: 100%; background: var(--bg); border: 1px solid var(--line);
  border-radius: 0.35rem; padding: 0.45rem 0.55rem;
}
textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem;
  min-height: 10rem; resize: vertical; }
fieldset { border: 1px solid var(--line); border-radius: 0.5rem; margin: 1rem 0; padding: 0.75rem; min-width: 0; }
.fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.75rem; }
.fields label { font-weight: 500; }
.hint { color: var(--muted); font-size: 0.85rem; margin: 0.25rem 0 0; }
.drop { margin-top: 1rem; border: 2px dashed var(--line); border-radius: 0.5rem; padding: 0.75rem; }
.drop.over { border-color: var(--accent); background: var(--code-bg); }
.drop input { max-width: 100%; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; }
button { cursor: pointer; border-radius: 0.35rem; border: 1px solid var(--line); background: var(--card);
  padding: 0.45rem 0.9rem; }
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); font-weight: 600; }
button:disabled { opacity: 0.6; cursor: progress; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
#status { min-height: 1.5rem; margin: 0.5rem 0 0; color: var(--muted); }
.alert { color: var(--bad); font-weight: 600; }
.verdict { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: baseline; }
.verdict .code { font-size: 2rem; font-weight: 700; margin: 0; font-variant-numeric: tabular-nums; }
.verdict h3 { margin: 0; font-size: 1.25rem; }
.verdict .cause { font-family: ui-monospace, monospace; color: var(--muted); }
.confidence { display: flex; gap: 0.5rem; align-items: center; }
meter { width: 8rem; max-width: 40vw; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }
pre { background: var(--code-bg); padding: 0.75rem; border-radius: 0.35rem; overflow-x: auto; margin: 0;
  max-width: 100%; }
pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 28rem; overflow-y: auto; }
mark { background: var(--mark); color: inherit; border-radius: 0.15rem; }
mark.ev { background: var(--mark-ev); outline: 1px solid var(--bad); }
ul.evidence { padding-left: 1.2rem; }
ul.evidence code { background: var(--code-bg); padding: 0 0.2rem; }
[role=tablist] { display: flex; flex-wrap: wrap; gap: 0.25rem; border-bottom: 1px solid var(--line); }
[role=tab] { border-bottom-left-radius: 0; border-bottom-right-radius: 0; border-bottom: none; }
[role=tab][aria-selected=true] { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
[role=tabpanel] { padding-top: 0.75rem; }
.panel-actions { display: flex; justify-content: flex-end; margin-bottom: 0.5rem; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { width: 100%; height: auto; max-height: 16rem; display: block; }
.chart .bar { fill: var(--bar); }
.chart .axis { stroke: var(--muted); }
.chart text { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
ol.probes { list-style: none; padding: 0; margin: 0; }
ol.probes li { display: grid; grid-template-columns: 5.5rem 1fr; gap: 0.5rem; padding: 0.35rem 0;
  border-bottom: 1px solid var(--line); }
.badge { font-weight: 700; font-size: 0.8rem; text-transform: uppercase; }
.badge.pass, .badge.ok { color: var(--ok); }
.badge.fail, .badge.error { color: var(--bad); }
.badge.skip, .badge.unknown, .badge.warn { color: var(--warn); }
.detail { color: var(--muted); font-size: 0.9rem; }
dialog { max-width: min(48rem, 94vw); width: 100%; background: var(--card); color: var(--fg);
  border: 1px solid var(--line); border-radius: 0.5rem; padding: 1rem; }
dialog::backdrop { background: rgb(0 0 0 / 0.45); }
.catalog h3 { font-size: 1.1rem; }
.catalog h4 { font-size: 1rem; margin: 0.75rem 0 0.25rem; }
.dialog-head { display: flex; justify-content: space-between; gap: 1rem; align-items: start; }
.muted { color: var(--muted); }
th, button, [role=tab] { overflow-wrap: normal; white-space: nowrap; }
td { overflow-wrap: anywhere; }
td.num { overflow-wrap: normal; }
[tabindex="-1"]:focus { outline: none; }
p code, li code { background: var(--code-bg); padding: 0 0.2rem; border-radius: 0.2rem; }
@media (max-width: 48rem) {
  /* Rows become labelled cards: nothing scrolls sideways on a phone. */
  #incidents thead { position: absolute; left: -9999px; }
  #incidents tr { display: block; border: 1px solid var(--line); border-radius: 0.35rem; margin-bottom: 0.5rem; }
  #incidents td { display: grid; grid-template-columns: 6.5rem 1fr; gap: 0.5rem; border-bottom: none; text-align: left; }
  #incidents td::before { content: attr(data-label); font-weight: 600; color: var(--muted); }
  #incidents td:empty { display: none; }
}
@media (max-width: 30rem) {
  header, main { padding: 0 0.5rem; }
  section, .card { padding: 0.75rem; }
  .verdict .code { font-size: 1.6rem; }
}
`;
