/**
 * GET /metrics in Prometheus text: the status page's figures as gauges, the in-process webhook counters,
 * and the default process metrics (CPU, memory, event loop, GC).
 *
 * The figures are read from the database at each scrape into a registry made for that scrape: a figure
 * that does not exist (nothing waiting, never connected) is left out rather than reported as 0, and
 * nothing stale survives between scrapes. Process metrics are per process, so their registry is made
 * once per process (collectDefaultMetrics installs observers that are never removed).
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { StatusReport, StatusService } from './status-service.js';

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : null);

type Figure = { name: string; help: string; value: number | null; labels?: Record<string, string> };

/** Every gauge, named as on the page (see views/status/index.ejs and the README's Operating section). */
export function figuresOf(r: StatusReport): Figure[] {
  const run = r.cdc.lastRun;
  return [
    {
      name: 'heavyav_push_queue_waiting',
      help: 'Records waiting to be pushed to QuickBooks',
      value: r.pushQueue.waiting,
    },
    {
      name: 'heavyav_push_queue_oldest_age_seconds',
      help: 'Age of the oldest record waiting to be pushed',
      value: r.pushQueue.oldestAgeSeconds,
    },
    {
      name: 'heavyav_push_queue_failed',
      help: 'Records QuickBooks refused (waiting for an admin)',
      value: r.pushQueue.failed,
    },
    {
      name: 'heavyav_push_conflicts_open',
      help: 'Records in an open conflict with QuickBooks (held until an admin resolves them)',
      value: r.pushQueue.conflicts,
    },
    {
      name: 'heavyav_inbox_waiting',
      help: 'Webhook events stored and not yet processed',
      value: r.inbox.waiting,
    },
    {
      name: 'heavyav_inbox_oldest_age_seconds',
      help: 'Age of the oldest webhook event waiting',
      value: r.inbox.oldestAgeSeconds,
    },
    {
      name: 'heavyav_inbox_parked',
      help: 'Webhook events parked after their last attempt',
      value: r.inbox.parked,
    },
    {
      name: 'heavyav_cdc_last_run_timestamp_seconds',
      help: 'When the last CDC sweep started',
      value: seconds(run?.startedAt),
    },
    {
      name: 'heavyav_cdc_last_run_failed',
      help: 'Records the last CDC sweep could not apply',
      value: run ? (run.results.failed ?? 0) : null,
    },
    {
      name: 'heavyav_cdc_last_run_succeeded',
      help: '1 when the last CDC sweep finished without failures',
      value: run ? Number(run.status === 'finished' && !run.results.failed) : null,
    },
    {
      name: 'heavyav_quickbooks_connected',
      help: '1 when a QuickBooks company is connected',
      value: Number(r.keepAlive.connection === 'connected'),
    },
    {
      name: 'heavyav_keepalive_last_refresh_timestamp_seconds',
      help: 'When the QuickBooks tokens were last refreshed',
      value: seconds(r.keepAlive.lastRefreshAt),
    },
    {
      name: 'heavyav_refresh_token_age_seconds',
      help: 'Age of the QuickBooks refresh token held',
      value: r.keepAlive.refreshTokenAgeSeconds,
    },
    {
      name: 'heavyav_refresh_token_expiry_timestamp_seconds',
      help: 'When the refresh token dies unless used',
      value: seconds(r.keepAlive.refreshExpiresAt),
    },
    {
      name: 'heavyav_refresh_token_hard_expiry_timestamp_seconds',
      help: "Intuit's 5-year limit of the connection",
      value: seconds(r.keepAlive.refreshHardExpiresAt),
    },
    {
      name: 'heavyav_webhook_events_last_hour',
      help: 'Webhook events stored in the last hour (all instances)',
      value: r.webhooks.eventsLastHour,
    },
    {
      name: 'heavyav_webhook_events_dropped',
      help: 'Webhook events dropped: company not connected (since counting began)',
      value: r.webhooks.dropped,
    },
    {
      name: 'heavyav_alerts_waiting',
      help: 'Alert deliveries (email, chat) not sent yet',
      value: r.alerts.waiting,
    },
    {
      name: 'heavyav_alerts_retrying',
      help: 'Alert deliveries waiting after a failed try (SMTP or the chat webhook down)',
      value: r.alerts.retrying,
    },
    {
      name: 'heavyav_database_size_bytes',
      help: 'Size of the database',
      value: r.database.sizeBytes,
      labels: { engine: r.database.engine },
    },
    {
      name: 'heavyav_app_info',
      help: 'The running version of Heavy AV',
      value: 1,
      labels: { version: r.app.version },
    },
    {
      name: 'heavyav_uptime_seconds',
      help: 'Seconds since this process started',
      value: r.app.uptimeSeconds,
    },
  ];
}

export class StatusMetrics {
  constructor(
    private readonly deps: {
      status: StatusService;
      /** The registry of the in-process counters (webhook deliveries). */
      counters: Registry;
    },
  ) {}

  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;

  async text(): Promise<string> {
    const figures = new Registry();
    for (const f of figuresOf(await this.deps.status.report())) {
      if (f.value === null) continue;
      const labelNames = Object.keys(f.labels ?? {});
      const gauge = new Gauge({ name: f.name, help: f.help, labelNames, registers: [figures] });
      if (f.labels) gauge.set(f.labels, f.value);
      else gauge.set(f.value);
    }
    return Registry.merge([processMetrics(), this.deps.counters, figures]).metrics();
  }
}
