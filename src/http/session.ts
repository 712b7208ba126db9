import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Knex } from 'knex';
import type { Logger } from '../logger.js';

export const SESSION_COOKIE = 'heavyav.sid';
const EIGHT_HOURS = 8 * 60 * 60 * 1000;

/**
 * connect-session-knex passes a database error to the callback AND re-throws it; express-session ignores
 * the returned promise, so the re-throw would become an unhandled rejection that kills the process.
 * This store keeps the callback path and swallows the duplicate.
 */
class SafeKnexStore extends ConnectSessionKnexStore {
  override async get(sid: string, cb: (err: any, s?: any) => void) {
    return super.get(sid, cb).catch(() => null);
  }
  override async set(sid: string, s: any, cb?: (err?: any) => void) {
    return super.set(sid, s, cb).catch(() => undefined);
  }
  override async destroy(sid: string, cb?: (err?: any) => void) {
    return super.destroy(sid, cb).catch(() => 0);
  }
  override async touch(sid: string, s: any, cb?: () => void) {
    return super.touch(sid, s, cb).catch(() => undefined);
  }
}

export function createSessionStore(db: Knex, logger: Logger): session.Store {
  return new SafeKnexStore({
    knex: db,
    tableName: 'sessions',
    createTable: false,
    cleanupInterval: 15 * 60 * 1000,
    onDbCleanupError: (err: unknown) => logger.warn({ err }, 'session cleanup failed'),
  }) as unknown as session.Store;
}

export function sessionMiddleware(options: {
  store: session.Store;
  secret: string;
  secure: boolean;
}): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    store: options.store,
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // Behind a TLS-terminating proxy the request is http; "proxy" lets the Secure cookie still be set
    // when TRUST_PROXY says the proxy can be believed.
    proxy: undefined,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      maxAge: EIGHT_HOURS,
    },
  });
}

/** Stops the store's cleanup timer so a process (or a test) can exit. */
export function closeSessionStore(store: session.Store): void {
  const s = store as unknown as { nextDbCleanup?: NodeJS.Timeout };
  if (s.nextDbCleanup) clearTimeout(s.nextDbCleanup);
}
