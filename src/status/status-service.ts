/**
 * The operator's view of the machinery, gathered once per request: the status page renders it and /metrics
 * turns the same report into Prometheus gauges, so the two never disagree.
 */
import type { Connection } from '../quickbooks/connection/connection-types.js';
import { DROPPED_NOT_CONNECTED } from '../quickbooks/pull/receiver.js';
import type {
  CdcRunFigures,
  DatabaseFigures,
  InboxFigures,
  PushQueueFigures,
  StatusRepository,
  WatermarkFigures,
} from './status-repository.js';
import type { DeliveryCounts, WebhookDeliveries } from './webhook-deliveries.js';

const HOUR_MS = 3_600_000;

export interface KeepAliveFigures {
  /** The latest connection's state; 'none' before any company was connected. */
  connection: Connection['status'] | 'none';
  realmId: string | null;
  companyName: string | null;
  lastRefreshAt: string | null;
  refreshTokenIssuedAt: string | null;
  refreshTokenAgeSeconds: number | null;
  refreshExpiresAt: string | null;
  refreshHardExpiresAt: string | null;
}

export interface StatusReport {
  generatedAt: string;
  pushQueue: PushQueueFigures & { oldestAgeSeconds: number | null };
  inbox: InboxFigures & { oldestAgeSeconds: number | null };
  cdc: { lastRun: CdcRunFigures | undefined; watermark: WatermarkFigures | undefined };
  keepAlive: KeepAliveFigures;
  webhooks: {
    /** Events stored in the inbox in the last hour, by every instance (durable). */
    eventsLastHour: number;
    /** Events dropped because their company was not connected, since counting began (durable). */
    dropped: number;
    droppedLastAt: string | null;
    /** Deliveries answered by this process since it started (in memory). */
    sinceStart: DeliveryCounts;
  };
  /** Alert deliveries not sent yet (the alerts outbox, every instance's). */
  alerts: AlertFigures;
  database: DatabaseFigures;
  app: { version: string; startedAt: string; uptimeSeconds: number };
}

export interface AlertFigures {
  waiting: number;
  oldestSince: string | null;
  /** Of those waiting, the ones whose last try failed (SMTP or the webhook down). */
  retrying: number;
}

export interface StatusServiceDeps {
  repository: StatusRepository;
  /** The latest connection (connected or not): ConnectionsRepository.latest. */
  latestConnection: () => Promise<Connection | undefined>;
  deliveries: WebhookDeliveries;
  /** The alerts outbox's figures (src/notifications); none when alerts are not wired. */
  alerts?: () => Promise<AlertFigures>;
  version: string;
  /** When this process started (ms since the epoch); by default, from process.uptime(). */
  startedAt?: number;
  now?: () => number;
}

export class StatusService {
  private readonly startedAt: number;

  constructor(private readonly deps: StatusServiceDeps) {
    this.startedAt = deps.startedAt ?? Date.now() - process.uptime() * 1000;
  }

  async report(): Promise<StatusReport> {
    const { repository, deliveries } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const ageOf = (iso: string | null) =>
      iso ? Math.max(0, Math.round((now - Date.parse(iso)) / 1000)) : null;
    const [pushQueue, inbox, lastRun, latest, eventsLastHour, dropped, sinceStart, database] =
      await Promise.all([
        repository.pushQueue(),
        repository.inbox(),
        repository.lastCdcRun(),
        this.deps.latestConnection(),
        repository.eventsReceivedSince(new Date(now - HOUR_MS).toISOString()),
        repository.webhookStat(DROPPED_NOT_CONNECTED),
        deliveries.counts(),
        repository.database(),
      ]);
    const alerts = this.deps.alerts
      ? await this.deps.alerts()
      : { waiting: 0, oldestSince: null, retrying: 0 };
    const realmId = lastRun?.realmId ?? latest?.realmId;
    return {
      generatedAt: new Date(now).toISOString(),
      pushQueue: { ...pushQueue, oldestAgeSeconds: ageOf(pushQueue.oldestWaitingSince) },
      inbox: { ...inbox, oldestAgeSeconds: ageOf(inbox.oldestWaitingSince) },
      cdc: { lastRun, watermark: realmId ? await repository.watermark(realmId) : undefined },
      keepAlive: keepAliveOf(latest, ageOf),
      webhooks: { eventsLastHour, dropped: dropped.value, droppedLastAt: dropped.updatedAt, sinceStart },
      alerts,
      database,
      app: {
        version: this.deps.version,
        startedAt: new Date(this.startedAt).toISOString(),
        uptimeSeconds: Math.max(0, Math.round((now - this.startedAt) / 1000)),
      },
    };
  }
}

function keepAliveOf(
  latest: Connection | undefined,
  ageOf: (iso: string | null) => number | null,
): KeepAliveFigures {
  // Intuit does not always say when the refresh token was issued; the last refresh (or the connection) did.
  const issuedAt = latest?.refreshTokenIssuedAt ?? latest?.lastRefreshAt ?? latest?.connectedAt ?? null;
  const holdsToken = Boolean(latest?.hasCredentials);
  return {
    connection: latest?.status ?? 'none',
    realmId: latest?.realmId ?? null,
    companyName: latest?.companyName ?? null,
    lastRefreshAt: latest?.lastRefreshAt ?? null,
    refreshTokenIssuedAt: holdsToken ? issuedAt : null,
    refreshTokenAgeSeconds: holdsToken ? ageOf(issuedAt) : null,
    refreshExpiresAt: holdsToken ? (latest?.refreshExpiresAt ?? null) : null,
    refreshHardExpiresAt: holdsToken ? (latest?.refreshHardExpiresAt ?? null) : null,
  };
}
