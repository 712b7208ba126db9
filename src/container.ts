/**
 * Wires the app's dependencies in one place. server.ts and the tests both use it; tests pass their own
 * config (a fresh database, an emulator on a random port) and logger.
 */
import type { Express } from 'express';
import type session from 'express-session';
import type { Knex } from 'knex';
import { createApp } from './app.js';
import { AuthService } from './auth/auth-service.js';
import { SetupCode } from './auth/setup-code.js';
import { UsersRepository } from './auth/users-repository.js';
import type { Config } from './config.js';
import { createDb, migrateLatest } from './db/index.js';
import { closeSessionStore, createSessionStore } from './http/session.js';
import type { Logger } from './logger.js';
import { createQuickBooks, type QuickBooks, type QuickBooksOptions } from './quickbooks/index.js';
import { ignoreChanges, noLinks, type RecordHooks } from './records/hooks.js';
import { createRecordServices, type RecordServices, recordRouters } from './records/routes.js';

export interface Container extends RecordServices {
  config: Config;
  logger: Logger;
  db: Knex;
  app: Express;
  users: UsersRepository;
  auth: AuthService;
  setupCode: SetupCode;
  sessionStore: session.Store;
  /**
   * The hooks the record services call, read at call time: the QuickBooks module may replace
   * recordChange/linksFor on this object after the services are built.
   */
  hooks: RecordHooks;
  quickbooks: QuickBooks;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export async function createContainer(
  config: Config,
  logger: Logger,
  options: { hooks?: RecordHooks; quickbooks?: QuickBooksOptions } = {},
): Promise<Container> {
  const db = createDb(config);
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const users = new UsersRepository(db);
  const auth = new AuthService({ users });
  const setupCode = new SetupCode();
  if ((await users.count()) > 0) setupCode.consume();
  const sessionStore = createSessionStore(db, logger);
  const hooks: RecordHooks = options.hooks ?? { recordChange: ignoreChanges, linksFor: noLinks };
  const records = createRecordServices({ db, hooks });
  const quickbooks = createQuickBooks(config, db, logger, options.quickbooks);
  const app = createApp({
    config,
    db,
    logger,
    sessionStore,
    users,
    auth,
    setupCode,
    pageMiddleware: [quickbooks.banners],
    userRouters: recordRouters(records),
    adminRouters: [quickbooks.adminRouter()],
    sessionRouters: [quickbooks.publicRouter()],
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
    sessionStore,
    hooks,
    quickbooks,
    ...records,
    async close() {
      closeSessionStore(sessionStore);
      await db.destroy();
    },
  };
}
