/**
 * Delivers what the outbox holds: each due delivery is claimed with a lease (so two instances never send the
 * same one at once, and a crashed instance's claim runs out), sent, then marked sent, or given its next try
 * with back-off. A crash between the send and the mark sends that one channel again after the lease, with
 * the same Message-ID; nothing is lost. See docs/decisions/011-alerts-outbox.md.
 */
import type { Logger } from '../logger.js';
import type { AlertsRepository, Channel } from './alerts-repository.js';
import type { AlertChannel } from './channels.js';
import { DeliveryError } from './channels.js';
import { retryDelayMs } from './incidents.js';

export interface DispatcherDeps {
  alerts: AlertsRepository;
  channels: Partial<Record<Channel, AlertChannel>>;
  logger: Logger;
  /** This instance, as written in claimed_by. */
  owner: string;
  leaseMs?: number;
  now?: () => number;
}

export class AlertDispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Sends every delivery due now; returns how many were sent. */
  async deliverDue(): Promise<number> {
    await this.deps.alerts.queueDeliveries();
    let sent = 0;
    for (;;) {
      const now = new Date(this.now()).toISOString();
      const due = await this.deps.alerts.due(now, 20);
      let claimedAny = false;
      for (const delivery of due) {
        const until = new Date(this.now() + (this.deps.leaseMs ?? 60_000)).toISOString();
        if (!(await this.deps.alerts.claim(delivery.id, this.deps.owner, now, until))) continue;
        claimedAny = true;
        if (await this.deliver(delivery.id, delivery.alertId, delivery.channel, delivery.attempts)) sent++;
      }
      // Done when nothing is due, or when everything due was taken by another instance.
      if (due.length < 20 || !claimedAny) return sent;
    }
  }

  private async deliver(id: number, alertId: number, channel: Channel, attempts: number): Promise<boolean> {
    const { alerts, logger, owner } = this.deps;
    const alert = await alerts.find(alertId);
    const sender = this.deps.channels[channel];
    try {
      if (!alert) throw new DeliveryError('The alert is gone.');
      if (!sender) {
        throw new DeliveryError(
          channel === 'email' ? 'SMTP_URL is not set any more.' : 'NOTIFY_WEBHOOK_URL is not set any more.',
        );
      }
      const { sentTo } = await sender.send(alert, `${alert.id}-${channel}`);
      await alerts.markSent(id, owner, sentTo);
      logger.info({ alertId, channel, kind: alert.kind }, 'alert delivered');
      return true;
    } catch (err) {
      const words = err instanceof DeliveryError ? err.message : 'Unexpected error while sending.';
      if (!(err instanceof DeliveryError)) logger.error({ err, alertId, channel }, 'alert delivery failed');
      const next = new Date(this.now() + retryDelayMs(attempts + 1)).toISOString();
      await alerts.markFailed(id, owner, words, next);
      logger.warn({ alertId, channel, attempts: attempts + 1, next }, `alert delivery failed: ${words}`);
      return false;
    }
  }
}
