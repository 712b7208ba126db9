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

export interface Container {
  config: Config;
  logger: Logger;
  db: Knex;
  app: Express;
  users: UsersRepository;
  auth: AuthService;
  setupCode: SetupCode;
  sessionStore: session.Store;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const db = createDb(config);
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const users = new UsersRepository(db);
  const auth = new AuthService({ users });
  const setupCode = new SetupCode();
  if ((await users.count()) > 0) setupCode.consume();
  const sessionStore = createSessionStore(db, logger);
  const app = createApp({ config, db, logger, sessionStore, users, auth, setupCode });
  return {
    config,
    logger,
    db,
    app,
    users,
    auth,
    setupCode,
    sessionStore,
    async close() {
      closeSessionStore(sessionStore);
      await db.destroy();
    },
  };
}
