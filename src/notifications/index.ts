/**
 * Wiring of alerts: repositories, the channels configured (SMTP_URL, NOTIFY_WEBHOOK_URL), the monitor, the
 * dispatcher. Construction only; src/container.ts calls this and hooks it to the QuickBooks revocation
 * relay and lifecycle.
 */
import type { Knex } from 'knex';
import type { UsersRepository } from '../auth/users-repository.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Connection } from '../quickbooks/connection/connection-types.js';
import { Alerts, type NotificationSettings } from './alerts.js';
import { AlertsRepository, type Channel } from './alerts-repository.js';
import { type AlertChannel, emailChannel, webhookChannel } from './channels.js';
import { AlertDispatcher } from './dispatcher.js';
import type { ReceiptSummary } from './incidents.js';
import { AlertMonitor } from './monitor.js';
import { AlertSourcesRepository } from './sources-repository.js';

export interface AlertsOptions {
  /** How often to look for incidents and deliver (default a minute). */
  tickMs?: number;
  leaseMs?: number;
  webhookTimeoutMs?: number;
}

export interface CreateAlertsDeps {
  config: Config;
  db: Knex;
  logger: Logger;
  users: UsersRepository;
  latestConnection: () => Promise<Connection | undefined>;
  receipt: (requestId: number) => Promise<ReceiptSummary | undefined>;
  /** This instance's lease owner name (Locks.owner). */
  owner: string;
  options?: AlertsOptions;
}

export function createAlerts(deps: CreateAlertsDeps): Alerts {
  const { config, db, logger, users, options = {} } = deps;
  const alerts = new AlertsRepository(db);
  const sources = new AlertSourcesRepository(db);
  const everyAdmin = config.notify.emails.length === 0;
  const recipients = async () =>
    everyAdmin
      ? (await users.list()).filter((u) => u.role === 'admin' && u.active).map((u) => u.email)
      : [...config.notify.emails];
  const channels: Partial<Record<Channel, AlertChannel>> = {};
  if (config.smtp.url) {
    channels.email = emailChannel({ smtpUrl: config.smtp.url, from: config.smtp.from, recipients });
  }
  if (config.notify.webhookUrl) {
    channels.webhook = webhookChannel({ url: config.notify.webhookUrl, timeoutMs: options.webhookTimeoutMs });
  }
  const settings = async (): Promise<NotificationSettings> => ({
    email: {
      configured: Boolean(channels.email),
      recipients: await recipients(),
      everyAdmin,
      from: config.smtp.from,
    },
    webhook: {
      configured: Boolean(channels.webhook),
      origin: config.notify.webhookUrl ? new URL(config.notify.webhookUrl).origin : null,
    },
  });
  const monitor = new AlertMonitor({
    alerts,
    sources,
    latestConnection: deps.latestConnection,
    receipt: deps.receipt,
    channels: () => Object.keys(channels) as Channel[],
    appBaseUrl: config.appBaseUrl,
  });
  const dispatcher = new AlertDispatcher({
    alerts,
    channels,
    logger,
    owner: deps.owner,
    leaseMs: options.leaseMs,
  });
  return new Alerts({
    alerts,
    monitor,
    dispatcher,
    channels,
    settings,
    appBaseUrl: config.appBaseUrl,
    logger,
    tickMs: options.tickMs,
  });
}

export type { Alerts } from './alerts.js';
