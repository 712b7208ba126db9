// Keeps the QuickBooks card's sentence, counts, delay, progress bars and what needs an admin (conflicts to
// decide, failed records to retry) current without a reload.
// Progressive enhancement: the server renders the same elements from the same status object
// (src/quickbooks/connection/status.ts), so the page is right without this file; it only polls
// /admin/settings/quickbooks/status.json every few seconds and fills in the fresh values.
(() => {
  const root = document.querySelector('[data-sync-status]');
  if (!root) return;
  const url = root.getAttribute('data-sync-status');
  const EVERY_MS = 3000;
  const part = (name) => root.querySelector(`[data-status="${name}"]`);
  const words = { waiting: 'waiting', failed: 'failed', conflict: 'in conflict' };

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function bar(name, value) {
    const block = part(name);
    if (!block) return;
    block.hidden = !value;
    if (!value) return;
    setText(part(`${name}-text`), value.label);
    const progress = part(`${name}-bar`);
    progress.max = Math.max(1, value.total);
    progress.value = value.done;
  }

  function show(s) {
    root.className = `sync-status tone-${s.tone}`;
    setText(part('sentence'), s.sentence);
    const delay = part('delay');
    delay.hidden = !s.delay;
    if (s.delay) {
      setText(part('delay-reason'), s.delay.reason);
      setText(part('delay-seconds'), String(s.delay.inSeconds));
      const at = part('delay-at');
      at.setAttribute('datetime', s.delay.nextTryAt);
      setText(at, `${s.delay.nextTryAt.slice(0, 19).replace('T', ' ')} UTC`);
    }
    for (const key of Object.keys(words)) {
      const el = root.querySelector(`[data-count="${key}"]`);
      if (!el) continue;
      const n = s.counts[key];
      setText(el, `${n} ${words[key]}`);
      el.className = `badge ${n ? el.getAttribute('data-tone') : ''}`;
    }
    bar('push', s.push);
    bar('pull', s.pull);
    issues(s.counts);
  }

  // What needs an admin (views/quickbooks/card-issues.ejs): shown, counted or hidden as the counts change.
  const plural = {
    conflict: (n) => (n === 1 ? '1 record waits' : `${n} records wait`),
    failed: (n) => (n === 1 ? '1 record' : `${n} records`),
  };
  function issues(counts) {
    const block = document.querySelector('[data-issues]');
    if (!block) return;
    block.hidden = !(counts.conflict || counts.failed);
    for (const key of Object.keys(plural)) {
      const n = counts[key];
      const partEl = block.querySelector(`[data-issues-part="${key}"]`);
      if (partEl) partEl.hidden = !n;
      if (n) setText(block.querySelector(`[data-issues-text="${key}"]`), plural[key](n));
    }
  }

  async function poll() {
    try {
      const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      // Signed out (sent to the sign-in page) or no longer an admin: stop quietly; the page as rendered stays.
      if (!res.ok || !(res.headers.get('content-type') || '').includes('application/json')) return;
      show(await res.json());
    } catch {
      // A network blip: try again at the next tick.
    }
    setTimeout(poll, EVERY_MS);
  }
  setTimeout(poll, EVERY_MS);
})();
