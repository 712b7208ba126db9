/**
 * Finished webhook events are kept a while (a late redelivery is still recognised as one), then deleted so
 * the inbox does not grow for ever; checked hourly, by every instance (deleting twice is harmless). Failed
 * and parked events stay: the history has the rest.
 */
import type { Logger } from '../../logger.js';
import type { InboxRepository } from './inbox-repository.js';

/** 30 days: far beyond Intuit's retries of an event we did not acknowledge. */
export const INBOX_RETENTION_MS = 30 * 24 * 3_600_000;
const CHECK_EVERY_MS = 3_600_000;

export class InboxRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { inbox: InboxRepository; logger: Logger },
    private readonly retentionMs = INBOX_RETENTION_MS,
  ) {}

  /** Prunes now, then hourly. */
  start(): void {
    this.timer = setInterval(() => void this.prune(), CHECK_EVERY_MS);
    this.timer.unref();
    void this.prune();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Never throws: a failed prune is logged and tried again at the next check. */
  async prune(): Promise<void> {
    try {
      const n = await this.deps.inbox.prune(new Date(Date.now() - this.retentionMs));
      if (n) this.deps.logger.info({ deleted: n }, 'old webhook events deleted from the inbox');
    } catch (err) {
      this.deps.logger.warn({ err }, 'pruning the webhook inbox failed; it will be tried again');
    }
  }
}
