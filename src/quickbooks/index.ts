/**
 * Wiring of the QuickBooks integration: one place that builds the OAuth client, token manager, API
 * client, connection service and routes from configuration.
 */
import type { RequestHandler, Router } from 'express';
import type { Knex } from 'knex';
import { AuditRepository } from '../audit/audit-repository.js';
import type { Config } from '../config.js';
import { Locks } from '../db/locks.js';
import { EMULATOR_DEFAULTS } from '../emulator/index.js';
import type { Logger } from '../logger.js';
import { cardModel, type SyncProgress } from './connection/card.js';
import { ConnectionService } from './connection/connection-service.js';
import { ConnectionsRepository } from './connection/connections-repository.js';
import { KeepAlive } from './connection/keepalive.js';
import { LifecycleHub } from './connection/lifecycle.js';
import { OAuthStatesRepository } from './connection/oauth-states-repository.js';
import { quickBooksAdminRoutes, quickBooksPublicRoutes } from './connection/routes.js';
import { dataRoutes } from './data-deletion/routes.js';
import { historyRoutes } from './history/routes.js';
import { type CallRecord, QboClient } from './intuit/client.js';
import { type IntuitEndpoints, intuitEndpoints } from './intuit/endpoints.js';
import { IntuitOAuth } from './intuit/intuit-oauth.js';
import { INTUIT_LIMITS, Limiters } from './intuit/limiter.js';
import { TokenCipher } from './intuit/token-cipher.js';
import { TokenManager } from './intuit/token-manager.js';

export interface QuickBooksOptions {
  /** Where the emulator is, when INTUIT_ENVIRONMENT=emulator (browser- and server-facing URLs). */
  emulator?: { browserUrl: string; serverUrl: string };
  timeoutMs?: number;
  refreshMarginMs?: number;
  /** Limiter window (a minute; shorter against a time-scaled emulator). */
  limiterWindowMs?: number;
  limits?: Partial<typeof INTUIT_LIMITS>;
  throttleBackoffMs?: number;
  /** How long a disconnect waits for calls already sent to be answered (default: timeout, at most 5 s). */
  closeGraceMs?: number;
  onCall?: (record: CallRecord) => void;
  previousKeys?: Buffer[];
}

export interface QuickBooks {
  endpoints: IntuitEndpoints;
  connections: ConnectionsRepository;
  audit: AuditRepository;
  tokens: TokenManager;
  client: QboClient;
  service: ConnectionService;
  lifecycle: LifecycleHub;
  limiters: Limiters;
  locks: Locks;
  cipher: TokenCipher;
  keepAlive: KeepAlive;
  adminRouter(extra?: {
    syncNow?: (realmId: string) => Promise<string | undefined>;
    progress?: () => Promise<SyncProgress | undefined>;
  }): Router;
  publicRouter(): Router;
  /** Sets res.locals.banners for admins (e.g. "Intuit revoked access"). */
  banners: RequestHandler;
}

export function emulatorUrlsFor(config: Config): { browserUrl: string; serverUrl: string } {
  if (config.intuit.emulatorUrl)
    return { browserUrl: config.intuit.emulatorUrl, serverUrl: config.intuit.emulatorUrl };
  const host = new URL(config.appBaseUrl).hostname;
  const port = config.intuit.emulatorPort;
  // The app itself talks to the emulator over IPv4 loopback; the browser uses the app's host name.
  return { browserUrl: `http://${host}:${port}`, serverUrl: `http://127.0.0.1:${port}` };
}

export function createQuickBooks(
  config: Config,
  db: Knex,
  logger: Logger,
  options: QuickBooksOptions = {},
): QuickBooks {
  const environment = config.intuit.environment;
  const endpoints = intuitEndpoints(
    environment,
    environment === 'emulator' ? (options.emulator ?? emulatorUrlsFor(config)) : undefined,
  );
  const emulator = environment === 'emulator';
  const cipher = new TokenCipher(
    config.tokenEncryptionKey,
    options.previousKeys ?? [...config.previousTokenEncryptionKeys],
  );
  const connections = new ConnectionsRepository(db, cipher);
  const audit = new AuditRepository(db);
  const locks = new Locks(db);
  const lifecycle = new LifecycleHub();
  const oauth = new IntuitOAuth({
    endpoints,
    clientId: config.intuit.clientId ?? (emulator ? EMULATOR_DEFAULTS.clientId : ''),
    clientSecret: config.intuit.clientSecret ?? (emulator ? EMULATOR_DEFAULTS.clientSecret : ''),
    redirectUri: config.intuit.redirectUri,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  const limiters = new Limiters({
    ...INTUIT_LIMITS,
    ...options.limits,
    windowMs: options.limiterWindowMs ?? 60_000,
  });
  let service: ConnectionService | undefined;
  const tokens = new TokenManager({
    connections,
    oauth: () => oauth,
    locks,
    logger,
    refreshMarginMs: options.refreshMarginMs,
    onRevoked: (realmId, err) => service!.handleRevoked(realmId, err),
    onRefreshed: async (realmId, info) => {
      if (info.rotated) {
        await audit.record({
          action: 'quickbooks.refreshed',
          summary: 'Refreshed the QuickBooks tokens; Intuit rotated the refresh token',
          realmId,
          intuitTid: info.intuitTid,
        });
      }
    },
  });
  const client = new QboClient({
    apiBase: endpoints.api,
    tokens,
    limiters,
    logger,
    timeoutMs: options.timeoutMs ?? 15_000,
    onCall: options.onCall,
    throttleBackoffMs: options.throttleBackoffMs,
    closeGraceMs: options.closeGraceMs,
  });
  service = new ConnectionService({
    db,
    connections,
    states: new OAuthStatesRepository(db),
    audit,
    oauth: () => oauth,
    client,
    lifecycle,
    logger,
    environment,
  });
  const svc = service;
  let progress: (() => Promise<SyncProgress | undefined>) | undefined;
  const card = () => cardModel(connections, { environment, myAppsUrl: endpoints.myApps, progress });

  const banners: RequestHandler = async (req, res, next) => {
    if (req.session?.user?.role !== 'admin') return next();
    const [active, latest] = [await connections.active(), await connections.latest()];
    if (!active && latest?.status === 'revoked') {
      res.locals.banners = [
        {
          kind: 'error',
          text: `QuickBooks access to ${latest.companyName ?? latest.realmId} was revoked at Intuit; syncing has stopped.`,
          href: '/admin/settings/quickbooks',
          linkText: 'Reconnect',
        },
      ];
    }
    next();
  };

  const keepAlive = new KeepAlive({ connections, tokens, logger });

  return {
    endpoints,
    keepAlive,
    connections,
    audit,
    tokens,
    client,
    service: svc,
    lifecycle,
    limiters,
    locks,
    cipher,
    adminRouter(extra = {}) {
      progress = extra.progress;
      const router = quickBooksAdminRoutes({
        service: svc,
        card,
        appBaseUrl: config.appBaseUrl,
        syncNow: extra.syncNow,
      });
      // History, cached data and deletion requests: same admin-only, CSRF-checked mount.
      return router.use(historyRoutes({ db }), dataRoutes({ db }));
    },
    publicRouter: () => quickBooksPublicRoutes({ service: svc }),
    banners,
  };
}
