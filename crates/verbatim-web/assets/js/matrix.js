// The matrix page: clicking a cell lists the passages behind it, each
// linking to the reader with the passage outlined.

import { api, h, t, toast } from './common.js';

const table = document.getElementById('matrix');
const panel = document.getElementById('cell-panel');

/** Returns a passage as a list item (text only: nothing parsed as HTML). */
export function passageItem(p) {
  return h('li', { class: 'passage-item' },
    h('a', { class: 'src', href: `/sources/${p.source_id}?hl=${p.utf16_start}-${p.utf16_end}` }, p.source),
    p.speakers.length ? h('span', { class: 'muted small' }, ` — ${p.speakers.join(', ')}`) : null,
    h('blockquote', {},
      h('span', { class: 'ctx' }, `…${p.before}`),
      h('mark', { class: 'found' }, p.text),
      h('span', { class: 'ctx' }, `${p.after}…`)));
}

async function open(button) {
  for (const b of table.querySelectorAll('button.cell.selected')) b.classList.remove('selected');
  button.classList.add('selected');
  const q = new URLSearchParams({
    by: table.dataset.by, level: table.dataset.level, cell: table.dataset.cell,
    row: button.dataset.row, column: button.dataset.column,
  });
  try {
    const cell = await api('GET', `/api/matrix/cell?${q}`);
    document.getElementById('cell-title').textContent = `${cell.row} × ${cell.column}: ${cell.value}`;
    document.getElementById('cell-who').textContent = cell.participants.length
      ? t('matrix.heard', { who: cell.participants.join(', ') }) : t('matrix.nobody');
    document.getElementById('cell-passages').replaceChildren(...cell.passages.map(passageItem));
    panel.hidden = false;
  } catch (err) {
    toast(err.message, 'error');
  }
}

if (table) {
  table.addEventListener('click', (ev) => {
    const button = ev.target.closest('button.cell');
    if (button) open(button);
  });
}
