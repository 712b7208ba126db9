/** The card's push progress: the latest full push of the connected company, and what still waits. */
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
    const [run, waiting] = await Promise.all([
      deps.events.latestRun(active.realmId, 'push'),
      deps.outbox.counts(active.realmId),
    ]);
    if (!run)
      return {
        running: waiting.pending > 0,
        done: 0,
        total: 0,
        failed: waiting.failed,
        waiting: waiting.pending,
      };
    const c = await deps.outbox.runCounts(run.id);
    return {
      running: c.done + c.failed < c.total,
      done: c.done,
      total: c.total,
      failed: c.failed,
      waiting: waiting.pending,
    };
  };
}
