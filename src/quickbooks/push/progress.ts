/**
 * The card's push progress for the connected company: the full push while one runs ("Sync now", a
 * reconnect), else the automatic push of what was edited since the oldest change still waiting. One
 * source for "waiting", "failed" and the bar: the queue (qbo_outbox), read the same way by every instance.
 */
import type { SyncProgress } from '../connection/card.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { OutboxRepository } from './outbox-repository.js';

export type PushProgress = () => Promise<SyncProgress | undefined>;

export function pushProgress(deps: {
  connections: ConnectionsRepository;
  events: SyncEventsRepository;
  outbox: OutboxRepository;
}): PushProgress {
  return async () => {
    const active = await deps.connections.active();
    if (!active) return undefined;
    const [run, queue, delay] = await Promise.all([
      deps.events.latestRun(active.realmId, 'push'),
      deps.outbox.counts(active.realmId),
      deps.outbox.delay(active.realmId),
    ]);
    const base = { waiting: queue.pending, failedNow: queue.failed, delay };
    if (run) {
      const c = await deps.outbox.runCounts(run.id);
      if (c.done + c.failed < c.total)
        return { ...base, running: true, done: c.done, total: c.total, failed: c.failed, automatic: false };
    }
    const wave = await deps.outbox.waveCounts(active.realmId);
    if (wave) return { ...base, running: true, ...wave, automatic: true };
    return { ...base, running: false, done: 0, total: 0, failed: 0, automatic: true };
  };
}
