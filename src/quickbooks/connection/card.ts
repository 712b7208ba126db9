/** The view model of the connection card: what an admin needs to see at a glance. */

import type { LineSettings } from '../lines/settings-repository.js';
import type { Connection } from './connection-types.js';
import type { ConnectionsRepository } from './connections-repository.js';
import type { PendingRevocation } from './revoke-retries.js';
import { type SyncStatus, syncStatus } from './status.js';

export interface TokenHealth {
  label: string;
  at: string | null;
  state: 'ok' | 'warn' | 'bad' | 'unknown';
  note: string;
}

export interface SyncProgress {
  /** A push is under way: a full push, or the automatic push of edits (`automatic`). */
  running: boolean;
  automatic?: boolean;
  done: number;
  total: number;
  /** Failed within this push. */
  failed: number;
  /** Changes waiting in the queue now (the card's one "waiting" count). */
  waiting: number;
  /** Records QuickBooks refused, now (the card's one "failed" count). */
  failedNow?: number;
  /** Why waiting work is held back (a 429, an outage) and when it is tried next; from the queue. */
  delay?: { code: string; message: string; nextTryAt: string };
}

/** The latest pull (CDC sweep) of the connected company: "Sync now", a reconnect, or the daily one. */
export interface PullProgress {
  running: boolean;
  total: number;
  done: number;
  failed: number;
  startedAt: string;
  finishedAt: string | null;
  /**
   * Running: why the sweep waits (a 429, an outage) and when it asks again. Stopped: why it gave up and
   * when the next sweep starts. From the run's row (sync_runs), so every instance says the same.
   */
  delay?: { code: string; nextTryAt: string };
  /** The latest sweep ended without finishing. */
  stopped?: boolean;
}

export interface CardModel {
  active: Connection | undefined;
  pending: Connection | undefined;
  latest: Connection | undefined;
  revoked: boolean;
  tokenHealth: TokenHealth[];
  emulator: boolean;
  environment: string;
  progress: SyncProgress | undefined;
  pull: PullProgress | undefined;
  /** The connected company's tokens cannot be decrypted here (TOKEN_ENCRYPTION_KEY): only "forget" works. */
  unreadable: boolean;
  /** Grants given up whose revoke Intuit has not confirmed yet (retried; finish at My Apps). */
  unrevoked: PendingRevocation[];
  myAppsUrl: string;
  /** Items and tax for lines of the connected company (its defaults section). */
  lines?: LineSettings;
  /** The one sentence of truth, the counts, the delay and the progress (status.ts); also status.json. */
  status: SyncStatus;
}

const DAY = 24 * 60 * 60 * 1000;

function health(
  label: string,
  at: string | null,
  warnWithinMs: number,
  now: number,
  ok: string,
): TokenHealth {
  if (!at) return { label, at, state: 'unknown', note: 'not reported by Intuit' };
  const left = new Date(at).getTime() - now;
  if (left <= 0) return { label, at, state: 'bad', note: 'expired' };
  if (left < warnWithinMs) return { label, at, state: 'warn', note: 'soon' };
  return { label, at, state: 'ok', note: ok };
}

export async function cardModel(
  connections: ConnectionsRepository,
  options: {
    environment: string;
    myAppsUrl: string;
    progress?: () => Promise<SyncProgress | undefined>;
    pull?: (realmId: string) => Promise<PullProgress | undefined>;
    unrevoked?: () => Promise<PendingRevocation[]>;
    /** Records of the connected company in an open conflict (they need an admin). */
    conflicts?: (realmId: string) => Promise<number>;
    now?: number;
  },
): Promise<CardModel> {
  const now = options.now ?? Date.now();
  const [active, pending, latest, unreadable] = await Promise.all([
    connections.active(),
    connections.pendingSwitch(),
    connections.latest(),
    connections.unreadable(),
  ]);
  const tokenHealth: TokenHealth[] = active
    ? [
        // The access token lives an hour and is refreshed on demand: "expired" here is normal and harmless.
        health('Access token', active.accessExpiresAt, 0, now, 'refreshed automatically when needed'),
        health('Refresh token', active.refreshExpiresAt, 14 * DAY, now, 'kept alive by a daily refresh'),
        health('5-year limit', active.refreshHardExpiresAt, 60 * DAY, now, 'reconnect before this date'),
      ]
    : [];
  if (tokenHealth[0]?.state === 'bad')
    tokenHealth[0] = { ...tokenHealth[0], state: 'ok', note: 'will be refreshed at the next call' };
  const [progress, pull, conflicts] = await Promise.all([
    active && options.progress ? options.progress() : undefined,
    active && options.pull ? options.pull(active.realmId) : undefined,
    active && options.conflicts ? options.conflicts(active.realmId) : 0,
  ]);
  return {
    active,
    pending,
    latest,
    revoked: !active && latest?.status === 'revoked',
    tokenHealth,
    emulator: options.environment === 'emulator',
    environment: options.environment,
    progress,
    pull,
    status: syncStatus({ active, latest, progress, pull, conflicts, now }),
    unrevoked: options.unrevoked ? await options.unrevoked() : [],
    unreadable: Boolean(active && unreadable.some((c) => c.realmId === active.realmId)),
    myAppsUrl: options.myAppsUrl,
  };
}
