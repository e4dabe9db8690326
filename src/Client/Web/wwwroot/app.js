// The dashboard's only script (served by the process; the CSP allows no inline script).
// Everything from the server is put into the page as text (textContent), never as markup.
'use strict';

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value === null || value === undefined || value === '' ? '-' : String(value);
  if (cls) el.className = cls;
  return el;
}

function human(iso) {
  return iso ? iso.replace('T', ' ') : '-';
}

function span(ms) {
  if (ms === null || ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms * 10) / 10} ms` : `${Math.round(ms / 10) / 100} s`;
}

function liveRuns(table) {
  const body = table.querySelector('tbody');
  const state = document.getElementById('live');
  const source = new EventSource(table.dataset.live);
  source.onopen = () => { if (state) state.textContent = '· live'; };
  source.onerror = () => { if (state) state.textContent = '· reconnecting…'; };
  source.addEventListener('run', (e) => {
    const r = JSON.parse(e.data);
    const lateness = r.startedAt && r.scheduledAt ? Date.parse(r.startedAt) - Date.parse(r.scheduledAt) : null;
    const row = document.createElement('tr');
    row.className = `status-${String(r.status).toLowerCase()} fresh`;
    for (const v of [r.runId, r.schedule, r.status, r.trigger, human(r.scheduledAt), span(lateness), span(r.durationMs), r.attempt, r.silo, r.reason, r.error]) {
      row.appendChild(text('td', v));
    }
    body.insertBefore(row, body.firstChild);
  });
  source.addEventListener('problem', (e) => {
    const p = JSON.parse(e.data);
    if (state) state.textContent = `· stopped: ${p.detail}`;
    source.close();
  });
}

function cronCheck(form) {
  const out = document.getElementById('cron-check');
  const cron = form.querySelector('#cron');
  const zone = form.querySelector('#timeZone');
  let timer = null;
  const check = async () => {
    const url = `${form.dataset.preview}?cron=${encodeURIComponent(cron.value)}&timeZone=${encodeURIComponent(zone.value)}`;
    const answer = await (await fetch(url, { credentials: 'same-origin' })).json();
    out.replaceChildren();
    if (answer.error) {
      out.className = 'check error';
      out.appendChild(text('span', answer.error));
      return;
    }
    out.className = 'check ok';
    out.appendChild(text('span', `Next runs (${answer.zone}):`));
    const list = document.createElement('ol');
    for (const o of answer.occurrences) list.appendChild(text('li', o));
    out.appendChild(list);
  };
  const soon = () => { clearTimeout(timer); timer = setTimeout(check, 250); };
  cron.addEventListener('input', soon);
  zone.addEventListener('input', soon);
  check();
}

// The body as the schedule page shows it: the server cut it into (class, text) pieces; each becomes a span's text.
function highlight(pre, pieces) {
  if (!pre || !Array.isArray(pieces)) return;
  const code = pre.querySelector('code');
  code.replaceChildren();
  for (const [cls, value] of pieces) {
    if (cls) {
      const el = document.createElement('span');
      el.className = String(cls);
      el.textContent = String(value);
      code.appendChild(el);
    } else {
      code.appendChild(document.createTextNode(String(value)));
    }
  }
  pre.hidden = pieces.length === 0;
}

// The whole statement, checked by the silo's own parser, cron reader and body guard as you type; nothing is created.
function ddlCheck(form) {
  const out = document.getElementById('ddl-check');
  let timer = null;
  let asked = 0;
  const check = async () => {
    const mine = ++asked;
    const response = await fetch(form.dataset.check, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
    if (!response.ok || mine !== asked) return;
    const v = await response.json();
    out.replaceChildren();
    if (!v.valid) {
      out.className = 'check error';
      const where = v.line ? ` (line ${v.line}, column ${v.column} of the statement)` : '';
      out.appendChild(text('span', `Statement: ${v.error}${where}`));
    } else {
      out.className = 'check ok';
      out.appendChild(text('span', `Statement: valid, ${v.name} would be created; first run ${human(v.next && v.next[0])}.`));
    }
    if (v.body) out.appendChild(text('p', `Body guard: ${v.body}`));
    highlight(document.getElementById('body-preview'), v.highlight);
  };
  const soon = () => { clearTimeout(timer); timer = setTimeout(check, 300); };
  form.addEventListener('input', soon);
  check();
}

async function reference(el) {
  const doc = await (await fetch(el.dataset.openapi)).json();
  el.replaceChildren();
  const table = document.createElement('table');
  const head = document.createElement('tr');
  for (const h of ['method', 'path', 'what']) { const th = text('th', h); th.scope = 'col'; head.appendChild(th); }
  table.appendChild(document.createElement('thead')).appendChild(head);
  const body = table.appendChild(document.createElement('tbody'));
  for (const [path, ops] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (typeof op !== 'object' || !op.responses) continue;
      const row = document.createElement('tr');
      row.appendChild(text('td', method.toUpperCase()));
      row.appendChild(text('td', path, 'path'));
      row.appendChild(text('td', op.summary || ''));
      body.appendChild(row);
    }
  }
  el.appendChild(table);
}

// Lateness and duration of the recent runs as an SVG chart, with a marker per occurrence that did not run.
function timeline(figure) {
  const runs = JSON.parse(figure.dataset.runs || '[]');
  if (runs.length === 0) return;
  const ns = 'http://www.w3.org/2000/svg';
  const w = 800, h = 160, pad = 30;
  const max = Math.max(1, ...runs.map((r) => Math.max(r.late || 0, r.ms || 0)));
  const x = (i) => pad + (runs.length === 1 ? 0 : (i * (w - 2 * pad)) / (runs.length - 1));
  const y = (v) => h - pad - ((v || 0) * (h - 2 * pad)) / max;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Lateness and duration of ${runs.length} runs; the longest ${Math.round(max)} ms`);
  const line = (key, cls) => {
    const p = document.createElementNS(ns, 'polyline');
    p.setAttribute('class', cls);
    p.setAttribute('points', runs.map((r, i) => `${x(i)},${y(r[key])}`).join(' '));
    svg.appendChild(p);
  };
  line('late', 'lateness');
  line('ms', 'duration');
  runs.forEach((r, i) => {
    if (r.status !== 'Missed' && r.status !== 'Skipped' && r.status !== 'Rejected') return;
    const m = document.createElementNS(ns, 'path');
    m.setAttribute('class', 'marker');
    m.setAttribute('d', `M ${x(i)} ${h - pad + 4} l -5 9 h 10 z`);
    const t = document.createElementNS(ns, 'title');
    t.textContent = `${r.status} at ${r.at}`;
    m.appendChild(t);
    svg.appendChild(m);
  });
  const legend = document.createElementNS(ns, 'text');
  legend.setAttribute('x', pad);
  legend.setAttribute('y', 14);
  legend.textContent = `lateness (orange) and duration (blue), 0–${Math.round(max)} ms`;
  svg.appendChild(legend);
  figure.insertBefore(svg, figure.firstChild);
}

document.addEventListener('DOMContentLoaded', () => {
  const chart = document.querySelector('figure#timeline[data-runs]');
  if (chart) timeline(chart);
  const runs = document.querySelector('table#runs[data-live]');
  if (runs) liveRuns(runs);
  const create = document.querySelector('form#create[data-preview]');
  if (create) cronCheck(create);
  if (create && create.dataset.check) ddlCheck(create);
  const ref = document.querySelector('#reference[data-openapi]');
  if (ref) reference(ref);
});
