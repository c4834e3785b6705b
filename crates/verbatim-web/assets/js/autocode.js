// The search page's "Code all N hits with…": codes every hit of the query
// shown (its words, sentence or turn) with the chosen code through
// POST /api/autocode, one undoable action. Plain ES module.

import { api, t, toast } from './common.js';

const form = document.getElementById('autocode-form');
if (form) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = document.getElementById('autocode-go');
    const result = document.getElementById('autocode-result');
    const code = form.elements.code_id;
    button.disabled = true;
    try {
      const done = await api('POST', '/api/autocode', {
        query: form.dataset.query,
        role: form.dataset.role,
        code_id: Number(code.value),
        scope: form.elements.scope.value,
      });
      const skipped = done.hits - done.added;
      const what = { added: done.added, code: done.code, hits: done.hits, sources: done.sources, skipped };
      result.textContent = skipped > 0 ? t('autocode.done_skipped', what) : t('autocode.done', what);
      toast(t('autocode.toast', what));
    } catch (err) {
      result.textContent = err.message;
      toast(err.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
}
