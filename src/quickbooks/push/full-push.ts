/** "Sync now", push half: every record is queued for the company as one run the card can follow. */
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { OutboxRepository } from './outbox-repository.js';
import type { RecordsReader } from './records-reader.js';

export type QueueFullPush = (realmId: string, userId?: number) => Promise<string>;

export function fullPush(deps: {
  reader: RecordsReader;
  events: SyncEventsRepository;
  outbox: OutboxRepository;
  /** Wakes the push worker. */
  kick: () => void;
}): QueueFullPush {
  return async (realmId, userId) => {
    const ids = await deps.reader.allIds();
    const records = [
      ...ids.customers.map((recordId) => ({ recordType: 'customer' as const, recordId })),
      ...ids.estimates.map((recordId) => ({ recordType: 'estimate' as const, recordId })),
      ...ids.invoices.map((recordId) => ({ recordType: 'invoice' as const, recordId })),
    ];
    const run = await deps.events.startRun({ realmId, kind: 'push', userId });
    const n = await deps.outbox.enqueueMany(realmId, records, run.id);
    await deps.events.addToRun(run.id, { total: n });
    deps.kick();
    return `Queued ${n} record${n === 1 ? '' : 's'} for QuickBooks; unchanged ones are skipped.`;
  };
}
