/** The view model of the connection card: what an admin needs to see at a glance. */

import type { LineSettings } from '../lines/settings-repository.js';
import type { Connection } from './connection-types.js';
import type { ConnectionsRepository } from './connections-repository.js';

export interface TokenHealth {
  label: string;
  at: string | null;
  state: 'ok' | 'warn' | 'bad' | 'unknown';
  note: string;
}

export interface SyncProgress {
  running: boolean;
  done: number;
  total: number;
  failed: number;
  waiting: number;
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
  myAppsUrl: string;
  /** Items and tax for lines of the connected company (its defaults section). */
  lines?: LineSettings;
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
    now?: number;
  },
): Promise<CardModel> {
  const now = options.now ?? Date.now();
  const [active, pending, latest] = await Promise.all([
    connections.active(),
    connections.pendingSwitch(),
    connections.latest(),
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
  return {
    active,
    pending,
    latest,
    revoked: !active && latest?.status === 'revoked',
    tokenHealth,
    emulator: options.environment === 'emulator',
    environment: options.environment,
    progress: active && options.progress ? await options.progress() : undefined,
    myAppsUrl: options.myAppsUrl,
  };
}
