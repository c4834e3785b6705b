// The participants and sources pages: attribute values edited in place,
// roster import, attribute definition, speaker mapping and the
// de-identification preview. Every change goes through the JSON API with
// the page's CSRF token; text is always set as text, never parsed as HTML.

import { api, csrfToken, h, t, toast } from './common.js';

/** Sends a file as the raw request body; resolves to the parsed answer. */
async function upload(url, file) {
  const response = await fetch(`${url}?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrfToken(), 'Content-Type': 'application/octet-stream' },
    credentials: 'same-origin',
    body: file,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data && data.error ? data.error : t('server_answered', { status: response.status }));
  return data;
}

// ------------------------------------------------------------ inline edit

let editing = null;

/** Returns the value a saved row holds for the cell. */
function savedValue(td, row) {
  if (td.dataset.field === 'label') return row.label || '';
  if (td.dataset.field === 'site') return row.site_code || '';
  const pair = (row.values || row).find(([k]) => k === td.dataset.attribute);
  return pair ? pair[1] : '';
}

function startEdit(td) {
  if (editing) return;
  const before = td.textContent.trim();
  const input = h('input', { type: 'text', value: before, 'aria-label': t('people.new_value') });
  const allowed = (td.dataset.allowed || '').split('|').filter(Boolean);
  if (allowed.length) {
    const id = `allowed-${Math.random().toString(36).slice(2)}`;
    input.setAttribute('list', id);
    td.append(h('datalist', { id }, allowed.map((v) => h('option', { value: v }))));
  } else if (td.dataset.field === 'site') {
    input.setAttribute('list', 'sites');
  }
  editing = { td, before };
  td.replaceChildren(input, ...td.querySelectorAll('datalist'));
  input.focus();
  input.select();
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { ev.preventDefault(); save(td, input.value); }
    if (ev.key === 'Escape') { ev.preventDefault(); finish(td, before); }
  });
  input.addEventListener('blur', () => { if (editing && editing.td === td) save(td, input.value); });
}

function finish(td, text, mark) {
  editing = null;
  td.replaceChildren(document.createTextNode(text));
  td.classList.remove('saving', 'saved', 'failed');
  if (mark) {
    td.classList.add(mark);
    setTimeout(() => td.classList.remove(mark), 1500);
  }
}

async function save(td, value) {
  const { before } = editing;
  const trimmed = value.trim();
  if (trimmed === before) { finish(td, before); return; }
  const tr = td.closest('tr');
  const table = td.closest('table');
  td.classList.add('saving');
  editing = { td, before, saving: true };
  try {
    let body;
    if (td.dataset.field) body = { [td.dataset.field]: trimmed };
    else body = { values: { [td.dataset.attribute]: trimmed } };
    const url = table.id === 'participants' ? `/api/participants/${tr.dataset.id}` : `/api/sources/${tr.dataset.id}`;
    const row = await api('PATCH', url, body);
    finish(td, savedValue(td, row), 'saved');
  } catch (err) {
    finish(td, before, 'failed');
    toast(err.message, 'error');
  }
}

for (const table of document.querySelectorAll('table.edit')) {
  table.addEventListener('click', (ev) => {
    const td = ev.target.closest('td.editable');
    if (td && !td.querySelector('input')) startEdit(td);
  });
}

// ------------------------------------------------------------ roster, attributes

const rosterForm = document.getElementById('roster-form');
if (rosterForm) {
  rosterForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = document.getElementById('roster-file').files[0];
    const out = document.getElementById('roster-result');
    if (!file) return;
    try {
      const done = await upload('/api/participants/roster', file);
      const added = done.new_attributes.map(([n, kind]) => `${n} (${kind})`).join(', ');
      sessionStorage.setItem('verbatim-toast', added ? t('people.imported_new', { n: done.participants, added }) : t('people.imported', { n: done.participants }));
      window.location.reload();
    } catch (err) {
      out.textContent = err.message;
      out.hidden = false;
    }
  });
}

// ------------------------------------------------ one site, one participant

/** Posts a small form's fields as JSON, then reloads with a toast. */
function postForm(id, url, body, message) {
  const form = document.getElementById(id);
  if (!form) return;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fields = Object.fromEntries(new FormData(form));
    try {
      const added = await api('POST', url, body(fields));
      sessionStorage.setItem('verbatim-toast', message(added));
      window.location.reload();
    } catch (err) { toast(err.message, 'error'); }
  });
}

postForm('participant-form', '/api/participants',
  (f) => ({ pseudonym: f.pseudonym, label: f.label, site: f.site }),
  (p) => t('people.added_participant', { name: p.code || p.label }));
postForm('site-form', '/api/sites',
  (f) => ({ name: f.name, code: f.code }),
  (s) => t('people.added_site', { name: s.name, code: s.code }));

const attributeForm = document.getElementById('attribute-form');
if (attributeForm) {
  attributeForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(attributeForm);
    try {
      await api('POST', '/api/attributes', {
        name: f.get('name'), type: f.get('type'), applies_to: f.get('applies_to'),
        values: String(f.get('values') || '').split(',').map((v) => v.trim()).filter(Boolean),
      });
      sessionStorage.setItem('verbatim-toast', `Defined ${f.get('name')}.`);
      window.location.reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
}

// ------------------------------------------------------------ speakers

const speakers = document.getElementById('speakers');
if (speakers) {
  const map = async (tr, body) => {
    try {
      const rows = await api('PUT', '/api/speakers', { source_id: Number(tr.dataset.source), label: tr.dataset.label, ...body });
      const row = rows.find((r) => r.label === tr.dataset.label);
      if (row) {
        tr.querySelector('.role').textContent = row.role === 'participant' ? (row.participant || '') : row.role;
        tr.querySelector('.muted').textContent = row.how || '';
      }
      toast(t('people.mapped', { label: tr.dataset.label }));
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  speakers.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const tr = ev.target.closest('tr');
    const who = ev.target.elements.participant.value.trim();
    if (who) map(tr, { participant: who });
  });
  speakers.addEventListener('click', (ev) => {
    if (ev.target.matches('button.as-interviewer')) map(ev.target.closest('tr'), { interviewer: true });
  });
}

// ------------------------------------------------------------ de-identification

const findCandidates = document.getElementById('candidates-find');
if (findCandidates) {
  findCandidates.addEventListener('click', async () => {
    findCandidates.disabled = true;
    try {
      const review = await api('GET', '/api/deidentify');
      const table = document.getElementById('candidates');
      table.tBodies[0].replaceChildren(...review.candidates.map((c) => h('tr', {},
        h('th', {}, c.word),
        h('td', {}, c.kind),
        h('td', { class: 'num' }, String(c.count)),
        h('td', { class: 'small' }, `${c.source}: `, h('span', { class: 'muted' }, c.context)))));
      table.hidden = false;
      document.getElementById('candidates-count').textContent = String(review.candidates.length);
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      findCandidates.disabled = false;
    }
  });
}

const deidForm = document.getElementById('deid-form');
if (deidForm) {
  const show = (report) => {
    const summary = document.getElementById('deid-summary');
    summary.textContent = report.dry_run
      ? t('people.deid_preview', { n: report.replacements.length, sources: report.sources_changed, codings: report.codings_changed })
      : t('people.deid_applied', { n: report.replacements.length, sources: report.sources_changed, redacted: report.audit_redacted });
    summary.hidden = false;
    const table = document.getElementById('deid-replacements');
    table.tBodies[0].replaceChildren(...report.replacements.map((r) => h('tr', {},
      h('td', { class: 'small' }, r.place),
      h('td', {}, h('span', { class: 'muted' }, r.before), h('mark', { class: 'found' }, r.found), h('span', { class: 'muted' }, r.after)),
      h('td', {}, r.replacement))));
    table.hidden = false;
  };
  const run = async (apply) => {
    const file = document.getElementById('deid-file').files[0];
    if (!file) { toast(t('people.names_first'), 'error'); return; }
    if (apply && !window.confirm(t('people.confirm_deid'))) return;
    try {
      show(await upload(apply ? '/api/deidentify/apply' : '/api/deidentify/preview', file));
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  deidForm.addEventListener('submit', (ev) => { ev.preventDefault(); run(false); });
  document.getElementById('deid-apply').addEventListener('click', () => run(true));
}

const pending = sessionStorage.getItem('verbatim-toast');
if (pending) {
  sessionStorage.removeItem('verbatim-toast');
  toast(pending);
}
