// The theme tree editor: drag and drop to move a code under another,
// reorder siblings or (with Alt) merge; click a code to edit its
// definition and criteria, read its passages across sources, move it
// with a select (no dragging), split off the passages ticked, or delete
// it (its passages go to "Uncategorised").

import { api, fill, h, t, toast } from './common.js';

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
      done(api('POST', `/api/codes/${id}/merge`, { into_id: Number(target.dataset.id) }), t('tree.merged_into', { name, target: targetName }));
    } else if (zone === 'under') {
      done(api('POST', `/api/codes/${id}/move`, { parent_id: Number(target.dataset.id) }), t('tree.moved_under', { name, target: targetName }));
    } else {
      const parent = Number(target.dataset.parent) || null;
      const siblings = [...target.parentElement.children].filter((li) => li !== dragged);
      const position = siblings.indexOf(target) + (zone === 'after' ? 1 : 0);
      done(api('POST', `/api/codes/${id}/move`, { parent_id: parent, position }), t('tree.moved', { name }));
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
    done(api('POST', `/api/codes/${dragged.dataset.id}/move`, { parent_id: null }), t('tree.moved_top'));
  });
}

const addButton = document.getElementById('add-code');
if (addButton) {
  const input = document.getElementById('new-code');
  const level = document.getElementById('new-level');
  const add = () => {
    const name = input.value.trim();
    if (!name) { input.focus(); return; }
    done(api('POST', '/api/codes', { name, level: level.value }), t('tree.added', { name }));
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
  const mergeSelect = h('select', { id: 'merge-into', 'aria-label': t('tree.merge_into') },
    others.map((x) => h('option', { value: x.dataset.id }, x.querySelector('.name').textContent)));
  // Passages coded with this very code can be ticked for a split.
  const own_passage = (p) => own && String(p.code_id) === id;
  const list = h('ul', { class: 'passages', id: 'passages' }, passages.map((p) => h('li', {},
    h('div', { class: 'src' },
      own_passage(p) ? h('input', { type: 'checkbox', class: 'split-pick', value: p.coding_id, 'aria-label': t('tree.move_passage', { source: p.source }) }) : null,
      h('a', { href: `/sources/${p.source_id}?hl=${p.start}-${p.end}` }, p.source), p.speakers.length ? ` · ${p.speakers.join(', ')}` : '', p.code !== node.name ? ` · ${p.code}` : '', p.is_quote ? ' · quote' : ''),
    h('q', {}, p.text))));
  fill(panel,
    h('h2', {}, h('span', { class: `swatch ${li.querySelector('.swatch').classList[1]}` }), node.name, ' ', h('span', { class: 'level' }, node.level_name)),
    h('p', { class: 'muted small' }, t('tree.totals', { codings: node.codings_total, sources: node.sources_total })),
    h('label', { for: 'code-name' }, t('tree.name')), name,
    ...field(t('tree.definition'), 'code-definition', node.definition, 3),
    ...field(t('tree.include'), 'code-inclusion', node.inclusion),
    ...field(t('tree.exclude'), 'code-exclusion', node.exclusion),
    ...field(t('tree.example'), 'code-example', node.example),
    own ? h('div', { class: 'row' }, h('button', { type: 'button', class: 'primary', id: 'save-code', onclick: () => save(id, node) }, t('tree.save'))) : null,
    own ? moveRow(li, id, node) : null,
    own && others.length ? h('div', { class: 'row' }, h('label', { for: 'merge-into' }, t('tree.merge_into')), mergeSelect,
      h('button', { type: 'button', class: 'danger', onclick: () => done(api('POST', `/api/codes/${id}/merge`, { into_id: Number(mergeSelect.value) }), t('tree.merged', { name: node.name })) }, t('tree.merge'))) : null,
    own ? h('div', { class: 'row' }, h('button', { type: 'button', class: 'danger', id: 'delete-code', onclick: () => remove(id, node) }, t('tree.delete'))) : null,
    h('h2', { class: 'passages-title' }, `${t('tree.passages')} `, h('span', { class: 'count' }, passages.length)),
    own && passages.some(own_passage) ? splitRow(id, node) : null,
    list,
  );
}

/** The "Move under…" select and button: the keyboard's way to move a code. */
function moveRow(li, id, node) {
  // Not under itself or a code below it.
  const targets = [...tree.querySelectorAll('li[data-id]')].filter((x) => x !== li && !li.contains(x));
  const select = h('select', { id: 'move-under', 'aria-label': t('tree.move_under') },
    h('option', { value: '' }, '(top level)'),
    targets.map((x) => h('option', { value: x.dataset.id, selected: x.dataset.id === li.dataset.parent }, x.querySelector('.name').textContent)));
  const go = () => {
    const parent = select.value ? Number(select.value) : null;
    const label = select.value ? t('tree.under', { name: select.selectedOptions[0].textContent }) : t('tree.to_top');
    done(api('POST', `/api/codes/${id}/move`, { parent_id: parent }), t('tree.moved_to', { name: node.name, where: label }));
  };
  return h('div', { class: 'row' }, h('label', { for: 'move-under' }, t('tree.move_under')), select,
    h('button', { type: 'button', id: 'move-code', onclick: go }, t('tree.move')));
}

/** The split form: a new sibling code takes the passages ticked below. */
function splitRow(id, node) {
  const name = h('input', { type: 'text', id: 'split-name', placeholder: t('tree.split_placeholder'), 'aria-label': t('tree.new_name') });
  const go = () => {
    const ids = [...document.querySelectorAll('#passages .split-pick:checked')].map((c) => Number(c.value));
    if (!name.value.trim()) { name.focus(); toast(t('tree.name_first'), 'error'); return; }
    if (ids.length === 0) { toast(t('tree.tick_first'), 'error'); return; }
    done(api('POST', `/api/codes/${id}/split`, { name: name.value.trim(), coding_ids: ids }),
      t('tree.split_done', { name: node.name, into: name.value.trim(), n: ids.length }));
  };
  return h('div', { class: 'row split' }, name, h('button', { type: 'button', id: 'split-code', onclick: go }, t('tree.split')));
}

/** Deletes a code after saying what becomes of its passages. */
function remove(id, node) {
  const n = node.codings;
  const what = n === 0 ? t('tree.holds_none') : n === 1 ? t('tree.holds_one') : t('tree.holds_n', { n });
  if (!window.confirm(t('tree.confirm_delete', { name: node.name, what }))) return;
  done(api('DELETE', `/api/codes/${id}?cascade=uncategorised`), t('tree.deleted', { name: node.name }));
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
  done(api('PATCH', `/api/codes/${id}`, body), t('tree.saved'));
}

const undoButton = document.getElementById('tree-undo');
if (undoButton) {
  undoButton.addEventListener('click', async () => {
    try {
      const r = await api('POST', '/api/undo');
      sessionStorage.setItem('verbatim-toast', t('undid', { what: r.replayed.map((x) => x.description).join(', ') }));
      window.location.reload();
    } catch (err) { toast(err.message, 'error'); }
  });
}

const pendingToast = sessionStorage.getItem('verbatim-toast');
if (pendingToast) {
  sessionStorage.removeItem('verbatim-toast');
  toast(pendingToast);
}
