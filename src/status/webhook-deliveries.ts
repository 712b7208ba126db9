/**
 * Webhook deliveries counted in this process, by outcome. The receiver stores accepted events durably (the
 * inbox) and counts dropped events durably (webhook_stats), but a refused delivery leaves no row on purpose:
 * a flood of forged requests must not write to the database. So refusals are counted here, in memory, with
 * a prom-client counter: the page says "since this process started", and Prometheus, which scrapes every
 * instance, sums and rates them across instances and restarts.
 *
 * The receiver reports every answer it gives (401, 400, 413, 415, 500 and 200), so every way a delivery
 * ends is seen. Each outcome's child counter is made
 * once: `inc` with labels would hash them on every delivery.
 */
import { Counter, type Registry } from 'prom-client';

export const DELIVERY_OUTCOMES = ['accepted', 'bad_signature', 'malformed', 'too_large', 'error'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** The receiver's answers (see quickbooks/pull/receiver.ts): 200 stored, 401 signature, 400 body, 413 size. */
export function outcomeOf(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 401) return 'bad_signature';
  if (status === 413) return 'too_large';
  if (status >= 400 && status < 500) return 'malformed';
  return 'error';
}

export interface DeliveryCounts {
  accepted: number;
  /** bad signature + malformed + too large */
  refused: number;
  /** the receiver could not store them (the sender retries) */
  errors: number;
  byOutcome: Record<DeliveryOutcome, number>;
}

export class WebhookDeliveries {
  private readonly counter: Counter<'outcome'>;
  private readonly byOutcome: Record<DeliveryOutcome, { inc(): void }>;

  constructor(registry: Registry) {
    this.counter = new Counter({
      name: 'heavyav_webhook_deliveries_total',
      help: 'QuickBooks webhook deliveries answered by this process, by outcome (since it started)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    // Every outcome present from the start, so a rate over a fresh process is 0, not "no data".
    for (const outcome of DELIVERY_OUTCOMES) this.counter.inc({ outcome }, 0);
    this.byOutcome = Object.fromEntries(
      DELIVERY_OUTCOMES.map((outcome) => [outcome, this.counter.labels({ outcome })]),
    ) as Record<DeliveryOutcome, { inc(): void }>;
  }

  /** Counts one answer of the webhook route. */
  observe(status: number): void {
    this.byOutcome[outcomeOf(status)].inc();
  }

  async counts(): Promise<DeliveryCounts> {
    const byOutcome = Object.fromEntries(DELIVERY_OUTCOMES.map((o) => [o, 0])) as Record<
      DeliveryOutcome,
      number
    >;
    for (const v of (await this.counter.get()).values)
      byOutcome[v.labels.outcome as DeliveryOutcome] = Number(v.value);
    return {
      accepted: byOutcome.accepted,
      refused: byOutcome.bad_signature + byOutcome.malformed + byOutcome.too_large,
      errors: byOutcome.error,
      byOutcome,
    };
  }
}
