/**
 * The sync's side of the records/hooks.ts seam: a change staff make becomes an outbox row in the same
 * transaction, so the change and its push commit (or roll back) together.
 */
import type { ChangeRecorder } from '../../records/hooks.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { OutboxRepository } from './outbox-repository.js';

export function outboxRecorder(deps: {
  connections: ConnectionsRepository;
  outbox: OutboxRepository;
  /** Wakes the push worker once the change is committed. */
  kick: () => void;
}): ChangeRecorder {
  return async (trx, change) => {
    // The company this change is for: the connected one, or else the one connected last, so that work
    // made while disconnected goes out after a reconnect to the same company (and never to another).
    const active = await deps.connections.active(trx);
    const latest = active ?? (await deps.connections.latest(trx));
    const realmId = latest && latest.status !== 'archived' ? latest.realmId : null;
    await deps.outbox.enqueue({ realmId, recordType: change.type, recordId: change.id }, trx);
    if (active) setTimeout(deps.kick, 5).unref?.();
  };
}
