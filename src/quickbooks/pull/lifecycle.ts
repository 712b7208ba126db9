/** What the pull does when the connection changes (registered on the lifecycle hub by the root). */
import type { Logger } from '../../logger.js';
import type { ConnectionLifecycle } from '../connection/lifecycle.js';
import type { ActiveRealm } from './active-realm.js';
import type { CdcSweep } from './cdc-sweep.js';
import type { InboxRepository } from './inbox-repository.js';
import type { InboundWorker } from './worker.js';

export function pullLifecycle(deps: {
  activeRealm: ActiveRealm;
  worker: InboundWorker;
  cdc: CdcSweep;
  inbox: InboxRepository;
  logger: Logger;
}): Partial<ConnectionLifecycle> {
  const { activeRealm, worker, cdc, inbox, logger } = deps;
  return {
    connected: async (realmId, info) => {
      activeRealm.forget();
      worker.resumeRealm(realmId);
      // The callback does not wait for the reconciliation (it can take many requests).
      cdc
        .onConnected(realmId, info)
        .catch((err) => logger.warn({ err, realmId }, 'CDC sweep after connect failed'));
    },
    stopping: async (realmId) => {
      activeRealm.forget();
      // A sweep waiting out a throttle stops now rather than asking a disconnected company again.
      cdc.cancel(realmId);
      await worker.pauseRealm(realmId);
    },
    resumed: async (realmId) => {
      activeRealm.forget();
      worker.resumeRealm(realmId);
    },
    // The earlier company's waiting events are never applied after a switch.
    archived: async (realmIds) => {
      await inbox.dropPending(realmIds);
    },
  };
}
