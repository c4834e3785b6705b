// The transcription view: type a source's turns while its recording plays.
//
// Keys (anywhere on the page, text fields included): Ctrl+Space play/pause,
// Ctrl+Left / Ctrl+Right back / forward 3 s, Ctrl+M mark the current time
// as the next turn's start, Ctrl+Shift+1..9 pick a speaker label (by the
// key's position, so AZERTY works too); in the text field Tab takes the
// next label and Enter saves the turn (POST /api/sources/{id}/turns). The
// browser keeps Ctrl+T, Ctrl+1..9 and Alt+digits for its tabs, so those are
// avoided. The turn being heard is marked in the list while it plays.

import { api, h, toast } from './common.js';

const root = document.getElementById('transcribe');
const media = document.getElementById('media');

/** `m:ss.d` (or `h:mm:ss.d`) for milliseconds. */
export function clockText(ms) {
  const tenths = Math.floor(ms / 100) % 10;
  const s = Math.floor(ms / 1000);
  const [hh, mm, ss] = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const two = (n) => String(n).padStart(2, '0');
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}.${tenths}` : `${mm}:${two(ss)}.${tenths}`;
}

/** Milliseconds for `h:mm:ss.d`, `m:ss.d` or seconds; null when unreadable. */
export function parseClock(text) {
  const parts = text.trim().split(':');
  if (parts.length > 3 || parts.some((p) => p.trim() === '' || !/^\d+(\.\d+)?$/.test(p.trim()))) return null;
  let seconds = 0;
  for (const p of parts) seconds = seconds * 60 + Number(p);
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : null;
}

if (root && media) {
  const source = root.dataset.source;
  const labels = JSON.parse(root.dataset.labels || '[]');
  const list = document.getElementById('turns');
  const at = document.getElementById('at');
  const speaker = document.getElementById('speaker');
  const text = document.getElementById('text');

  const markTime = () => { at.value = clockText(Math.round(media.currentTime * 1000)); };
  const toggle = () => { if (media.paused) media.play().catch(() => {}); else media.pause(); };
  const shift = (seconds) => {
    const end = Number.isFinite(media.duration) ? media.duration : Infinity;
    media.currentTime = Math.min(end, Math.max(0, media.currentTime + seconds));
  };
  const nextLabel = () => {
    if (!labels.length) return;
    const i = labels.indexOf(speaker.value.trim());
    speaker.value = labels[(i + 1) % labels.length];
  };

  // The turn being heard: the last one starting at or before the time.
  let current = null;
  const mark = () => {
    const ms = media.currentTime * 1000;
    let found = null;
    for (const li of list.querySelectorAll('li[data-t]')) {
      if (Number(li.dataset.t) <= ms) found = li; else break;
    }
    if (found === current) return;
    if (current) current.classList.remove('playing');
    current = found;
    if (found) found.classList.add('playing');
  };
  media.addEventListener('timeupdate', mark);
  media.addEventListener('seeked', mark);

  text.addEventListener('input', () => { if (!at.value.trim() && text.value.trim()) markTime(); });

  const save = async () => {
    const begin = parseClock(at.value);
    if (begin === null) { toast('mark when the turn starts first: Ctrl+M, or type a time such as 1:05.5', 'error'); return; }
    try {
      const turn = await api('POST', `/api/sources/${source}/turns`, { speaker: speaker.value, begin_ms: begin, text: text.value });
      list.append(h('li', { dataset: { t: turn.begin_ms } },
        h('span', { class: 'time' }, turn.time), ' ',
        h('span', { class: 'speaker' }, turn.speaker), ' ',
        h('span', { class: 'txt' }, turn.text)));
      text.value = '';
      at.value = '';
      nextLabel();
      toast(`Saved ${turn.speaker}'s turn at ${turn.time}`);
    } catch (e) {
      toast(e.message, 'error');
    }
  };

  document.getElementById('next-turn').addEventListener('submit', (ev) => { ev.preventDefault(); save(); });

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      const digit = /^Digit([1-9])$/.exec(ev.code);
      if (ev.shiftKey && digit) {
        const label = labels[Number(digit[1]) - 1];
        if (label) speaker.value = label;
        ev.preventDefault();
        return;
      }
      const actions = { Space: toggle, ArrowLeft: () => shift(-3), ArrowRight: () => shift(3), KeyM: markTime };
      const action = !ev.shiftKey && actions[ev.code];
      if (action) { action(); ev.preventDefault(); }
      return;
    }
    if (ev.target === text && ev.key === 'Tab' && !ev.shiftKey) { nextLabel(); ev.preventDefault(); }
  });
}
