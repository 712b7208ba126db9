/**
 * Wires the app's dependencies in one place. server.ts and the tests both use it; tests pass their own
 * config (a fresh database, an emulator on a random port) and logger.
 */
import type { Express } from 'express';
import type session from 'express-session';
import type { Knex } from 'knex';
import { createApp } from './app.js';
import { AuditRepository } from './audit/audit-repository.js';
import { AuthService } from './auth/auth-service.js';
import { LoginAttemptsRepository } from './auth/login-attempts-repository.js';
import { OneTimeLinksRepository } from './auth/one-time-links-repository.js';
import { SetupCode } from './auth/setup-code.js';
import { UsersRepository } from './auth/users-repository.js';
import type { Config } from './config.js';
import { createDb, migrateLatest } from './db/index.js';
import { closeSessionStore, createSessionStore } from './http/session.js';
import type { Logger } from './logger.js';
import { createMailer } from './mail/mailer.js';
import { createQuickBooks, type QuickBooks, type QuickBooksOptions } from './quickbooks/index.js';
import { createPushSync, type PushSync, type PushSyncOptions } from './quickbooks/sync/index.js';
import { createInbound, type Inbound, type InboundOptions } from './quickbooks/webhooks/index.js';
import type { RecordHooks } from './records/hooks.js';
import { createRecordServices, type RecordServices, recordRouters } from './records/routes.js';
import { usersRoutes } from './users/routes.js';
import { UsersService } from './users/users-service.js';

export interface Container extends RecordServices {
  config: Config;
  logger: Logger;
  db: Knex;
  app: Express;
  users: UsersRepository;
  auth: AuthService;
  setupCode: SetupCode;
  /** The users page: invitations, roles, deactivation, passwords, reset links. */
  people: UsersService;
  sessionStore: session.Store;
  /**
   * The hooks the record services call, read at call time: the QuickBooks module may replace
   * recordChange/linksFor on this object after the services are built.
   */
  hooks: RecordHooks;
  quickbooks: QuickBooks;
  sync: PushSync;
  /** Changes made in QuickBooks: webhook receiver, inbox worker, CDC sweep. */
  inbound: Inbound;
  /** Starts background work (the push worker). The server calls it; tests drive workers directly. */
  start(): void;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export async function createContainer(
  config: Config,
  logger: Logger,
  options: {
    hooks?: RecordHooks;
    quickbooks?: QuickBooksOptions;
    sync?: PushSyncOptions;
    inbound?: InboundOptions;
  } = {},
): Promise<Container> {
  const db = createDb(config);
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const users = new UsersRepository(db);
  const auth = new AuthService({ users, attempts: new LoginAttemptsRepository(db) });
  const people = new UsersService({
    db,
    users,
    links: new OneTimeLinksRepository(db),
    auth,
    audit: new AuditRepository(db),
    logger,
    mailer: createMailer(config.smtp),
    appBaseUrl: config.appBaseUrl,
  });
  const setupCode = new SetupCode();
  if ((await users.count()) > 0) setupCode.consume();
  const sessionStore = createSessionStore(db, logger);
  const quickbooks = createQuickBooks(config, db, logger, options.quickbooks);
  const sync = createPushSync(db, quickbooks, logger, { leaseMs: config.syncLeaseMs, ...options.sync });
  const hooks: RecordHooks = options.hooks ?? { recordChange: sync.recordChange, linksFor: sync.linksFor };
  const records = createRecordServices({ db, hooks });
  const inbound = createInbound({ config, db, logger, quickbooks, records, options: options.inbound });
  const app = createApp({
    config,
    db,
    logger,
    sessionStore,
    users,
    auth,
    setupCode,
    publicRouters: [inbound.router],
    pageMiddleware: [quickbooks.banners],
    userRouters: recordRouters(records),
    adminRouters: [
      quickbooks.adminRouter({
        syncNow: (realmId) => sync.queueFullPush(realmId),
        progress: () => sync.progress(),
      }),
    ],
    sessionRouters: [quickbooks.publicRouter(), usersRoutes({ users: people })],
    formActionOrigins: [new URL(quickbooks.endpoints.authorize).origin],
  });
  return {
    config,
    logger,
    db,
    app,
    users,
    auth,
    setupCode,
    people,
    sessionStore,
    hooks,
    quickbooks,
    sync,
    inbound,
    ...records,
    start() {
      sync.worker.start();
      inbound.start();
      quickbooks.keepAlive.start();
    },
    async close() {
      quickbooks.keepAlive.stop();
      await sync.worker.stop();
      await inbound.stop();
      closeSessionStore(sessionStore);
      await db.destroy();
    },
  };
}
