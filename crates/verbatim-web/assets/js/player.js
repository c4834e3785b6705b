// The reader's player: the source's recording beside its transcript.
//
// Loaded only when the source has a recording (#media). A click on a turn's
// time plays from there; while the recording plays, the turn being heard
// carries the class `playing` and is kept in view. Keys (outside text
// fields): Ctrl+Space or k play/pause, j / l back / forward 5 s,
// [ / ] slower / faster.

const media = document.getElementById('media');
const doc = document.getElementById('doc');

if (media && doc) {
  // Timed turns in text order, with their start in seconds.
  const turns = [...doc.querySelectorAll('section.turn[data-t]')]
    .map((el) => ({ el, at: Number(el.dataset.t) / 1000 }))
    .filter((t) => Number.isFinite(t.at));
  for (const t of turns) t.el.classList.add('timed');
  let current = null;

  // The last turn starting at or before `time` (binary search).
  const turnAt = (time) => {
    let lo = 0;
    let hi = turns.length - 1;
    let found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (turns[mid].at <= time) { found = turns[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  };

  const mark = () => {
    const turn = turnAt(media.currentTime);
    const el = turn ? turn.el : null;
    if (el === current) return;
    if (current) current.classList.remove('playing');
    current = el;
    if (el) {
      el.classList.add('playing');
      if (!media.paused) el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  };

  const playFrom = (seconds) => {
    media.currentTime = Math.max(0, seconds);
    media.play().catch(() => {});
  };

  media.addEventListener('timeupdate', mark);
  media.addEventListener('seeked', mark);

  doc.addEventListener('click', (ev) => {
    const time = ev.target.closest && ev.target.closest('section.turn[data-t] .time');
    if (!time) return;
    playFrom(Number(time.closest('section.turn').dataset.t) / 1000);
    ev.preventDefault();
  });

  const toggle = () => { if (media.paused) media.play().catch(() => {}); else media.pause(); };
  const shift = (seconds) => {
    const end = Number.isFinite(media.duration) ? media.duration : Infinity;
    media.currentTime = Math.min(end, Math.max(0, media.currentTime + seconds));
  };
  const rate = (step) => {
    media.playbackRate = Math.min(3, Math.max(0.25, Math.round((media.playbackRate + step) * 100) / 100));
  };

  document.addEventListener('keydown', (ev) => {
    const typing = ev.target.closest && ev.target.closest('input, textarea, select');
    if (ev.ctrlKey && ev.code === 'Space') { toggle(); ev.preventDefault(); return; }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const actions = { k: toggle, j: () => shift(-5), l: () => shift(5), '[': () => rate(-0.25), ']': () => rate(0.25) };
    const action = actions[ev.key];
    if (action) { action(); ev.preventDefault(); }
  });
}
