/** What the push does when the connection changes (registered on the lifecycle hub by the root). */
import type { ConnectionLifecycle } from '../connection/lifecycle.js';
import type { LinksRepository } from '../sync/links-repository.js';
import type { OutboxRepository } from './outbox-repository.js';
import type { PushWorker } from './push-worker.js';

export function pushLifecycle(deps: {
  outbox: OutboxRepository;
  links: LinksRepository;
  worker: PushWorker;
}): Partial<ConnectionLifecycle> {
  const { outbox, links, worker } = deps;
  return {
    // Changes made while no company was ever connected go to the one that connects now.
    connected: async (realmId) => {
      await outbox.adoptUnassigned(realmId);
      worker.resumeRealm(realmId);
    },
    stopping: (realmId) => worker.stopRealm(realmId),
    resumed: async (realmId) => worker.resumeRealm(realmId),
    archived: async (realmIds) => {
      await outbox.archiveRealms(realmIds);
      await links.archiveRealms(realmIds);
    },
  };
}
