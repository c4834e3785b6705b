// The search page's "Code all N hits with…": codes every hit of the query
// shown (its words, sentence or turn) with the chosen code through
// POST /api/autocode, one undoable action. Plain ES module.

import { api, toast } from './common.js';

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
      result.textContent = `Coded ${done.added} new passages with “${done.code}” `
        + `(${done.hits} hits in ${done.sources} sources${skipped > 0 ? `; ${skipped} already coded or merged` : ''}). Undo in the reader removes them all at once.`;
      toast(`Coded ${done.added} passages`);
    } catch (err) {
      result.textContent = err.message;
      toast(err.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
}
