// The compare page: reveal the study, merge a matched pair into the
// shared codebook, accept or reject a disagreement passage, each a
// reconciliation decision sent to /api/decisions with its note.

import { api, t, toast } from './common.js';

async function decide(body, message) {
  try {
    await api('POST', '/api/decisions', body);
    sessionStorage.setItem('verbatim-toast', message);
    window.location.reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

const reveal = document.getElementById('reveal');
if (reveal) {
  reveal.addEventListener('click', async () => {
    if (!window.confirm(t('cmp.confirm_reveal'))) return;
    try {
      await api('POST', '/api/reveal');
      window.location.reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
}

const pairs = document.getElementById('pairs');
if (pairs) {
  pairs.addEventListener('click', (ev) => {
    if (!ev.target.matches('button.merge')) return;
    const tr = ev.target.closest('tr');
    decide({
      kind: 'merge', code_a: Number(tr.dataset.a), code_b: Number(tr.dataset.b),
      name: tr.querySelector('input.name').value, note: tr.querySelector('input.note').value,
    }, t('cmp.merged'));
  });
}

const sides = document.getElementById('disagreements');
if (sides) {
  sides.addEventListener('click', (ev) => {
    const button = ev.target.closest('button.accept, button.reject');
    if (!button) return;
    const box = button.closest('.side');
    const accept = button.classList.contains('accept');
    decide({
      kind: 'passage', verdict: accept ? 'accept' : 'reject',
      source_id: Number(box.dataset.source), start: Number(box.dataset.start), end: Number(box.dataset.end),
      shared: sides.dataset.shared ? Number(sides.dataset.shared) : null,
      origins: [Number(sides.dataset.codeA), Number(sides.dataset.codeB)],
      note: box.querySelector('input.note').value,
    }, accept ? t('cmp.accepted') : t('cmp.rejected'));
  });
}

const pending = sessionStorage.getItem('verbatim-toast');
if (pending) {
  sessionStorage.removeItem('verbatim-toast');
  toast(pending);
}
