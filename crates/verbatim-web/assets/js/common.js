// Shared helpers of every page: the CSRF-carrying fetch, the toast, the
// coder picker's auto-submit, the interface's words in the page's
// language (t), and Enter on focusable non-button elements. Plain ES
// module, no build step.

/** The current language's words, from <script type="application/json" id="messages">. */
const messages = (() => {
  const el = document.getElementById('messages');
  try { return el ? JSON.parse(el.textContent) : {}; } catch (_) { return {}; }
})();

/**
 * Returns the words of `key` (a `js.` key of locales/*.txt, without the
 * prefix) with `{name}` placeholders filled from `vars`.
 */
export function t(key, vars = {}) {
  const words = messages[key] ?? key;
  return words.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? String(vars[name]) : all));
}

/** Returns the page's CSRF token (from <meta name="csrf-token">). */
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

/**
 * Sends a JSON request to the API with the CSRF header; resolves to the
 * parsed body, or rejects with an Error whose message is the server's
 * one-sentence explanation.
 */
export async function api(method, url, body) {
  const init = { method, headers: { 'X-CSRF-Token': csrfToken() }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (response.status === 401) {
    // Team mode: the session ended (idle, logged out elsewhere); log in
    // again and come back to this page.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  if (!response.ok) {
    const message = data && data.error ? data.error : t('server_answered', { status: response.status });
    throw new Error(message);
  }
  return data;
}

let toastTimer = 0;
/** Shows a short message at the bottom of the page. */
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 6000 : 2500);
}

/** Returns a DOM element with attributes and children (text is never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Replaces an element's children, leaving out null, undefined and false
 * (`replaceChildren` itself would print them as text: the "null" the
 * coding panel once showed).
 */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

for (const select of document.querySelectorAll('select[data-autosubmit]')) {
  select.addEventListener('change', () => select.form && select.form.submit());
}

// Highlights, legend entries and tree rows are focusable (tabindex="0",
// role="button"): Enter or Space acts like a click, as on a button.
document.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Enter' && ev.key !== ' ') return;
  const el = ev.target;
  if (!(el instanceof Element) || el.getAttribute('role') !== 'button' || el.matches('button, a, input, textarea, select, summary')) return;
  ev.preventDefault();
  el.click();
});
