// The theme tree editor: drag and drop to move a code under another,
// reorder siblings or (with Alt) merge; click a code to edit its
// definition and criteria, read its passages across sources, move it
// with a select (no dragging), split off the passages ticked, or delete
// it (its passages go to "Uncategorised").

import { api, fill, h, toast } from './common.js';

const tree = document.getElementById('tree');
const panel = document.getElementById('code-panel');
const dropTop = document.getElementById('drop-top');
let dragged = null;

function liOf(el) { return el && el.closest('li[data-id]'); }

/** Returns where a drop at this event lands on the row: before, after, under or merge. */
function zoneOf(ev, row) {
  if (ev.altKey) return 'merge';
  const r = row.getBoundingClientRect();
  const y = ev.clientY - r.top;
  if (y < r.height * 0.25) return 'before';
  if (y > r.height * 0.75) return 'after';
  return 'under';
}

function clearMarks() {
  for (const el of tree.querySelectorAll('.drop-under, .drop-before, .drop-after, .drop-merge')) {
    el.classList.remove('drop-under', 'drop-before', 'drop-after', 'drop-merge');
  }
}

async function done(promise, message) {
  try {
    await promise;
    sessionStorage.setItem('verbatim-toast', message);
    window.location.reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

if (tree) {
  tree.addEventListener('dragstart', (ev) => {
    const li = liOf(ev.target);
    if (!li) return;
    dragged = li;
    li.firstElementChild.classList.add('dragging');
    ev.dataTransfer.effectAllowed = 'move';
    ev.dataTransfer.setData('text/plain', li.dataset.id);
  });
  tree.addEventListener('dragend', () => {
    if (dragged) dragged.firstElementChild.classList.remove('dragging');
    dragged = null;
    clearMarks();
  });
  tree.addEventListener('dragover', (ev) => {
    const row = ev.target.closest('.node-row');
    const li = liOf(row);
    if (!row || !dragged || li === dragged || dragged.contains(li)) return;
    ev.preventDefault();
    clearMarks();
    row.classList.add(`drop-${zoneOf(ev, row)}`);
  });
  tree.addEventListener('dragleave', (ev) => {
    const row = ev.target.closest('.node-row');
    if (row) row.classList.remove('drop-under', 'drop-before', 'drop-after', 'drop-merge');
  });
  tree.addEventListener('drop', (ev) => {
    const row = ev.target.closest('.node-row');
    const target = liOf(row);
    if (!row || !dragged || !target || target === dragged) return;
    ev.preventDefault();
    const zone = zoneOf(ev, row);
    const id = dragged.dataset.id;
    const name = dragged.querySelector('.name').textContent;
    const targetName = target.querySelector('.name').textContent;
    clearMarks();
    if (zone === 'merge') {
      done(api('POST', `/api/codes/${id}/merge`, { into_id: Number(target.dataset.id) }), `Merged “${name}” into “${targetName}”`);
    } else if (zone === 'under') {
      done(api('POST', `/api/codes/${id}/move`, { parent_id: Number(target.dataset.id) }), `Moved “${name}” under “${targetName}”`);
    } else {
      const parent = Number(target.dataset.parent) || null;
      const siblings = [...target.parentElement.children].filter((li) => li !== dragged);
      const position = siblings.indexOf(target) + (zone === 'after' ? 1 : 0);
      done(api('POST', `/api/codes/${id}/move`, { parent_id: parent, position }), `Moved “${name}”`);
    }
  });
  tree.addEventListener('click', (ev) => {
    const row = ev.target.closest('.node-row');
    if (row) select(liOf(row));
  });
}

if (dropTop) {
  dropTop.addEventListener('dragover', (ev) => { if (dragged) { ev.preventDefault(); dropTop.classList.add('over'); } });
  dropTop.addEventListener('dragleave', () => dropTop.classList.remove('over'));
  dropTop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    dropTop.classList.remove('over');
    if (!dragged) return;
    done(api('POST', `/api/codes/${dragged.dataset.id}/move`, { parent_id: null }), 'Moved to the top level');
  });
}

const addButton = document.getElementById('add-code');
if (addButton) {
  const input = document.getElementById('new-code');
  const level = document.getElementById('new-level');
  const add = () => {
    const name = input.value.trim();
    if (!name) { input.focus(); return; }
    done(api('POST', '/api/codes', { name, level: level.value }), `Added “${name}”`);
  };
  addButton.addEventListener('click', add);
  input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') add(); });
}

function field(label, id, value, rows = 2) {
  const area = h('textarea', { id, rows });
  area.value = value || '';
  return [h('label', { for: id }, label), area];
}

async function select(li) {
  if (!li) return;
  for (const el of document.querySelectorAll('.node-row.selected')) el.classList.remove('selected');
  li.firstElementChild.classList.add('selected');
  const id = li.dataset.id;
  const own = li.closest('[data-book]').dataset.book === 'own';
  let node;
  let passages;
  try {
    [node, passages] = await Promise.all([api('GET', `/api/codes/${id}`), api('GET', `/api/codes/${id}/passages`)]);
  } catch (err) {
    toast(err.message, 'error');
    return;
  }
  const name = h('input', { type: 'text', id: 'code-name', value: node.name, disabled: !own });
  const others = [...tree.querySelectorAll('li[data-id]')].filter((x) => x.dataset.id !== id);
  const mergeSelect = h('select', { id: 'merge-into', 'aria-label': 'Merge into' },
    others.map((x) => h('option', { value: x.dataset.id }, x.querySelector('.name').textContent)));
  // Passages coded with this very code can be ticked for a split.
  const own_passage = (p) => own && String(p.code_id) === id;
  const list = h('ul', { class: 'passages', id: 'passages' }, passages.map((p) => h('li', {},
    h('div', { class: 'src' },
      own_passage(p) ? h('input', { type: 'checkbox', class: 'split-pick', value: p.coding_id, 'aria-label': `Move this passage of ${p.source} to the new code` }) : null,
      h('a', { href: `/sources/${p.source_id}?hl=${p.start}-${p.end}` }, p.source), p.speakers.length ? ` · ${p.speakers.join(', ')}` : '', p.code !== node.name ? ` · ${p.code}` : '', p.is_quote ? ' · quote' : ''),
    h('q', {}, p.text))));
  fill(panel,
    h('h2', {}, h('span', { class: `swatch ${li.querySelector('.swatch').classList[1]}` }), node.name, ' ', h('span', { class: 'level' }, node.level_name)),
    h('p', { class: 'muted small' }, `${node.codings_total} codings in ${node.sources_total} sources (with the codes below)`),
    h('label', { for: 'code-name' }, 'Name'), name,
    ...field('Definition', 'code-definition', node.definition, 3),
    ...field('Include when', 'code-inclusion', node.inclusion),
    ...field('Exclude when', 'code-exclusion', node.exclusion),
    ...field('Example', 'code-example', node.example),
    own ? h('div', { class: 'row' }, h('button', { type: 'button', class: 'primary', id: 'save-code', onclick: () => save(id, node) }, 'Save')) : null,
    own ? moveRow(li, id, node) : null,
    own && others.length ? h('div', { class: 'row' }, h('label', { for: 'merge-into' }, 'Merge into'), mergeSelect,
      h('button', { type: 'button', class: 'danger', onclick: () => done(api('POST', `/api/codes/${id}/merge`, { into_id: Number(mergeSelect.value) }), `Merged “${node.name}”`) }, 'Merge')) : null,
    own ? h('div', { class: 'row' }, h('button', { type: 'button', class: 'danger', id: 'delete-code', onclick: () => remove(id, node) }, 'Delete…')) : null,
    h('h2', { class: 'passages-title' }, `Passages `, h('span', { class: 'count' }, passages.length)),
    own && passages.some(own_passage) ? splitRow(id, node) : null,
    list,
  );
}

/** The "Move under…" select and button: the keyboard's way to move a code. */
function moveRow(li, id, node) {
  // Not under itself or a code below it.
  const targets = [...tree.querySelectorAll('li[data-id]')].filter((x) => x !== li && !li.contains(x));
  const select = h('select', { id: 'move-under', 'aria-label': 'Move under' },
    h('option', { value: '' }, '(top level)'),
    targets.map((x) => h('option', { value: x.dataset.id, selected: x.dataset.id === li.dataset.parent }, x.querySelector('.name').textContent)));
  const go = () => {
    const parent = select.value ? Number(select.value) : null;
    const label = select.value ? `under “${select.selectedOptions[0].textContent}”` : 'to the top level';
    done(api('POST', `/api/codes/${id}/move`, { parent_id: parent }), `Moved “${node.name}” ${label}`);
  };
  return h('div', { class: 'row' }, h('label', { for: 'move-under' }, 'Move under'), select,
    h('button', { type: 'button', id: 'move-code', onclick: go }, 'Move'));
}

/** The split form: a new sibling code takes the passages ticked below. */
function splitRow(id, node) {
  const name = h('input', { type: 'text', id: 'split-name', placeholder: 'New code for the ticked passages', 'aria-label': 'New code name' });
  const go = () => {
    const ids = [...document.querySelectorAll('#passages .split-pick:checked')].map((c) => Number(c.value));
    if (!name.value.trim()) { name.focus(); toast('Name the new code first', 'error'); return; }
    if (ids.length === 0) { toast('Tick the passages the new code takes', 'error'); return; }
    done(api('POST', `/api/codes/${id}/split`, { name: name.value.trim(), coding_ids: ids }),
      `Split “${node.name}”: “${name.value.trim()}” took ${ids.length} passages`);
  };
  return h('div', { class: 'row split' }, name, h('button', { type: 'button', id: 'split-code', onclick: go }, 'Split off ticked'));
}

/** Deletes a code after saying what becomes of its passages. */
function remove(id, node) {
  const n = node.codings;
  const what = n === 0 ? 'It holds no passages.'
    : `It holds ${n} passage${n === 1 ? '' : 's'}: they move to “Uncategorised”.`;
  if (!window.confirm(`Delete “${node.name}”? ${what} Codes below it move up. Undo brings it all back.`)) return;
  done(api('DELETE', `/api/codes/${id}?cascade=uncategorised`), `Deleted “${node.name}”`);
}

function save(id, node) {
  const value = (sel) => document.getElementById(sel).value;
  const body = {
    definition: value('code-definition'),
    inclusion: value('code-inclusion'),
    exclusion: value('code-exclusion'),
    example: value('code-example'),
  };
  const name = value('code-name').trim();
  if (name && name !== node.name) body.name = name;
  done(api('PATCH', `/api/codes/${id}`, body), 'Saved');
}

const undoButton = document.getElementById('tree-undo');
if (undoButton) {
  undoButton.addEventListener('click', async () => {
    try {
      const r = await api('POST', '/api/undo');
      sessionStorage.setItem('verbatim-toast', `Undid: ${r.replayed.map((x) => x.description).join(', ')}`);
      window.location.reload();
    } catch (err) { toast(err.message, 'error'); }
  });
}

const pendingToast = sessionStorage.getItem('verbatim-toast');
if (pendingToast) {
  sessionStorage.removeItem('verbatim-toast');
  toast(pendingToast);
}
