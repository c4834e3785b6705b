// The sources page's upload: transcripts sent as a multipart form to
// POST /api/sources with XMLHttpRequest (whose upload events drive the
// progress bar), then the page reloads so the table lists the new
// sources, and the per-file report (the same as `verbatim import`) is
// shown above it. Plain ES module; text is set as text, never as HTML.

import { csrfToken, h, t, toast } from './common.js';

const KEY = 'verbatim-upload-report';
const form = document.getElementById('upload-form');
const bar = document.getElementById('upload-progress');
const out = document.getElementById('upload-report');

/** Sends the form; resolves to the report, rejects with the server's sentence. */
function send(data) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/sources');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.addEventListener('progress', (ev) => {
      if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300 && Array.isArray(body)) resolve(body);
      else reject(new Error(body && body.error ? body.error : t('server_answered', { status: xhr.status })));
    });
    xhr.addEventListener('error', () => reject(new Error(t('upload.unreachable'))));
    xhr.send(data);
  });
}

/** Returns one line of the report for a file. */
function line(r) {
  switch (r.status) {
    case 'imported':
      return h('li', { class: 'ok' }, `${t('upload.imported')} `, h('a', { href: `/sources/${r.id}` }, r.name), ` ${t('upload.from', { file: r.file })}`,
        (r.notes || []).map((n) => h('div', { class: 'muted small' }, t('upload.note', { note: n }))),
        r.labels && r.labels.unclaimed > 0 ? h('div', { class: 'muted small' }, t('upload.unclaimed', { n: r.labels.unclaimed, example: r.labels.example || '' })) : null,
        ((r.labels && r.labels.typos) || []).map((typo) => h('div', { class: 'muted small' }, t('upload.typo', { label: typo.label, turns: typo.turns, likely: typo.likely, likely_turns: typo.likely_turns }))));
    case 'duplicate':
      return h('li', { class: 'skip' }, t('upload.duplicate', { file: r.file, name: r.name }));
    default:
      return h('li', { class: 'failed' }, r.error || t('upload.not_imported', { file: r.file }));
  }
}

/** Shows a report (an array of files) above the table. */
function show(report) {
  const count = (s) => report.filter((r) => r.status === s).length;
  const failed = report.length - count('imported') - count('duplicate');
  out.replaceChildren(
    h('p', {}, h('strong', {}, t('upload.n_imported', { n: count('imported') })), t('upload.summary', { skipped: count('duplicate'), failed })),
    h('ul', { id: 'upload-lines' }, report.map(line)),
  );
  out.hidden = false;
}

if (form) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const files = document.getElementById('upload-files').files;
    if (!files.length) { toast(t('upload.choose_first'), 'error'); return; }
    const data = new FormData(form);
    const go = document.getElementById('upload-go');
    go.disabled = true;
    bar.value = 0;
    bar.hidden = false;
    try {
      const report = await send(data);
      bar.value = 100;
      sessionStorage.setItem(KEY, JSON.stringify(report));
      window.location.reload();
    } catch (err) {
      bar.hidden = true;
      out.replaceChildren(h('p', { class: 'failed' }, err.message));
      out.hidden = false;
      toast(err.message, 'error');
    } finally {
      go.disabled = false;
    }
  });
  const saved = sessionStorage.getItem(KEY);
  if (saved) {
    sessionStorage.removeItem(KEY);
    try { show(JSON.parse(saved)); } catch (_) { /* a stale entry: nothing to show */ }
  }
}
