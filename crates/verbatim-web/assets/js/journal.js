// The journal page: write entries, seal preconceptions, link entries to
// themes; write, edit and delete memos. Each change is one API call with
// the page's CSRF token, then the page reloads to show the stored state.

import { api, h, t, toast } from './common.js';

async function change(method, url, body, message) {
  try {
    const answer = await api(method, url, body);
    sessionStorage.setItem('verbatim-toast', message(answer));
    window.location.reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

const entryForm = document.getElementById('entry-form');
if (entryForm) {
  entryForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(entryForm);
    change('POST', '/api/journal', { kind: f.get('kind'), title: f.get('title'), body: f.get('body') },
      () => t('journal.written'));
  });
}

const entries = document.getElementById('entries');
if (entries) {
  entries.addEventListener('click', (ev) => {
    if (!ev.target.matches('button.seal-button')) return;
    const id = ev.target.closest('[data-id]').dataset.id;
    if (!window.confirm(t('journal.confirm_seal'))) return;
    change('POST', `/api/journal/${id}/seal`, undefined, (r) => t('journal.sealed', { hash: r.hash.slice(0, 12) }));
  });
  entries.addEventListener('submit', (ev) => {
    if (!ev.target.matches('form.link-form')) return;
    ev.preventDefault();
    const id = ev.target.closest('[data-id]').dataset.id;
    const f = new FormData(ev.target);
    change('POST', `/api/journal/${id}/links`, { code_id: Number(f.get('code')), relation: f.get('relation') },
      () => t('journal.linked'));
  });
}

const memoForm = document.getElementById('memo-form');
if (memoForm) {
  memoForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(memoForm);
    const [kind, id] = String(f.get('target')).split(':');
    change('POST', '/api/memos', {
      target_kind: kind, target_id: id ? Number(id) : null, title: f.get('title') || null, body: f.get('body'),
    }, () => t('journal.memo_added'));
  });
}

const memos = document.getElementById('memos');
if (memos) {
  memos.addEventListener('click', (ev) => {
    const article = ev.target.closest('[data-id]');
    if (!article) return;
    const id = article.dataset.id;
    if (ev.target.matches('button.delete-memo')) {
      if (window.confirm(t('journal.confirm_delete'))) change('DELETE', `/api/memos/${id}`, undefined, () => t('journal.memo_deleted'));
      return;
    }
    if (!ev.target.matches('button.edit-memo')) return;
    const body = article.querySelector('.body');
    const area = h('textarea', { rows: 5, class: 'memo-edit', 'aria-label': t('journal.memo_text') });
    area.value = body.textContent;
    const save = h('button', { type: 'button', class: 'primary save-memo' }, t('tree.save'));
    save.addEventListener('click', () => change('PATCH', `/api/memos/${id}`, { body: area.value }, () => t('journal.memo_saved')));
    body.replaceWith(area);
    ev.target.replaceWith(save);
    area.focus();
  });
}

const pending = sessionStorage.getItem('verbatim-toast');
if (pending) {
  sessionStorage.removeItem('verbatim-toast');
  toast(pending);
}
