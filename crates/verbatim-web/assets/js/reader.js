// The source reader: paints codings as highlights and margin stripes in
// one pass over UTF-16 offsets, codes selections through a type-to-filter
// picker, and edits a coding from the side panel. Every change goes
// through the JSON API (/api/...), which calls the same library functions
// as the command line.
//
// Offsets: the server gives each text block its UTF-16 span (data-u,
// data-e) and each coding its UTF-16 span from the source's start, which
// is what DOM ranges count; the server converts to the study's chars.

import { api, fill, h, t, toast } from './common.js';

performance.mark('reader-start');

const reader = document.getElementById('reader');
const doc = document.getElementById('doc');
const stripesEl = document.getElementById('stripes');
const picker = document.getElementById('picker');
const pickerInput = document.getElementById('picker-input');
const pickerList = document.getElementById('picker-list');
const detail = document.getElementById('detail');
const legendList = document.getElementById('legend-list');
const help = document.getElementById('help');

const sourceId = Number(reader.dataset.source);
const me = Number(reader.dataset.me);
const enabled = reader.hasAttribute('data-enabled');
let codings = JSON.parse(reader.dataset.codings || '[]');
const codes = new Map(JSON.parse(reader.dataset.codes || '[]').map((c) => [c.id, c]));
const coders = new Map(JSON.parse(reader.dataset.coders || '[]').map((c) => [c.id, c]));

/** The text blocks, in order, with their UTF-16 spans. */
const blocks = [...doc.querySelectorAll('.txt')].map((el) => ({
  el,
  u: Number(el.dataset.u),
  e: Number(el.dataset.e),
  text: el.textContent,
}));

/** Coding id -> [first mark, last mark], filled by paint(). */
let marksOf = new Map();
/** The coding open in the panel. */
let current = null;
/** The selection waiting for a code: {start, end}. */
let pending = null;

// ---------------------------------------------------------------- painting

/** Returns the index of the first block whose end is after `u`. */
function blockAt(u) {
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid].e <= u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Returns, per block index, the codings overlapping it. */
function codingsPerBlock() {
  const per = blocks.map(() => []);
  for (const c of codings) {
    for (let i = blockAt(c.start); i < blocks.length && blocks[i].u < c.end; i++) {
      if (c.end > blocks[i].u && c.start < blocks[i].e) per[i].push(c);
    }
  }
  return per;
}

/** Rebuilds one block's text as plain runs and <mark>s. */
function paintBlock(block, list) {
  const { el, u, e, text } = block;
  if (list.length === 0) {
    if (el.childNodes.length !== 1 || el.firstChild.nodeType !== Node.TEXT_NODE) el.textContent = text;
    return;
  }
  const cuts = new Set([u, e]);
  for (const c of list) {
    cuts.add(Math.max(u, c.start));
    cuts.add(Math.min(e, c.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const frag = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const piece = text.slice(a - u, b - u);
    const over = list.filter((c) => c.start <= a && c.end >= b);
    if (over.length === 0) {
      frag.append(piece);
      continue;
    }
    // The innermost (shortest) coding gives the colour.
    let top = over[0];
    for (const c of over) if (c.end - c.start < top.end - top.start) top = c;
    const code = codes.get(top.code_id);
    const mark = document.createElement('mark');
    mark.className = `hl ${code ? code.colour : 'k0'}${over.length > 1 ? ' many' : ''}${top.coder_id !== me ? ' other' : ''}`;
    mark.dataset.ids = over.map((c) => c.id).join(' ');
    mark.tabIndex = 0;
    mark.setAttribute('role', 'button');
    mark.textContent = piece;
    frag.append(mark);
  }
  el.replaceChildren(frag);
}

/** Paints every block, or only those overlapping [from, to). */
function paint(from = -Infinity, to = Infinity) {
  codings.sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id);
  const per = codingsPerBlock();
  blocks.forEach((block, i) => {
    if (block.e > from && block.u < to) paintBlock(block, per[i]);
  });
  indexMarks();
  drawStripes();
  drawLegend();
}

/** Rebuilds marksOf (coding id -> first and last mark) from the page, in order. */
function indexMarks() {
  marksOf = new Map();
  for (const mark of doc.querySelectorAll('mark.hl')) {
    for (const id of mark.dataset.ids.split(' ')) {
      const key = Number(id);
      const seen = marksOf.get(key);
      if (seen) seen[1] = mark;
      else marksOf.set(key, [mark, mark]);
    }
  }
}

/** Returns the stripe lane key of a coding: per code, and per coder once revealed. */
function laneKey(c) {
  return `${c.coder_id}:${c.code_id}`;
}

const MAX_LANES = 10;

/** Draws one stripe per coding in the margin, one lane per code (and coder). */
function drawStripes() {
  const lanes = new Map();
  for (const c of codings) if (!lanes.has(laneKey(c))) lanes.set(laneKey(c), lanes.size);
  const base = doc.getBoundingClientRect();
  const frag = document.createDocumentFragment();
  // Read every position first, then write: one layout for all stripes.
  const spans = [];
  for (const c of codings) {
    const m = marksOf.get(c.id);
    if (!m) continue;
    const top = m[0].getBoundingClientRect().top - base.top;
    const bottom = m[1].getBoundingClientRect().bottom - base.top;
    spans.push([c, top, bottom]);
  }
  for (const [c, top, bottom] of spans) {
    const lane = Math.min(lanes.get(laneKey(c)), MAX_LANES - 1);
    const code = codes.get(c.code_id);
    const coder = coders.get(c.coder_id);
    const stripe = document.createElement('div');
    stripe.className = `stripe ${code ? code.colour : 'k0'}${c.coder_id !== me ? ' other' : ''}`;
    stripe.dataset.id = c.id;
    stripe.dataset.code = c.code_id;
    stripe.title = `${code ? code.name : t('code')}${coder && coders.size > 1 ? ` · ${coder.name}` : ''}`;
    stripe.style.top = `${top}px`;
    stripe.style.height = `${Math.max(4, bottom - top)}px`;
    stripe.style.right = `${lane * 9}px`;
    frag.append(stripe);
  }
  stripesEl.replaceChildren(frag);
  stripesEl.style.width = `${Math.min(lanes.size, MAX_LANES) * 9}px`;
}

/** Lists the codes used in this source with their counts. */
function drawLegend() {
  const counts = new Map();
  for (const c of codings) counts.set(laneKey(c), (counts.get(laneKey(c)) || 0) + 1);
  const items = [...counts.entries()].map(([key, n]) => {
    const [coderId, codeId] = key.split(':').map(Number);
    const code = codes.get(codeId);
    const coder = coders.get(coderId);
    return h('li', { dataset: { code: codeId, coder: coderId }, tabindex: '0', role: 'button' },
      h('span', { class: `swatch ${code ? code.colour : 'k0'}` }),
      h('span', { class: 'name' }, code ? code.name : t('code_n', { id: codeId })),
      coders.size > 1 && coder ? h('span', { class: 'by' }, coder.initials) : null,
      h('span', { class: 'n' }, n));
  });
  items.sort((a, b) => a.textContent.localeCompare(b.textContent));
  legendList.replaceChildren(...(items.length ? items : [h('li', { class: 'muted' }, enabled ? t('no_codings') : t('choose_coder_to_see'))]));
}

// ---------------------------------------------------------------- offsets

/** Returns the UTF-16 offset, from the source's start, of a DOM point in a block. */
function offsetIn(block, node, offset) {
  const range = document.createRange();
  range.setStart(block.el, 0);
  range.setEnd(node, offset);
  return block.u + range.toString().length;
}

/** Returns the selection as {start, end} UTF-16 offsets, or null. */
function selectionSpan() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const touched = blocks.filter((b) => range.intersectsNode(b.el));
  if (touched.length === 0) return null;
  const first = touched[0];
  const last = touched[touched.length - 1];
  let start = first.el.contains(range.startContainer) ? offsetIn(first, range.startContainer, range.startOffset) : first.u;
  let end = last.el.contains(range.endContainer) ? offsetIn(last, range.endContainer, range.endOffset) : last.e;
  // Leave out white space at either end, as a researcher means.
  const all = (u) => blocks[blockAt(u)];
  while (start < end) {
    const b = all(start);
    if (!b || !/\s/.test(b.text[start - b.u] || '')) break;
    start++;
  }
  while (end > start) {
    const b = all(end - 1);
    if (!b || !/\s/.test(b.text[end - 1 - b.u] || '')) break;
    end--;
  }
  return end > start ? { start, end } : null;
}

/** Returns the DOM point at UTF-16 offset `u` of a block. */
function pointAt(block, u) {
  const walker = document.createTreeWalker(block.el, NodeFilter.SHOW_TEXT);
  let left = u - block.u;
  let node = walker.nextNode();
  while (node) {
    if (left <= node.length) return [node, left];
    left -= node.length;
    node = walker.nextNode();
  }
  return [block.el, block.el.childNodes.length];
}

/** Returns a DOM range over [start, end) UTF-16 units of the source. */
function rangeOf(start, end) {
  const a = blocks[blockAt(start)];
  const b = blocks[blockAt(Math.max(start, end - 1))];
  if (!a || !b) return null;
  const range = document.createRange();
  range.setStart(...pointAt(a, Math.max(start, a.u)));
  range.setEnd(...pointAt(b, Math.min(end, b.e)));
  return range;
}

// ---------------------------------------------------------------- picker

let pickerItems = [];
let pickerIndex = 0;

/** Returns the codes this coder may code with: their own and the shared. */
function usableCodes() {
  return [...codes.values()].filter((c) => c.owner === me || c.owner === null);
}

function openPicker() {
  if (!enabled) { toast(t('choose_coder_first'), 'error'); return; }
  const span = selectionSpan();
  if (!span) return;
  pending = span;
  const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
  picker.hidden = false;
  picker.style.top = `${window.scrollY + rect.bottom + 6}px`;
  picker.style.left = `${Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + window.innerWidth - 340))}px`;
  pickerInput.value = '';
  renderPicker();
  pickerInput.focus({ preventScroll: true });
}

function closePicker() {
  const wasOpen = !picker.hidden;
  picker.hidden = true;
  pending = null;
  if (wasOpen && picker.contains(document.activeElement)) doc.focus({ preventScroll: true });
}

function fold(s) {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function renderPicker() {
  const q = fold(pickerInput.value.trim());
  const all = usableCodes();
  const hits = all.filter((c) => fold(c.name).includes(q));
  hits.sort((a, b) => (fold(a.name).startsWith(q) ? 0 : 1) - (fold(b.name).startsWith(q) ? 0 : 1) || a.name.localeCompare(b.name));
  pickerItems = hits.slice(0, 50).map((c) => ({ code: c }));
  const typed = pickerInput.value.trim();
  if (typed && !all.some((c) => fold(c.name) === q)) pickerItems.push({ create: typed });
  pickerIndex = 0;
  pickerList.replaceChildren(...pickerItems.map((item, i) => {
    const li = item.code
      ? h('li', { role: 'option', dataset: { i } }, h('span', { class: `swatch ${item.code.colour}` }), item.code.name, item.code.owner === null ? h('span', { class: 'muted small' }, ` ${t('shared')}`) : null)
      : h('li', { role: 'option', class: 'create', dataset: { i } }, t('new_code', { name: item.create }));
    return li;
  }));
  if (pickerItems.length === 0) pickerList.append(h('li', { class: 'muted' }, t('type_to_create')));
  highlightPicker();
}

function highlightPicker() {
  [...pickerList.children].forEach((li, i) => li.classList.toggle('active', i === pickerIndex));
  const active = pickerList.children[pickerIndex];
  if (active) active.scrollIntoView({ block: 'nearest' });
}

async function applyPicked(item) {
  if (!pending || !item) return;
  const body = { source_id: sourceId, start: pending.start, end: pending.end };
  if (item.code) body.code_id = item.code.id;
  else body.new_code = { name: item.create };
  closePicker();
  const t0 = performance.now();
  try {
    const created = await api('POST', '/api/codings', body);
    const t1 = performance.now();
    window.verbatimTimings = window.verbatimTimings || [];
    window.verbatimTimings.push(t1 - t0);
    performance.measure('coding-round-trip', { start: t0, end: t1 });
    if (created.code) codes.set(created.code.id, created.code);
    if (!codings.some((c) => c.id === created.coding.id)) codings.push(created.coding);
    window.getSelection().removeAllRanges();
    paint(created.coding.start, created.coding.end);
    const code = codes.get(created.coding.code_id);
    toast(created.new ? t('coded', { name: code ? code.name : t('the_code') }) : t('already_coded'));
  } catch (err) {
    toast(err.message, 'error');
  }
}

pickerInput.addEventListener('input', renderPicker);
pickerInput.addEventListener('keydown', (ev) => {
  if (ev.key === 'ArrowDown') { pickerIndex = Math.min(pickerIndex + 1, pickerItems.length - 1); highlightPicker(); ev.preventDefault(); }
  else if (ev.key === 'ArrowUp') { pickerIndex = Math.max(pickerIndex - 1, 0); highlightPicker(); ev.preventDefault(); }
  else if (ev.key === 'Enter') { applyPicked(pickerItems[pickerIndex]); ev.preventDefault(); }
  else if (ev.key === 'Escape') { closePicker(); ev.preventDefault(); }
});
pickerList.addEventListener('mousedown', (ev) => {
  const li = ev.target.closest('li[data-i]');
  if (li) { ev.preventDefault(); applyPicked(pickerItems[Number(li.dataset.i)]); }
});

// ---------------------------------------------------------------- panel

function focusCoding(id) {
  for (const el of doc.querySelectorAll('.focus')) el.classList.remove('focus');
  if (id === null) return;
  for (const mark of doc.querySelectorAll('mark.hl')) {
    if (mark.dataset.ids.split(' ').includes(String(id))) mark.classList.add('focus');
  }
  const stripe = stripesEl.querySelector(`.stripe[data-id="${id}"]`);
  if (stripe) stripe.classList.add('focus');
}

async function openCoding(id, others = []) {
  let d;
  try {
    d = await api('GET', `/api/codings/${id}`);
  } catch (err) {
    toast(err.message, 'error');
    return;
  }
  current = d;
  focusCoding(id);
  const code = codes.get(d.code_id);
  const tabs = others.length > 1
    ? h('div', { class: 'tabs' }, others.map((oid) => {
      const c = codings.find((x) => x.id === oid);
      const k = c && codes.get(c.code_id);
      return h('button', { type: 'button', class: `tab${oid === id ? ' active' : ''}`, onclick: () => openCoding(oid, others) },
        h('span', { class: `swatch ${k ? k.colour : 'k0'}` }), k ? k.name : t('coding_n', { id: oid }));
    }))
    : null;
  const memo = h('textarea', { id: 'memo', rows: 3, placeholder: t('memo_placeholder'), disabled: !d.mine });
  memo.value = d.memo || '';
  const quote = h('input', { type: 'checkbox', id: 'quote', disabled: !d.mine });
  quote.checked = d.is_quote;
  const lang = h('input', { type: 'text', id: 'tr-lang', size: 3, value: 'en', 'aria-label': t('language') });
  const trText = h('textarea', { id: 'tr-text', rows: 2, placeholder: t('translation_placeholder') });
  const translations = d.translations_text.map(([l, text]) => h('p', { class: 'translation' }, h('span', { class: 'tag' }, l), ' ', text));
  fill(detail,
    h('button', { type: 'button', class: 'close', title: t('close'), onclick: closeDetail }, '×'),
    tabs,
    h('h2', {}, h('span', { class: `swatch ${code ? code.colour : 'k0'}` }), d.code),
    h('p', { class: 'muted small' }, `${d.coder}${d.speakers.length ? ` · ${d.speakers.join(', ')}` : ''}`),
    h('blockquote', { class: 'passage' }, d.text),
    h('label', { class: 'check' }, quote, ` ${t('quote')} `, h('kbd', {}, 'q')),
    h('label', { for: 'memo' }, t('memo')),
    memo,
    d.mine ? h('div', { class: 'row' }, h('button', { type: 'button', id: 'save-memo', onclick: () => saveMemo(memo.value) }, t('save_memo'))) : null,
    translations.length ? h('div', { class: 'translations' }, translations) : null,
    d.mine ? h('details', { class: 'translate' }, h('summary', {}, t('translate')), h('div', { class: 'row' }, lang, trText), h('button', { type: 'button', id: 'save-translation', onclick: () => saveTranslation(lang.value, trText.value) }, t('save_translation'))) : null,
    d.mine ? h('div', { class: 'row actions' },
      h('button', { type: 'button', id: 'set-span', title: t('set_span_title'), onclick: resizeToSelection }, t('set_span')),
      h('button', { type: 'button', id: 'remove', class: 'danger', onclick: removeCurrent }, t('remove'))) : h('p', { class: 'muted small' }, t('read_only')),
  );
  quote.addEventListener('change', () => setQuote(quote.checked));
  detail.hidden = false;
}

function closeDetail() {
  detail.hidden = true;
  current = null;
  focusCoding(null);
}

function replaceCoding(updated) {
  const i = codings.findIndex((c) => c.id === updated.id);
  const old = i >= 0 ? codings[i] : updated;
  if (i >= 0) codings[i] = updated;
  else codings.push(updated);
  return [Math.min(old.start, updated.start), Math.max(old.end, updated.end)];
}

async function setQuote(flag) {
  if (!current) return;
  try {
    const updated = await api('PATCH', `/api/codings/${current.id}`, { is_quote: flag });
    replaceCoding(updated);
    current.is_quote = updated.is_quote;
    toast(flag ? t('quoted') : t('unquoted'));
  } catch (err) { toast(err.message, 'error'); }
}

async function saveMemo(text) {
  if (!current) return;
  try {
    replaceCoding(await api('PATCH', `/api/codings/${current.id}`, { memo: text }));
    toast(t('memo_saved'));
  } catch (err) { toast(err.message, 'error'); }
}

async function saveTranslation(language, text) {
  if (!current) return;
  try {
    replaceCoding(await api('PUT', `/api/codings/${current.id}/translations/${encodeURIComponent(language.trim())}`, { text }));
    toast(t('translation_saved'));
    openCoding(current.id);
  } catch (err) { toast(err.message, 'error'); }
}

async function resizeToSelection() {
  if (!current) return;
  const span = selectionSpan();
  if (!span) { toast(t('select_first'), 'error'); return; }
  try {
    const updated = await api('PATCH', `/api/codings/${current.id}/span`, span);
    const [a, b] = replaceCoding(updated);
    window.getSelection().removeAllRanges();
    paint(a, b);
    openCoding(updated.id);
    toast(t('span_changed'));
  } catch (err) { toast(err.message, 'error'); }
}

async function removeCurrent() {
  if (!current) return;
  const id = current.id;
  try {
    await api('DELETE', `/api/codings/${id}`);
    const gone = codings.find((c) => c.id === id);
    codings = codings.filter((c) => c.id !== id);
    closeDetail();
    if (gone) paint(gone.start, gone.end);
    toast(t('removed'));
  } catch (err) { toast(err.message, 'error'); }
}

// ---------------------------------------------------------------- history

async function history(which) {
  try {
    const done = await api('POST', `/api/${which}`);
    codings = await api('GET', `/api/sources/${sourceId}/codings`);
    // A code created or merged elsewhere may be new to this page.
    const known = await api('GET', '/api/codes/visible');
    for (const c of known) codes.set(c.id, c);
    closeDetail();
    paint();
    const what = done.replayed.map((r) => r.description).join(', ');
    if (which === 'undo') toast(done.replayed.length ? t('undid', { what }) : t('nothing_undo'));
    else toast(done.replayed.length ? t('redid', { what }) : t('nothing_redo'));
  } catch (err) { toast(err.message, 'error'); }
}

document.getElementById('undo').addEventListener('click', () => history('undo'));
document.getElementById('redo').addEventListener('click', () => history('redo'));

// ---------------------------------------------------------------- events

doc.addEventListener('mouseup', () => {
  if (window.getSelection().isCollapsed) return;
  setTimeout(openPicker, 0);
});

doc.addEventListener('click', (ev) => {
  // A click from the keyboard (Enter on a focused highlight, detail 0)
  // opens the coding even while the caret holds a selection.
  if (!window.getSelection().isCollapsed && ev.detail !== 0) return;
  const mark = ev.target.closest('mark.hl');
  const stripe = ev.target.closest('.stripe');
  if (mark) {
    const ids = mark.dataset.ids.split(' ').map(Number);
    const innermost = ids.map((id) => codings.find((c) => c.id === id)).filter(Boolean)
      .sort((a, b) => (a.end - a.start) - (b.end - b.start))[0];
    if (innermost) openCoding(innermost.id, ids);
  } else if (stripe) {
    openCoding(Number(stripe.dataset.id));
  }
});

document.addEventListener('mousedown', (ev) => {
  if (!picker.hidden && !picker.contains(ev.target)) closePicker();
});

document.addEventListener('keydown', (ev) => {
  const typing = ev.target.closest && ev.target.closest('input, textarea, select');
  if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'z' && !typing) {
    history(ev.shiftKey ? 'redo' : 'undo');
    ev.preventDefault();
    return;
  }
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === 'c') { openPicker(); ev.preventDefault(); }
  else if (ev.key === 'Escape') { closePicker(); closeDetail(); help.hidden = true; }
  else if (ev.key === 'q' && current && current.mine) {
    const box = document.getElementById('quote');
    box.checked = !box.checked;
    setQuote(box.checked);
  } else if (ev.key === 'Delete' && current && current.mine) removeCurrent();
  else if (ev.key === '?') help.hidden = !help.hidden;
});

let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(drawStripes, 100);
});


// ---------------------------------------------------------------- keyboard caret

// Coding without a mouse: Tab focuses the transcript (#doc), where a caret
// (a drawn bar, the text is not editable) moves by word (w, b) and by
// sentence (), () as in vi; Shift+W / Shift+B extend the selection by a
// word, `v` starts a selection every move then extends; c or Enter opens
// the picker on it. Positions are UTF-16 offsets of the source, like the
// codings', so the selection is the same DOM range a mouse would make.

/** Sorted word starts and ends, sentence starts and ends, over all blocks. */
const stops = { wordStart: [], wordEnd: [], sentStart: [], sentEnd: [] };
for (const b of blocks) {
  for (const m of b.text.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)) {
    stops.wordStart.push(b.u + m.index);
    stops.wordEnd.push(b.u + m.index + m[0].length);
  }
  for (const m of b.text.matchAll(/[^.!?…]+(?:[.!?…]+["»”’)]*|$)/gu)) {
    const lead = m[0].length - m[0].trimStart().length;
    const body = m[0].trim();
    if (!body) continue;
    stops.sentStart.push(b.u + m.index + lead);
    stops.sentEnd.push(b.u + m.index + lead + body.length);
  }
}

/** The caret: where the selection began (anchor) and where it is (head). */
const caret = { anchor: blocks.length ? blocks[0].u : 0, head: blocks.length ? blocks[0].u : 0, visual: false };
const caretEl = h('div', { class: 'caret', 'aria-hidden': 'true', hidden: true });
doc.append(caretEl);

/** Returns the first stop after `u` (forward) or before it, or `u` when none. */
function nextStop(list, u, forward) {
  if (forward) return list.find((x) => x > u) ?? u;
  let best = u;
  for (const x of list) { if (x < u) best = x; else break; }
  return best;
}

/** Shows the caret and the selection [anchor, head) on the page. */
function showCaret() {
  const sel = window.getSelection();
  sel.removeAllRanges();
  const [a, b] = [Math.min(caret.anchor, caret.head), Math.max(caret.anchor, caret.head)];
  if (a < b) {
    const range = rangeOf(a, b);
    if (range) sel.addRange(range);
  }
  const block = blocks.find((bl) => bl.u <= caret.head && caret.head <= bl.e);
  if (!block) return;
  const at = document.createRange();
  const [node, offset] = pointAt(block, Math.max(block.u, Math.min(caret.head, block.e)));
  at.setStart(node, offset);
  at.collapse(true);
  const r = at.getClientRects()[0] || block.el.getBoundingClientRect();
  const base = doc.getBoundingClientRect();
  caretEl.style.top = `${r.top - base.top}px`;
  caretEl.style.left = `${r.left - base.left}px`;
  caretEl.style.height = `${r.height || 18}px`;
  caretEl.hidden = false;
  caretEl.scrollIntoView({ block: 'nearest' });
}

/** Moves the caret; extends the selection when `extend` or in visual mode. */
function moveCaret(to, extend) {
  caret.head = to;
  if (!extend && !caret.visual) caret.anchor = to;
  showCaret();
}

/** The caret's keys, as (key) -> [list of stops, forward, extends]. */
const CARET_KEYS = {
  w: ['wordStart', true, false],
  b: ['wordStart', false, false],
  W: ['wordEnd', true, true],
  B: ['wordStart', false, true],
  ')': ['sentStart', true, false],
  '(': ['sentStart', false, false],
};

doc.addEventListener('focus', () => { if (document.activeElement === doc) showCaret(); });
doc.addEventListener('blur', () => { caretEl.hidden = true; });

doc.addEventListener('keydown', (ev) => {
  if (ev.target !== doc || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const move = CARET_KEYS[ev.key];
  if (move) {
    let [list, forward, extend] = move;
    // In visual mode a forward sentence move stops at the sentence's end.
    if (caret.visual && list === 'sentStart' && forward) list = 'sentEnd';
    if (caret.visual && list === 'wordStart' && forward) list = 'wordEnd';
    moveCaret(nextStop(stops[list], caret.head, forward), extend);
    ev.preventDefault();
    ev.stopPropagation();
  } else if (ev.key === 'v') {
    caret.visual = !caret.visual;
    caret.anchor = caret.head;
    if (caret.visual) toast(t('selecting'));
    showCaret();
    ev.preventDefault();
  } else if (ev.key === 'Enter' || ev.key === 'c') {
    if (caret.anchor === caret.head) toast(t('no_selection'), 'error');
    else { caret.visual = false; openPicker(); }
    ev.preventDefault();
    ev.stopPropagation();
  } else if (ev.key === 'Escape') {
    caret.visual = false;
    moveCaret(caret.head, false);
  }
});

legendList.addEventListener('click', (ev) => {
  const li = ev.target.closest('li[data-code]');
  if (!li) return;
  const first = codings.find((c) => c.code_id === Number(li.dataset.code) && c.coder_id === Number(li.dataset.coder));
  if (!first) return;
  const marks = marksOf.get(first.id);
  if (marks) marks[0].scrollIntoView({ block: 'center' });
  openCoding(first.id);
});

// ---------------------------------------------------------------- jump to a passage

/** Scrolls to ?hl=START-END (UTF-16) and outlines it for a moment. */
function flashFromUrl() {
  const m = /^(\d+)-(\d+)$/.exec(new URLSearchParams(window.location.search).get('hl') || '');
  if (!m) return;
  const range = rangeOf(Number(m[1]), Number(m[2]));
  if (!range) return;
  const base = doc.getBoundingClientRect();
  const boxes = [...range.getClientRects()].map((r) => {
    const box = document.createElement('div');
    box.className = 'flash';
    box.style.top = `${r.top - base.top}px`;
    box.style.left = `${r.left - base.left}px`;
    box.style.width = `${r.width}px`;
    box.style.height = `${r.height}px`;
    return box;
  });
  doc.append(...boxes);
  if (boxes[0]) boxes[0].scrollIntoView({ block: 'center' });
}

// ---------------------------------------------------------------- start

paint();
performance.mark('highlights-painted');
performance.measure('reader-paint', 'reader-start', 'highlights-painted');
flashFromUrl();
reader.dataset.ready = 'true';
