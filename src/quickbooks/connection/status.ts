/**
 * The card's one sentence of truth, its counts and its progress bars, as one plain object: the card
 * renders it, GET /admin/settings/quickbooks/status.json returns it, and public/js/sync-status.js puts a
 * fresh copy on the page every few seconds. Pure: the figures come in, the words go out, so the page
 * without JavaScript and the page that polls can never say different things.
 */
import type { PullProgress, SyncProgress } from './card.js';
import type { Connection } from './connection-types.js';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'bad' | 'off';

export interface StatusBar {
  /** What the bar measures, in words ("Sending 1,200 of 3,000"). */
  label: string;
  done: number;
  total: number;
}

export interface SyncStatus {
  connected: boolean;
  tone: StatusTone;
  sentence: string;
  counts: { waiting: number; failed: number; conflict: number };
  /** Why work is held back and when it is tried next (ISO time and seconds from now). */
  delay: { reason: string; nextTryAt: string; inSeconds: number } | null;
  push: StatusBar | null;
  pull: StatusBar | null;
  /** The time the status was computed (ISO). */
  at: string;
}

export interface StatusInput {
  active: Connection | undefined;
  latest: Connection | undefined;
  progress: SyncProgress | undefined;
  pull: PullProgress | undefined;
  conflicts: number;
  now: number;
}

const number = new Intl.NumberFormat('en-US');

/** The reason, in the words an admin understands, for an error code the queue keeps. */
export function delayReason(code: string, message: string): string {
  switch (code) {
    case 'quickbooks_throttled':
      return 'Intuit is limiting us';
    case 'quickbooks_unavailable':
      return 'QuickBooks is not answering';
    case 'customer_missing':
      return 'waiting for a customer to reach QuickBooks';
    default:
      return message ? `QuickBooks said: ${message}` : 'QuickBooks could not take it yet';
  }
}

type Delay = NonNullable<SyncStatus['delay']>;

function delayOf(code: string, message: string, nextTryAt: string, now: number): Delay {
  const inSeconds = Math.max(0, Math.ceil((new Date(nextTryAt).getTime() - now) / 1000));
  return { reason: delayReason(code, message), nextTryAt, inSeconds };
}

/** A pull that gave up on a throttle or an outage, and when the next one starts by itself. */
export function gaveUp(d: Delay): string {
  const when = d.inSeconds > 0 ? `in about ${Math.max(1, Math.ceil(d.inSeconds / 60))} min` : 'shortly';
  return `Pulling from QuickBooks stopped — ${d.reason}; Heavy AV pulls again ${when}`;
}

/** "just now", "2 minutes ago", "3 hours ago", "4 days ago". */
export function ago(iso: string | null, now: number): string {
  if (!iso) return 'no change yet';
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 45) return 'just now';
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'} ago`;
  if (s < 3600) return unit(Math.max(1, Math.round(s / 60)), 'minute');
  if (s < 86400) return unit(Math.round(s / 3600), 'hour');
  return unit(Math.round(s / 86400), 'day');
}

function plural(n: number, one: string, many: string): string {
  return `${number.format(n)} ${n === 1 ? one : many}`;
}

export function syncStatus(input: StatusInput): SyncStatus {
  const { active, latest, progress: p, pull: q, now } = input;
  const at = new Date(now).toISOString();
  const counts = { waiting: p?.waiting ?? 0, failed: p?.failedNow ?? 0, conflict: input.conflicts };
  if (!active) {
    const name = latest?.companyName ?? latest?.realmId;
    const sentence =
      latest?.status === 'revoked'
        ? `Not syncing — access to ${name} was revoked at Intuit; changes wait for a reconnect to the same company`
        : latest
          ? `Not syncing — disconnected from ${name}; changes wait for a reconnect to the same company`
          : 'Not connected to QuickBooks';
    return { connected: false, tone: 'off', sentence, counts, delay: null, push: null, pull: null, at };
  }
  const delay =
    p?.delay && counts.waiting ? delayOf(p.delay.code, p.delay.message, p.delay.nextTryAt, now) : null;
  // A pull waiting out a throttle or an outage (running), or the last one that gave up (stopped).
  const pullDelay =
    q?.delay && (q.running || q.stopped) ? delayOf(q.delay.code, '', q.delay.nextTryAt, now) : null;
  const push =
    p?.running && p.total > 0
      ? {
          label: `Sending ${number.format(p.done)} of ${number.format(p.total)}`,
          done: p.done,
          total: p.total,
        }
      : null;
  const pull = q?.running
    ? {
        label: `Reading changes from QuickBooks: ${number.format(q.done)} of ${number.format(Math.max(q.total, q.done))}`,
        done: q.done,
        total: Math.max(q.total, q.done, 1),
      }
    : null;
  const parts: string[] = [];
  if (push) parts.push(push.label);
  else if (counts.waiting) parts.push(`${plural(counts.waiting, 'change', 'changes')} waiting`);
  if (delay) parts.push(`${delay.reason}, next try in ${delay.inSeconds} s`);
  if (pull && !push) parts.push(pull.label);
  if (pull && pullDelay) parts.push(`${pullDelay.reason}, next try in ${pullDelay.inSeconds} s`);
  if (!pull && pullDelay) parts.push(gaveUp(pullDelay));
  const needYou = counts.failed + counts.conflict;
  if (needYou) parts.push(`${plural(needYou, 'record needs', 'records need')} you`);
  if (!parts.length) {
    const name = active.companyName ?? active.realmId;
    parts.push(`In step with ${name} — last change ${ago(active.lastSyncAt, now)}`);
  }
  const sentence = parts.join(' — ');
  const tone: StatusTone = needYou ? 'bad' : delay || pullDelay ? 'warn' : push || pull ? 'busy' : 'ok';
  return { connected: true, tone, sentence, counts, delay: delay ?? pullDelay, push, pull, at };
}
