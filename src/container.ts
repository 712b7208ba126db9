/**
 * The composition root: everything is built here, once, in dependency order — repositories, then
 * services, then routers — and nothing is filled in afterwards. Callbacks that reach back (the token
 * manager telling intuit-disconnect.ts about a revocation, push and pull hearing about the connection's
 * life) go through small handler objects built first (see src/quickbooks/index.ts). server.ts and the
 * tests both use it; tests pass their own config (a fresh database, an emulator on a random port),
 * logger, and options (e.g. their own record hooks).
 */
import type { Express } from 'express';
import type session from 'express-session';
import type { Knex } from 'knex';
import { Registry } from 'prom-client';
import { createApp } from './app.js';
import { AuditRepository } from './audit/audit-repository.js';
import { AuthService } from './auth/auth-service.js';
import { LoginAttemptsRepository } from './auth/login-attempts-repository.js';
import { OneTimeLinksRepository } from './auth/one-time-links-repository.js';
import { SetupCode } from './auth/setup-code.js';
import { UsersRepository } from './auth/users-repository.js';
import type { Config } from './config.js';
import { CustomerDocumentsRepository } from './customers/documents-repository.js';
import { CustomersRepository } from './customers/repository.js';
import { customerRoutes } from './customers/routes.js';
import { CustomersService } from './customers/service.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { createDb, migrateLatest, pingDatabase } from './db/index.js';
import { transactor } from './db/transaction.js';
import { EstimatesRepository } from './estimates/repository.js';
import { estimateRoutes } from './estimates/routes.js';
import { EstimatesService } from './estimates/service.js';
import { closeSessionStore, createSessionStore } from './http/session.js';
import { InvoicesRepository } from './invoices/repository.js';
import { invoiceRoutes } from './invoices/routes.js';
import { InvoicesService } from './invoices/service.js';
import { companyFormatters } from './locale/request-formatters.js';
import { todayIn } from './locale/settings.js';
import type { Logger } from './logger.js';
import { createMailer } from './mail/mailer.js';
import { receiptSummary } from './notifications/incidents.js';
import { type Alerts, type AlertsOptions, createAlerts } from './notifications/index.js';
import { notificationRoutes } from './notifications/routes.js';
import { ConflictResolver } from './quickbooks/conflicts/resolve.js';
import { conflictAdminRoutes, recordQuickBooksRoutes } from './quickbooks/conflicts/routes.js';
import { syncBanners } from './quickbooks/connection/banners.js';
import { cardModel } from './quickbooks/connection/card.js';
import { HomeCurrency } from './quickbooks/connection/home-currency.js';
import { quickBooksAdminRoutes, quickBooksPublicRoutes } from './quickbooks/connection/routes.js';
import { createDataDeletionService } from './quickbooks/data-deletion/index.js';
import { dataRoutes } from './quickbooks/data-deletion/routes.js';
import { HistoryRepository } from './quickbooks/history/history-repository.js';
import { HistoryService } from './quickbooks/history/history-service.js';
import { historyRoutes } from './quickbooks/history/routes.js';
import type { ImportService } from './quickbooks/import/import-service.js';
import { createImport, type ImportOptions } from './quickbooks/import/index.js';
import { importRoutes } from './quickbooks/import/routes.js';
import { createQuickBooks, type QuickBooks, type QuickBooksOptions } from './quickbooks/index.js';
import { openInQuickBooksUrl } from './quickbooks/intuit/endpoints.js';
import { TOKEN_KEY_SETTINGS } from './quickbooks/intuit/errors.js';
import { LineSettingsService } from './quickbooks/lines/line-settings.js';
import { lineDefaultsRoutes } from './quickbooks/lines/routes.js';
import { LineSettingsRepository } from './quickbooks/lines/settings-repository.js';
import { StoppedItemsRepository } from './quickbooks/lines/stopped-items.js';
import { createInbound, type Inbound, type InboundOptions } from './quickbooks/pull/index.js';
import { createPushSync, type PushSync, type PushSyncOptions } from './quickbooks/push/index.js';
import type { RecordHooks } from './records/hooks.js';
import { StatusMetrics } from './status/metrics.js';
import { metricsRoutes, statusRoutes } from './status/routes.js';
import { StatusRepository } from './status/status-repository.js';
import { StatusService } from './status/status-service.js';
import { appVersion } from './status/version.js';
import { WebhookDeliveries } from './status/webhook-deliveries.js';

export interface RecordServices {
  customers: CustomersService;
  estimates: EstimatesService;
  invoices: InvoicesService;
}

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
  quickbooks: QuickBooks;
  sync: PushSync;
  /** Changes made in QuickBooks: webhook receiver, inbox worker, CDC sweep. */
  inbound: Inbound;
  /** Alerts by email and chat: the outbox, its monitor and dispatcher (src/notifications). */
  alerts: Alerts;
  /** "Bring in from QuickBooks": imports an admin started, resumed after a restart. */
  imports: ImportService;
  /** Starts background work (the push worker). The server calls it; tests drive workers directly. */
  start(): void;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export interface ContainerOptions {
  /** The record services' hooks; by default the push's outbox recorder and link look-up. */
  hooks?: RecordHooks;
  quickbooks?: QuickBooksOptions;
  sync?: PushSyncOptions;
  inbound?: InboundOptions;
  alerts?: AlertsOptions;
  imports?: ImportOptions;
}

export async function createContainer(
  config: Config,
  logger: Logger,
  options: ContainerOptions = {},
): Promise<Container> {
  const db = createDb(config);
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');

  // Repositories
  const users = new UsersRepository(db);
  const sessionStore = createSessionStore(db, logger);
  const customers = new CustomersRepository(db);
  // "Overdue" and "expired" are decided by the date where the company is.
  const today = () => todayIn(config.company.timeZone);
  const estimates = new EstimatesRepository(db, today);
  const invoices = new InvoicesRepository(db, today);
  const transaction = transactor(db);
  const statusFigures = new StatusRepository(db);

  // Services
  const auth = new AuthService({ users, attempts: new LoginAttemptsRepository(db) });
  const people = new UsersService({
    transaction,
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
  const quickbooks = createQuickBooks(config, db, logger, options.quickbooks);
  const { client, connections, limiters, locks } = quickbooks;
  // A connection this instance cannot use, named now rather than found by the first admin to click.
  for (const c of await connections.unreadable()) {
    logger.error(
      { realmId: c.realmId },
      `QuickBooks tokens of company ${c.companyName ?? c.realmId} cannot be decrypted: check ${TOKEN_KEY_SETTINGS} (every instance needs the key they were sealed with), or forget the connection on the QuickBooks settings page`,
    );
  }
  // Items and tax for lines: read at connect (and on the card when stale); pushes use the card's defaults.
  const lineSettings = new LineSettingsService({
    client,
    settings: new LineSettingsRepository(db),
    logger,
  });
  const stoppedItems = new StoppedItemsRepository(db);
  const sync = createPushSync(
    {
      db,
      logger,
      client,
      connections,
      limiters,
      owner: locks.owner,
      lineSetup: (realmId, signal) => lineSettings.setup(realmId, signal),
      // Called only while pushing, after `records` below exists.
      openUrl: (type, qboId, realmId) => openInQuickBooksUrl(quickbooks.endpoints, type, qboId, realmId),
      numberFromQuickBooks: (type, id, docNumber) =>
        records[type === 'estimate' ? 'estimates' : 'invoices'].takeNumberFromQuickBooks(id, docNumber),
    },
    { leaseMs: config.syncLeaseMs, ...options.sync },
  );
  const hooks = options.hooks ?? {
    recordChange: sync.recordChange,
    linksFor: sync.linksFor,
    syncStates: sync.states,
    lineChoices: async () => {
      const active = await connections.active();
      return active ? lineSettings.choices(active.realmId) : undefined;
    },
  };
  const records: RecordServices = {
    customers: new CustomersService({
      transaction,
      hooks,
      customers,
      documents: new CustomerDocumentsRepository(db, today),
    }),
    estimates: new EstimatesService({ transaction, hooks, estimates, customers, company: config.company }),
    invoices: new InvoicesService({
      transaction,
      hooks,
      invoices,
      estimates,
      customers,
      company: config.company,
    }),
  };
  // The operator's view: in-process counters (their own registry per app) and the figures from the database.
  const counters = new Registry();
  const deliveries = new WebhookDeliveries(counters);
  const inbound = createInbound({
    config,
    db,
    logger,
    client,
    connections,
    locks,
    records,
    options: options.inbound,
    // The delivery counter is told every answer the receiver's route gives.
    onWebhookAnswer: (status) => deliveries.observe(status),
  });
  // The connected company's home currency for every amount: read at connect (first, so the page after
  // the callback already shows it) and on "Sync now".
  const homeCurrency = new HomeCurrency({ db, client, logger });
  quickbooks.lifecycle.add(homeCurrency.lifecycle());
  quickbooks.lifecycle.add(lineSettings.lifecycle());
  // Push first, then pull: the order they hear about a connect, a disconnect or a switch.
  quickbooks.lifecycle.add(sync.lifecycle);
  quickbooks.lifecycle.add(inbound.lifecycle);
  // What the company already holds, brought in when an admin asks (stopped by a disconnect like the rest).
  const imports = createImport({
    db,
    logger,
    client,
    connections,
    locks,
    records,
    leaseMs: config.syncLeaseMs,
    options: options.imports,
  });
  quickbooks.lifecycle.add(imports.lifecycle());
  const resolver = new ConflictResolver({
    ...records,
    connections,
    client,
    conflicts: sync.conflicts,
    outbox: sync.outbox,
    links: sync.links,
    events: sync.events,
    currentState: sync.currentState,
    kick: () => sync.worker.kick(),
  });
  const conflictRoutes = {
    connections,
    conflicts: sync.conflicts,
    outbox: sync.outbox,
    resolver,
    states: sync.states,
  };
  const history = new HistoryService({ history: new HistoryRepository(db), audit: quickbooks.audit });
  const dataDeletion = createDataDeletionService(db);
  const alerts = createAlerts({
    config,
    db,
    logger,
    users,
    latestConnection: () => connections.latest(),
    receipt: async (id) => receiptSummary((await dataDeletion.receipt(id)).receipt),
    owner: locks.owner,
    options: options.alerts,
  });
  // Told sooner than its next look: a revocation found by any call, and a company (re)connected.
  quickbooks.revocations.subscribe(alerts.revocations);
  quickbooks.lifecycle.add(alerts.lifecycle);
  const status = new StatusService({
    repository: statusFigures,
    latestConnection: () => connections.latest(),
    deliveries,
    alerts: () => alerts.figures(),
    version: appVersion(),
  });
  const metrics = new StatusMetrics({ status, counters });

  // Routers
  const { endpoints, connection } = quickbooks;
  const cardOnly = () =>
    cardModel(connections, {
      environment: config.intuit.environment,
      myAppsUrl: endpoints.myApps,
      progress: sync.progress,
      pull: inbound.pullProgress,
      unrevoked: () => quickbooks.revokes.pending(),
      conflicts: (realmId) => sync.conflicts.countOpen(realmId),
    });
  const card = async () => {
    const model = await cardOnly();
    return { ...model, lines: model.active ? await lineSettings.forCard(model.active.realmId) : undefined };
  };
  const app = createApp({
    config,
    pingDatabase: () => pingDatabase(db),
    logger,
    sessionStore,
    users,
    auth,
    setupCode,
    rawRoutes: [inbound.receiver],
    probeRouters: [metricsRoutes({ token: config.metricsToken, metrics })],
    pageMiddleware: [
      companyFormatters(config.company, () => homeCurrency.current()),
      syncBanners(connections),
    ],
    userRouters: [
      // A record's QuickBooks state and an admin's answer to it: before the records' own page handlers.
      recordQuickBooksRoutes(conflictRoutes),
      dashboardRoutes({
        ...records,
        userCount: () => users.count(),
        quickBooksConnected: async () => !!(await connections.active()),
      }),
      customerRoutes(records),
      estimateRoutes(records),
      invoiceRoutes(records),
      // GET /admin/status: admins only (it checks), beside the other /admin pages rather than under /settings.
      statusRoutes({ status }),
    ],
    adminRouters: [
      // Before the QuickBooks routers: it adds the alerts section to the card and the log to the history page.
      notificationRoutes({ alerts }),
      // The card's conflict and failure counters (then the card itself), "Retry failed", the conflicts list.
      conflictAdminRoutes(conflictRoutes),
      // The card's "Bring in from QuickBooks" section and POST /quickbooks/import.
      importRoutes({ imports }),
      quickBooksAdminRoutes({
        ...connection,
        card,
        // Polled by the card every few seconds: the database only, never the line settings' look at Intuit.
        status: async () => (await cardOnly()).status,
        appBaseUrl: config.appBaseUrl,
        // SPEC: push what waits, pull what changed. The pull is a CDC sweep in the background (it can take
        // many requests); the card shows its progress.
        syncNow: async (realmId) => {
          await homeCurrency.refresh(realmId);
          const pushed = await sync.queueFullPush(realmId);
          const pulling = await inbound.pullNow(realmId);
          return `${pushed} ${pulling ? 'Pulling what changed in QuickBooks' : 'A pull from QuickBooks is already running'}; the progress shows below.`;
        },
      }),
      lineDefaultsRoutes({
        lineSettings,
        activeRealm: async () => (await connections.active())?.realmId,
        requeueStopped: async (realmId) => {
          const n = await stoppedItems.requeue(realmId);
          if (n) sync.worker.kick();
          return n;
        },
      }),
      // History, cached data and deletion requests: same admin-only, CSRF-checked mount.
      historyRoutes({ service: history }),
      dataRoutes({ service: dataDeletion }),
    ],
    sessionRouters: [quickBooksPublicRoutes(connection), usersRoutes({ users: people })],
    formActionOrigins: [new URL(endpoints.authorize).origin],
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
    quickbooks,
    sync,
    inbound,
    alerts,
    imports,
    ...records,
    start() {
      quickbooks.watch.start();
      quickbooks.revokes.start();
      sync.worker.start();
      inbound.start();
      quickbooks.keepAlive.start();
      alerts.start();
      imports.start();
    },
    async close() {
      quickbooks.keepAlive.stop();
      await alerts.stop();
      quickbooks.revokes.stop();
      await quickbooks.watch.stop();
      await sync.worker.stop();
      await inbound.stop();
      await imports.stop();
      closeSessionStore(sessionStore);
      await db.destroy();
    },
  };
}
