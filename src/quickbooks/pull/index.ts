/**
 * Wiring of the pull (changes made in QuickBooks flow back): the webhook receiver, the inbox and its
 * worker, the CDC sweep, inbox retention, and their place in the connection's life (`lifecycle`, which
 * the composition root registers: a connect resumes and reconciles, a disconnect stops, a company switch
 * drops the earlier company's waiting events). Construction only.
 */
import type { Knex } from 'knex';
import type { Config } from '../../config.js';
import type { Locks } from '../../db/locks.js';
import { transactor } from '../../db/transaction.js';
import type { RawRoute } from '../../http/raw-routes.js';
import type { Logger } from '../../logger.js';
import { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import type { PullProgress } from '../connection/card.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { ConnectionLifecycle } from '../connection/lifecycle.js';
import type { QboClient } from '../intuit/client.js';
import { SyncEventsRepository } from '../sync/events-repository.js';
import { Installation } from '../sync/installation.js';
import { LinksRepository } from '../sync/links-repository.js';
import { ActiveRealm } from './active-realm.js';
import { PullBackground } from './background.js';
import { type CdcRetryOptions, CdcSweep } from './cdc-sweep.js';
import { InboundSync, type InboundSyncDeps } from './inbound-sync.js';
import { InboxRepository } from './inbox-repository.js';
import { InboxRetention } from './inbox-retention.js';
import { pullLifecycle } from './lifecycle.js';
import { webhookReceiver } from './receiver.js';
import { WatermarksRepository } from './watermarks-repository.js';
import { InboundWorker, type InboundWorkerOptions } from './worker.js';

export interface InboundOptions {
  /** Start the worker and the daily CDC check with the container (default true). */
  autoStart?: boolean;
  worker?: InboundWorkerOptions;
  cdc?: { periodMs?: number; checkEveryMs?: number; retry?: CdcRetryOptions };
  /** How long the receiver trusts its look-up of the connected company. */
  activeRealmTtlMs?: number;
  /** How long finished events stay in the inbox (default INBOX_RETENTION_MS). */
  inboxRetentionMs?: number;
}

export interface Inbound {
  /** The webhook receiver, taking its requests before Express does (app.ts rawRoutes, decision 018). */
  receiver: RawRoute;
  inbox: InboxRepository;
  worker: InboundWorker;
  cdc: CdcSweep;
  sync: InboundSync;
  /** What the pull does when the connection changes; registered on the lifecycle hub. */
  lifecycle: Partial<ConnectionLifecycle>;
  /** "Sync now", pull half: a CDC sweep started in the background; false when one is already running. */
  pullNow(realmId: string): Promise<boolean>;
  /** The latest CDC sweep of the company, for the card. */
  pullProgress(realmId: string): Promise<PullProgress | undefined>;
  start(): void;
  stop(): Promise<void>;
}

export function createInbound(deps: {
  config: Config;
  db: Knex;
  logger: Logger;
  client: QboClient;
  connections: ConnectionsRepository;
  locks: Locks;
  records: Pick<InboundSyncDeps, 'customers' | 'estimates' | 'invoices'>;
  options?: InboundOptions;
  /** Told the status of every answer the webhook route gives (see WebhookRouteDeps.onAnswer). */
  onWebhookAnswer?: (status: number) => void;
}): Inbound {
  const { config, db, logger, client, connections, locks, records, options = {} } = deps;
  const inbox = new InboxRepository(db);
  const events = new SyncEventsRepository(db);
  const activeRealm = new ActiveRealm(connections, options.activeRealmTtlMs);
  const sync = new InboundSync({
    transaction: transactor(db),
    links: new LinksRepository(db),
    ...records,
    fetch: (realmId, entity, id) => client.read(realmId, entity, id),
    installation: new Installation(db),
    conflicts: new ConflictsRepository(db),
  });
  const worker = new InboundWorker(
    { inbox, sync, client, events, activeRealm, logger, owner: `inbound-${locks.owner}` },
    // SYNC_LEASE_SECONDS: how soon a dead instance's claimed events are taken over, as for the push.
    { leaseMs: config.syncLeaseMs, ...options.worker },
  );
  const watermarks = new WatermarksRepository(db);
  const cdc = new CdcSweep(
    { client, sync, watermarks, events, locks, activeRealm, connections, logger },
    options.cdc,
  );
  const receiver = webhookReceiver({
    verifierToken: config.intuit.webhookVerifierToken,
    inbox,
    activeRealm,
    logger,
    onStored: () => worker.kick(),
    onAnswer: deps.onWebhookAnswer,
  });
  const retention = new InboxRetention({ inbox, logger }, options.inboxRetentionMs);

  const background = new PullBackground({ worker, cdc, retention });
  return {
    receiver,
    inbox,
    worker,
    cdc,
    sync,
    lifecycle: pullLifecycle({ activeRealm, worker, cdc, inbox, logger }),
    pullNow: (realmId) => cdc.startNow(realmId),
    pullProgress: async (realmId) => {
      const run = await events.latestRun(realmId, 'cdc');
      // Why a sweep waits (or why the last one gave up) and when it tries again, from the run's row.
      const delay =
        run?.delayCode && run.nextTryAt ? { code: run.delayCode, nextTryAt: run.nextTryAt } : undefined;
      if (run?.status === 'running') {
        const { total, done, failed, startedAt, finishedAt } = run;
        return { running: true, total, done, failed, startedAt, finishedAt, delay };
      }
      // No sweep running: the automatic pull (webhook events being applied) gets its bar too.
      const wave = await inbox.waveCounts(realmId);
      if (wave) return { running: true, ...wave, startedAt: new Date().toISOString(), finishedAt: null };
      if (!run) return undefined;
      const { total, done, failed, startedAt, finishedAt } = run;
      return {
        running: false,
        total,
        done,
        failed,
        startedAt,
        finishedAt,
        delay,
        stopped: run.status === 'stopped',
      };
    },
    start: () => background.start(),
    stop: () => background.stop(),
  };
}
