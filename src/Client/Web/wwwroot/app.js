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

document.addEventListener('DOMContentLoaded', () => {
  const runs = document.querySelector('table#runs[data-live]');
  if (runs) liveRuns(runs);
  const create = document.querySelector('form#create[data-preview]');
  if (create) cronCheck(create);
  const ref = document.querySelector('#reference[data-openapi]');
  if (ref) reference(ref);
});
