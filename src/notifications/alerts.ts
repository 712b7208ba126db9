/**
 * Alerts, the whole of it as the rest of the app sees it: a tick (look for incidents, then deliver what is
 * due) run every minute and sooner when nudged (a revocation found, a connection made), the "Send a test"
 * of the settings card, and what the card, the history page and the status page show.
 */
import type { Logger } from '../logger.js';
import type { RevocationHandler } from '../quickbooks/connection/revocations.js';
import type { Alert, AlertsRepository, Channel, LogEntry } from './alerts-repository.js';
import { type AlertChannel, DeliveryError } from './channels.js';
import type { AlertDispatcher } from './dispatcher.js';
import { testMessage } from './incidents.js';
import type { AlertMonitor } from './monitor.js';

export interface NotificationSettings {
  email: { configured: boolean; recipients: string[]; everyAdmin: boolean; from: string };
  webhook: { configured: boolean; origin: string | null };
}

export interface TestOutcome {
  channel: Channel;
  ok: boolean;
  /** Where it went, or why it did not, in words. */
  text: string;
}

export interface AlertsDeps {
  alerts: AlertsRepository;
  monitor: AlertMonitor;
  dispatcher: AlertDispatcher;
  channels: Partial<Record<Channel, AlertChannel>>;
  settings: () => Promise<NotificationSettings>;
  appBaseUrl: string;
  logger: Logger;
  tickMs?: number;
}

export class Alerts {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** After stop() (the app is closing its database), a late nudge must not start a tick. */
  private stopped = false;

  constructor(private readonly deps: AlertsDeps) {}

  /** Subscribed to the token manager's revocation relay: a revocation was found, look now. */
  readonly revocations: RevocationHandler = {
    handleRevoked: async () => this.nudge(),
  };

  /** Added to the connection lifecycle: a company (re)connected, so an earlier loss may be over. */
  readonly lifecycle = {
    connected: async () => this.nudge(),
  };

  start(): void {
    this.stopped = false;
    if (this.timer) return;
    this.timer = setInterval(() => this.nudge(), this.deps.tickMs ?? 60_000);
    this.timer.unref();
    this.nudge();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    this.again = false;
    await this.running;
  }

  /** A tick soon, without waiting for it; ticks never overlap in a process (a nudge during one runs another after). */
  nudge(): void {
    if (this.stopped) return;
    void this.tick().catch((err) => this.deps.logger.error({ err }, 'alerts tick failed'));
  }

  /** Looks for incidents, then delivers what is due. Resolves once this (or the running) tick is done. */
  async tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.deps.monitor.scan();
          await this.deps.dispatcher.deliverDue();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** "Send a test": straight to every configured channel, the outcome in words and in the delivery log. */
  async sendTest(): Promise<TestOutcome[]> {
    const content = testMessage(this.deps.appBaseUrl);
    const id = `test-${Date.now()}`;
    const outcomes: (TestOutcome & { sentTo: string; error?: string })[] = [];
    for (const channel of Object.values(this.deps.channels)) {
      try {
        const { sentTo } = await channel.send(content, `${id}-${channel.name}`);
        outcomes.push({ channel: channel.name, ok: true, text: `sent to ${sentTo}`, sentTo });
      } catch (err) {
        if (!(err instanceof DeliveryError)) throw err;
        outcomes.push({
          channel: channel.name,
          ok: false,
          text: err.message,
          sentTo: '',
          error: err.message,
        });
      }
    }
    if (outcomes.length) await this.deps.alerts.logTest(content, outcomes);
    return outcomes.map(({ channel, ok, text }) => ({ channel, ok, text }));
  }

  /** The settings card's section: what is configured and the latest alerts. */
  async card(): Promise<{ settings: NotificationSettings; recent: Alert[] }> {
    return { settings: await this.deps.settings(), recent: await this.deps.alerts.recent(5) };
  }

  log(limit = 50): Promise<LogEntry[]> {
    return this.deps.alerts.log(limit);
  }

  /** For the status page and /metrics. */
  figures(): Promise<{ waiting: number; oldestSince: string | null; retrying: number }> {
    return this.deps.alerts.waiting();
  }
}
