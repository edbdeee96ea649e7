// Small progressive enhancements: every page works without this script.
'use strict';

const pad = (n) => String(n).padStart(2, '0');
const localText = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
const inputValue = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

function span(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

function ago(date) {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  if (seconds < 0) return `in ${span(-seconds)}`;
  return seconds < 5 ? 'just now' : `${span(seconds)} ago`;
}

// Times arrive as UTC; show them in the browser's zone, and relative ones kept current.
function formatTimes(root) {
  for (const el of root.querySelectorAll('time[datetime]')) {
    const date = new Date(el.getAttribute('datetime'));
    if (isNaN(date)) continue;
    el.title = date.toString();
    el.textContent = el.classList.contains('ago') ? ago(date) : localText(date);
  }
}

// The journal form: show its times in the local zone, send the zone's offset, drop empty fields.
function setUpJournalFilters() {
  const form = document.getElementById('journal-filters');
  if (!form) return;
  for (const input of form.querySelectorAll('input[type=datetime-local][data-utc]')) {
    const utc = input.dataset.utc;
    if (utc) input.value = inputValue(new Date(utc));
  }
  const tz = form.querySelector('input.tz');
  if (tz) tz.value = String(-new Date().getTimezoneOffset());
  form.addEventListener('submit', () => {
    const hasTime = [...form.querySelectorAll('input[type=datetime-local]')].some((i) => i.value);
    for (const field of form.querySelectorAll('input, select')) {
      if (field.name === 'tz' ? !hasTime : !field.value) field.disabled = true;
    }
  });
}

// Dashboard and host page: fetch the page again and swap its body, so nothing flickers.
function setUpRefresh() {
  const live = document.getElementById('live');
  if (!live || !live.dataset.refresh) return;
  const seconds = Math.max(5, Number(live.dataset.refresh) || 30);
  setInterval(async () => {
    const busy = document.querySelector('details.menu[open]') || (document.activeElement && document.activeElement.closest('form'));
    if (busy || document.hidden) return;
    try {
      const response = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (new URL(response.url).pathname === '/login') { location.assign(response.url); return; }
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live');
      const current = document.getElementById('live');
      if (fresh && current && !document.querySelector('details.menu[open]')) {
        current.innerHTML = fresh.innerHTML;
        formatTimes(current);
      }
    } catch (_) { /* offline for a moment: try again next round */ }
  }, seconds * 1000);
}

// Confirmations and copy buttons, delegated so swapped-in rows work too.
document.addEventListener('submit', (event) => {
  // The form or the button that sent it may ask first (the row menu's Delete shares its form).
  const asking = [event.submitter, event.target].find((node) => node && node.dataset && node.dataset.confirm);
  if (asking && !confirm(asking.dataset.confirm)) event.preventDefault();
});

document.addEventListener('click', async (event) => {
  const button = event.target.closest && event.target.closest('button.copy[data-copy]');
  if (!button) return;
  const target = document.querySelector(button.dataset.copy);
  if (!target) return;
  const text = target.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    // Plain http has no clipboard API: select the text and use the older command.
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand('copy');
    selection.removeAllRanges();
  }
  // Remember the first label, so a second click within 1.5 s cannot leave "Copied" for good.
  if (!button.dataset.label) button.dataset.label = button.textContent;
  button.textContent = 'Copied';
  clearTimeout(button.copyTimer);
  button.copyTimer = setTimeout(() => { button.textContent = button.dataset.label; }, 1500);
});

const PRIORITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// One journal row, built from data with textContent only.
function journalRow(entry) {
  const priority = entry.priority ?? 6;
  const row = el('tr', `entry prio-${priority}`);
  row.dataset.id = entry.id;
  const time = el('time', 'abs');
  time.setAttribute('datetime', entry.at);
  const timeCell = el('td', 'time');
  timeCell.append(time);
  const hostLink = el('a', null, entry.host);
  hostLink.href = '/hosts/' + encodeURIComponent(entry.host);
  const hostCell = el('td', 'host');
  hostCell.append(hostLink);
  const prioCell = el('td');
  prioCell.append(el('span', `prio prio-${priority}`, PRIORITIES[Math.min(7, Math.max(0, priority))]));
  const details = el('details');
  const summary = el('summary');
  summary.append(el('span', entry.messageBase64 ? 'text binary' : 'text', entry.message));
  const fields = el('dl', 'fields');
  const pairs = [['unit', entry.unit], ['identifier', entry.identifier], ['container', entry.containerName], ['pid', entry.pid]];
  for (const [name, value] of Object.entries(entry.fields || {})) pairs.push([name, typeof value === 'string' ? value : JSON.stringify(value)]);
  for (const [name, value] of pairs) {
    if (value === undefined || value === null) continue;
    fields.append(el('dt', null, name), el('dd', null, value));
  }
  details.append(summary, fields);
  const messageCell = el('td', 'message');
  messageCell.append(details);
  row.append(timeCell, hostCell, el('td', 'source', entry.unit ?? entry.containerName ?? entry.identifier ?? ''), prioCell, messageCell);
  formatTimes(row);
  return row;
}

// Live tail: ask for entries newer than the newest shown, every 2 s, while the box is ticked.
function setUpLiveTail() {
  const box = document.getElementById('live-tail');
  const body = document.querySelector('#journal tbody');
  if (!box || !body) return;
  let timer = null, busy = false;
  const poll = async () => {
    // A slow answer must not overlap the next poll: both would ask after the same token and add rows twice.
    if (busy) return;
    busy = true;
    const params = new URLSearchParams(box.dataset.apiQuery || '');
    if (box.dataset.newest) params.set('after', box.dataset.newest);
    params.set('limit', '200');
    try {
      const response = await fetch('/api/v1/journal?' + params, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (response.status === 401) {
        box.checked = false;
        stop();
        if (!box.parentElement.querySelector('.tail-note')) box.parentElement.append(el('span', 'tail-note', ' session ended: log in again'));
        return;
      }
      if (!response.ok) return;
      const page = await response.json();
      if (page.newer) box.dataset.newest = page.newer;
      if (!page.entries || page.entries.length === 0) return;
      const empty = document.getElementById('journal-empty');
      if (empty) empty.remove();
      const rows = document.createDocumentFragment();
      for (const entry of page.entries) rows.append(journalRow(entry));
      body.prepend(rows);
      while (body.rows.length > 1000) body.deleteRow(-1);
    } catch (_) { /* a failed poll is retried by the next one */ } finally { busy = false; }
  };
  const stop = () => { if (timer) clearInterval(timer); timer = null; };
  box.addEventListener('change', () => {
    if (box.checked) { poll(); timer = setInterval(poll, 2000); } else stop();
  });
}

formatTimes(document);
// Relative times drift: recompute them, skipping any the server left without a valid instant.
setInterval(() => {
  for (const t of document.querySelectorAll('time.ago[datetime]')) {
    const date = new Date(t.getAttribute('datetime'));
    if (!isNaN(date)) t.textContent = ago(date);
  }
}, 30000);
setUpJournalFilters();
setUpRefresh();
setUpLiveTail();
