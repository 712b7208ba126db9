/**
 * Wiring of the QuickBooks connection and everything that speaks to Intuit: repositories, the OAuth
 * client, the token manager, the API client, the lifecycle hub and the connection service, in that order.
 * Construction only; src/container.ts calls this, then builds push and pull and the routers.
 */
import type { Knex } from 'knex';
import { AuditRepository } from '../audit/audit-repository.js';
import type { Config } from '../config.js';
import { Locks } from '../db/locks.js';
import { transactor } from '../db/transaction.js';
import type { Logger } from '../logger.js';
import { ConnectionService } from './connection/connection-service.js';
import { ConnectionsRepository } from './connection/connections-repository.js';
import { KeepAlive } from './connection/keepalive.js';
import { LifecycleHub } from './connection/lifecycle.js';
import { OAuthStatesRepository } from './connection/oauth-states-repository.js';
import { Revocations } from './connection/revocations.js';
import { auditRotations } from './connection/token-audit.js';
import { emulatorUrlsFor } from './emulator-urls.js';
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
  /** Push and pull register what they do when the connection changes (src/container.ts). */
  lifecycle: LifecycleHub;
  limiters: Limiters;
  locks: Locks;
  cipher: TokenCipher;
  keepAlive: KeepAlive;
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
  const timeoutMs = options.timeoutMs ?? 15_000;

  // Repositories
  const cipher = new TokenCipher(
    config.tokenEncryptionKey,
    options.previousKeys ?? [...config.previousTokenEncryptionKeys],
  );
  const connections = new ConnectionsRepository(db, cipher);
  const states = new OAuthStatesRepository(db);
  const audit = new AuditRepository(db);
  const locks = new Locks(db);

  // Handlers that later services reach back through, built first.
  const lifecycle = new LifecycleHub();
  const revocations = new Revocations();

  // Intuit
  const oauth = new IntuitOAuth({
    endpoints,
    clientId: config.intuit.clientId,
    clientSecret: config.intuit.clientSecret,
    redirectUri: config.intuit.redirectUri,
    timeoutMs,
  });
  const limiters = new Limiters({
    ...INTUIT_LIMITS,
    ...options.limits,
    windowMs: options.limiterWindowMs ?? 60_000,
  });
  const tokens = new TokenManager({
    connections,
    oauth,
    locks,
    logger,
    refreshMarginMs: options.refreshMarginMs,
    onRevoked: revocations.report,
    onRefreshed: auditRotations(audit),
  });
  const client = new QboClient({
    apiBase: endpoints.api,
    tokens,
    limiters,
    logger,
    timeoutMs,
    onCall: options.onCall,
    throttleBackoffMs: options.throttleBackoffMs,
    closeGraceMs: options.closeGraceMs,
  });

  // The connection
  const service = new ConnectionService({
    transaction: transactor(db),
    connections,
    states,
    audit,
    oauth,
    client,
    lifecycle,
    logger,
    environment,
  });
  revocations.subscribe(service);
  const keepAlive = new KeepAlive({ connections, tokens, logger });

  return {
    endpoints,
    connections,
    audit,
    tokens,
    client,
    service,
    lifecycle,
    limiters,
    locks,
    cipher,
    keepAlive,
  };
}
