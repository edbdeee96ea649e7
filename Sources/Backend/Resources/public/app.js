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
  // A few seconds either way is clock skew between server and browser, not the future.
  if (Math.abs(seconds) < 5) return 'just now';
  return seconds < 0 ? `in ${span(-seconds)}` : `${span(seconds)} ago`;
}

// Times arrive as UTC; show them in the browser's zone, and relative ones kept current.
function formatTimes(root) {
  for (const el of root.querySelectorAll('time[datetime]')) {
    const date = new Date(el.getAttribute('datetime'));
    if (isNaN(date)) continue;  // the server leaves an empty datetime where it has no instant
    el.title = date.toString();
    el.textContent = el.classList.contains('ago') ? ago(date) : localText(date);
  }
}

// The journal form: show its times in the local zone, send the zone's offset, drop empty fields.
function setUpJournalFilters() {
  const form = document.getElementById('journal-filters');
  if (!form) return;
  const times = [...form.querySelectorAll('input[type=datetime-local]')];
  for (const input of times) {
    const date = new Date(input.dataset.utc || '');
    if (!isNaN(date)) input.value = inputValue(date);
  }
  const tz = form.querySelector('input.tz');
  if (tz) tz.value = String(-new Date().getTimezoneOffset());
  form.addEventListener('submit', () => {
    const typed = times.find((i) => i.value);
    // The offset at the typed time, not today's: a search across a DST change must not be an hour off.
    const at = typed ? new Date(typed.value) : null;
    if (tz && at && !isNaN(at)) tz.value = String(-at.getTimezoneOffset());
    for (const field of form.querySelectorAll('input, select')) {
      if (field === tz ? !typed : !field.value) field.disabled = true;
    }
  });
  // Back from the results, the cached page still has its empty fields disabled: give them back.
  addEventListener('pageshow', () => { for (const field of form.elements) field.disabled = false; });
}

// Dashboard and host page: fetch the page again and swap #live's content, so nothing flickers.
function setUpRefresh() {
  const live = document.getElementById('live');
  if (!live || !live.dataset.refresh) return;
  const seconds = Math.max(5, Number(live.dataset.refresh) || 30);
  let busy = false;
  // Never pull the page from under someone using it: an open menu, a form being typed in, text being selected.
  const inUse = () => document.hidden || document.querySelector('details.menu[open]')
    || (document.activeElement && document.activeElement.closest('form'))
    || String(getSelection() || '') !== '';
  setInterval(async () => {
    if (busy || inUse()) return;
    busy = true;
    try {
      const response = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (new URL(response.url).pathname === '/login') { location.assign(response.url); return; }
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live');
      const current = document.getElementById('live');
      // Check again: the user may have opened a menu while the request was under way.
      if (fresh && current && !inUse()) {
        current.innerHTML = fresh.innerHTML;
        formatTimes(current);
      }
    } catch (_) { /* offline for a moment: try again next round */ } finally { busy = false; }
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
  let copied = true;
  try {
    await navigator.clipboard.writeText(target.textContent);
  } catch (_) {
    // Plain http has no clipboard API: select the text and use the older command.
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { copied = document.execCommand('copy'); } catch (_) { copied = false; }
    // If even that failed, leave the text selected so the user can copy it by hand.
    if (copied) selection.removeAllRanges();
  }
  // Remember the first label, so a second click within 1.5 s cannot leave "Copied" for good.
  if (!button.dataset.label) button.dataset.label = button.textContent;
  button.textContent = copied ? 'Copied' : 'Press Ctrl+C';
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

// Raw message bytes as text, as the server shows them: valid UTF-8 as is, tab and newline kept,
// other control bytes and broken sequences as \xNN.
const strictUTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function escapedBytes(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    if (length > 1 && i + length <= bytes.length) {
      try { out += strictUTF8.decode(bytes.subarray(i, i + length)); i += length; continue; } catch (_) { /* not UTF-8: escape */ }
    }
    out += (length === 1 && b >= 0x20 && b !== 0x7f) || b === 0x09 || b === 0x0a
      ? String.fromCharCode(b) : '\\x' + b.toString(16).padStart(2, '0');
    i += 1;
  }
  return out;
}

function messageText(entry) {
  if (!entry.messageBase64) return entry.message;
  try { return escapedBytes(entry.messageBase64); } catch (_) { return entry.message; }
}

// One journal row, built from data with textContent only; fields in the server's order.
function journalRow(entry) {
  const priority = entry.priority ?? 6;
  const row = el('tr', `entry prio-${priority}`);
  row.dataset.id = entry.id;
  const time = el('time', 'abs', entry.at);
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
  summary.append(el('span', entry.messageBase64 ? 'text binary' : 'text', messageText(entry)));
  const fields = el('dl', 'fields');
  const pairs = [['cursor', entry.cursor], ['boot', entry.bootId], ['seqnum', entry.seqnum],
    ['unit', entry.unit], ['identifier', entry.identifier], ['container', entry.containerName],
    ['container id', entry.containerId], ['pid', entry.pid], ['transport', entry.transport]];
  const extra = entry.fields || {};
  for (const name of Object.keys(extra).sort()) {
    const value = extra[name];
    pairs.push([name, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
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
  const note = (text) => {
    const old = box.parentElement.querySelector('.tail-note');
    if (old) old.remove();
    if (text) box.parentElement.append(el('span', 'tail-note', text));
  };
  const stop = () => { if (timer) clearInterval(timer); timer = null; };
  const poll = async () => {
    // A slow answer must not overlap the next poll: both would ask after the same token and add rows twice.
    // A hidden tab waits; the token makes it catch up when shown again.
    if (busy || document.hidden) return;
    busy = true;
    const params = new URLSearchParams(box.dataset.apiQuery || '');
    if (box.dataset.newest) params.set('after', box.dataset.newest);
    params.set('limit', '200');
    try {
      const response = await fetch('/api/v1/journal?' + params, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (response.status === 401) {
        box.checked = false;
        stop();
        note(' session ended: log in again');
        return;
      }
      if (!response.ok || !box.checked) return;
      const page = await response.json();
      if (page.newer) box.dataset.newest = page.newer;
      if (!Array.isArray(page.entries) || page.entries.length === 0) return;
      const empty = document.getElementById('journal-empty');
      if (empty) empty.remove();
      const rows = document.createDocumentFragment();
      for (const entry of page.entries) rows.append(journalRow(entry));
      body.prepend(rows);
      // Keep the page light when tailing for hours: the oldest rows go.
      while (body.rows.length > 1000) body.deleteRow(-1);
    } catch (_) { /* a failed poll is retried by the next one */ } finally { busy = false; }
  };
  box.addEventListener('change', () => {
    stop();
    if (box.checked) { note(''); poll(); timer = setInterval(poll, 2000); }
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
