/**
 * Wiring of the QuickBooks connection and everything that speaks to Intuit: repositories, the OAuth
 * client, the token manager, the API client, the lifecycle hub and the connection's services, in that order.
 * Construction only; src/container.ts calls this, then builds push and pull and the routers.
 */
import type { Knex } from 'knex';
import { AuditRepository } from '../audit/audit-repository.js';
import type { Config } from '../config.js';
import { Locks } from '../db/locks.js';
import { transactor } from '../db/transaction.js';
import type { Logger } from '../logger.js';
import { ConnectionCheck } from './connection/check.js';
import { ConnectService, type ConnectServiceDeps } from './connection/connect.js';
import { ConnectionsRepository } from './connection/connections-repository.js';
import { DisconnectService, type DisconnectServiceDeps } from './connection/disconnect.js';
import { InstancesRepository } from './connection/instances-repository.js';
import { IntuitDisconnects } from './connection/intuit-disconnect.js';
import { KeepAlive } from './connection/keepalive.js';
import { LifecycleHub } from './connection/lifecycle.js';
import { OAuthStatesRepository } from './connection/oauth-states-repository.js';
import { Revocations } from './connection/revocations.js';
import { RevokeRetries } from './connection/revoke-retries.js';
import { SwitchService } from './connection/switch.js';
import { auditRotations } from './connection/token-audit.js';
import { CONNECTION_POLL_MS, ConnectionWatch } from './connection/watch.js';
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
  /** How often each instance reads the connection's state from the database (decision 010). */
  connectionPollMs?: number;
}

export interface QuickBooks {
  endpoints: IntuitEndpoints;
  connections: ConnectionsRepository;
  audit: AuditRepository;
  tokens: TokenManager;
  client: QboClient;
  /** The connection's services: connect, switch company, disconnect, Intuit's disconnects, "Sync now"'s check. */
  connection: ConnectionServices;
  /** Push and pull register what they do when the connection changes (src/container.ts). */
  lifecycle: LifecycleHub;
  limiters: Limiters;
  locks: Locks;
  cipher: TokenCipher;
  keepAlive: KeepAlive;
  /** The token manager's revocation relay: alerts subscribe beside the connection's landing (src/container.ts). */
  revocations: Revocations;
  /** Follows the connection's state in the database (started with the app). */
  watch: ConnectionWatch;
  /** Revokes that failed, kept and tried again (started with the app). */
  revokes: RevokeRetries;
}

export interface ConnectionServices {
  connect: ConnectService;
  switchCompany: SwitchService;
  disconnect: DisconnectService;
  /** The Disconnect URL landing, and the handler of a revocation the token manager finds. */
  landing: IntuitDisconnects;
  check: ConnectionCheck;
}

export function createQuickBooks(
  config: Config,
  db: Knex,
  logger: Logger,
  options: QuickBooksOptions = {},
): QuickBooks {
  // Repositories
  const cipher = new TokenCipher(
    config.tokenEncryptionKey,
    options.previousKeys ?? [...config.previousTokenEncryptionKeys],
  );
  const connections = new ConnectionsRepository(db, cipher);
  const audit = new AuditRepository(db);
  const locks = new Locks(db);

  // Handlers that later services reach back through, built first.
  const lifecycle = new LifecycleHub();
  const revocations = new Revocations();

  // Intuit
  const intuit = createIntuit(config, { connections, locks, audit, logger, revocations }, options);

  // The connection
  const { oauth, client, tokens } = intuit;
  const shared = { connections, audit, oauth, client, lifecycle, logger };
  const instances = new InstancesRepository(db);
  const revokes = new RevokeRetries({ db, oauth, cipher, logger });
  const pollMs = options.connectionPollMs ?? CONNECTION_POLL_MS;
  const grace = options.closeGraceMs ?? Math.min(options.timeoutMs ?? 15_000, 5_000);
  const connection = createConnectionServices(shared, {
    transaction: transactor(db),
    states: new OAuthStatesRepository(db),
    environment: config.intuit.environment,
    revokes,
    locks,
    // A live instance heartbeats every pollMs, but a close it is applying can take the grace on top.
    peers: {
      instances,
      owner: locks.owner,
      aliveMs: 3 * pollMs + grace + 2000,
      waitMs: 2 * pollMs + grace + 1000,
    },
  });
  revocations.subscribe(connection.landing);
  const keepAlive = new KeepAlive({ connections, tokens, logger });
  const watch = new ConnectionWatch({
    connections,
    instances,
    client,
    lifecycle,
    logger,
    owner: locks.owner,
    pollMs,
  });

  return {
    ...intuit,
    connections,
    audit,
    connection,
    lifecycle,
    locks,
    cipher,
    keepAlive,
    revocations,
    watch,
    revokes,
  };
}

/** Intuit's URLs, the OAuth client, the limiter, the token manager and the API client, in that order. */
function createIntuit(
  config: Config,
  deps: {
    connections: ConnectionsRepository;
    locks: Locks;
    audit: AuditRepository;
    logger: Logger;
    revocations: Revocations;
  },
  options: QuickBooksOptions,
) {
  const { connections, locks, audit, logger } = deps;
  const environment = config.intuit.environment;
  const endpoints = intuitEndpoints(
    environment,
    environment === 'emulator' ? (options.emulator ?? emulatorUrlsFor(config)) : undefined,
  );
  const timeoutMs = options.timeoutMs ?? 15_000;
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
    onRevoked: deps.revocations.report,
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
  return { endpoints, oauth, limiters, tokens, client };
}

/** One service for each thing that happens to the connection. */
function createConnectionServices(
  shared: Omit<ConnectServiceDeps, 'transaction' | 'states' | 'environment' | 'locks' | 'revokes'>,
  connect: Pick<ConnectServiceDeps, 'transaction' | 'states' | 'environment' | 'locks'> & {
    peers: DisconnectServiceDeps['peers'];
    revokes: RevokeRetries;
  },
): ConnectionServices {
  return {
    connect: new ConnectService({ ...shared, ...connect }),
    switchCompany: new SwitchService({
      ...shared,
      transaction: connect.transaction,
      revokes: connect.revokes,
    }),
    disconnect: new DisconnectService({ ...shared, peers: connect.peers, revokes: connect.revokes }),
    landing: new IntuitDisconnects(shared),
    check: new ConnectionCheck(shared),
  };
}
