/**
 * Wiring of the inbound sync (changes made in QuickBooks flow back): the webhook receiver, the inbox and
 * its worker, the CDC sweep, and their place in the connection's life (a connect resumes and reconciles, a
 * disconnect stops, a company switch drops the earlier company's waiting events).
 */
import type { Router } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config.js';
import { EMULATOR_DEFAULTS } from '../../emulator/index.js';
import type { Logger } from '../../logger.js';
import type { RecordServices } from '../../records/routes.js';
import type { QuickBooks } from '../index.js';
import { SyncEventsRepository } from '../sync/events-repository.js';
import { LinksRepository } from '../sync/links-repository.js';
import { ActiveRealm } from './active-realm.js';
import { CdcSweep } from './cdc-sweep.js';
import { InboundSync } from './inbound-sync.js';
import { InboxRepository } from './inbox-repository.js';
import { webhookRoutes } from './receiver.js';
import { WatermarksRepository } from './watermarks-repository.js';
import { InboundWorker, type InboundWorkerOptions } from './worker.js';

export interface InboundOptions {
  /** Start the worker and the daily CDC check with the container (default true). */
  autoStart?: boolean;
  worker?: InboundWorkerOptions;
  cdc?: { periodMs?: number; checkEveryMs?: number };
  /** How long the receiver trusts its look-up of the connected company. */
  activeRealmTtlMs?: number;
  /** How long finished events stay in the inbox (default INBOX_RETENTION_MS). */
  inboxRetentionMs?: number;
}

/** 30 days: far beyond Intuit's retries of an event we did not acknowledge. */
export const INBOX_RETENTION_MS = 30 * 24 * 3_600_000;

export interface Inbound {
  router: Router;
  inbox: InboxRepository;
  worker: InboundWorker;
  cdc: CdcSweep;
  sync: InboundSync;
  start(): void;
  stop(): Promise<void>;
}

export function verifierTokenFor(config: Config): string {
  return (
    config.intuit.webhookVerifierToken ??
    (config.intuit.environment === 'emulator' ? EMULATOR_DEFAULTS.verifierToken : '')
  );
}

export function createInbound(deps: {
  config: Config;
  db: Knex;
  logger: Logger;
  quickbooks: QuickBooks;
  records: RecordServices;
  options?: InboundOptions;
}): Inbound {
  const { db, logger, quickbooks, records, options = {} } = deps;
  const { client, connections, lifecycle, locks } = quickbooks;
  const inbox = new InboxRepository(db);
  const events = new SyncEventsRepository(db);
  const activeRealm = new ActiveRealm(connections, options.activeRealmTtlMs);
  const sync = new InboundSync({
    db,
    links: new LinksRepository(db),
    ...records,
    fetch: (realmId, entity, id) => client.read(realmId, entity, id),
  });
  const worker = new InboundWorker(
    { inbox, sync, client, events, activeRealm, logger, owner: `inbound-${locks.owner}` },
    // SYNC_LEASE_SECONDS: how soon a dead instance's claimed events are taken over, as for the push.
    { leaseMs: deps.config.syncLeaseMs, ...options.worker },
  );
  const cdc = new CdcSweep(
    {
      client,
      sync,
      watermarks: new WatermarksRepository(db),
      events,
      locks,
      activeRealm,
      connections,
      logger,
    },
    options.cdc,
  );
  const router = webhookRoutes({
    verifierToken: verifierTokenFor(deps.config),
    inbox,
    activeRealm,
    logger,
    onStored: () => worker.kick(),
  });
  if (!verifierTokenFor(deps.config)) {
    logger.warn('INTUIT_WEBHOOK_VERIFIER_TOKEN is not set: every QuickBooks webhook will be refused (401)');
  }

  // Finished events are kept a while (a late redelivery is still recognised as one), then deleted so the
  // inbox does not grow for ever; checked hourly, by every instance (deleting twice is harmless).
  const retentionMs = options.inboxRetentionMs ?? INBOX_RETENTION_MS;
  const prune = () =>
    inbox
      .prune(new Date(Date.now() - retentionMs))
      .then((n) => n && logger.info({ deleted: n }, 'old webhook events deleted from the inbox'))
      .catch((err) => logger.warn({ err }, 'pruning the webhook inbox failed; it will be tried again'));
  let pruneTimer: NodeJS.Timeout | undefined;

  let started = false;
  lifecycle.add({
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
      await worker.pauseRealm(realmId);
    },
    archived: async (realmIds) => {
      await inbox.dropPending(realmIds);
    },
  });

  return {
    router,
    inbox,
    worker,
    cdc,
    sync,
    start() {
      started = true;
      worker.start();
      cdc.start();
      // A daily sweep that fell due while no process was running.
      setTimeout(() => void (started && cdc.runIfDue()), 5_000).unref();
      pruneTimer = setInterval(() => void prune(), 3_600_000);
      pruneTimer.unref();
      void prune();
    },
    async stop() {
      started = false;
      clearInterval(pruneTimer);
      await worker.stop();
      await cdc.stop();
    },
  };
}
