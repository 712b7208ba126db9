/**
 * One limiter per QuickBooks company, keeping Heavy AV under Intuit's throttles (per app and company):
 * 500 requests a minute including batch, 10 concurrent, 120 batch requests a minute. Requests wait
 * their turn instead of collecting 429s. A 429 that happens anyway (another app instance, a clock
 * difference) pauses the company for a back-off period.
 */
export interface LimiterOptions {
  perMinute: number;
  concurrent: number;
  batchPerMinute: number;
  /** Length of the sliding window; a minute, or less for a time-scaled emulator. */
  windowMs: number;
  now?: () => number;
}

export const INTUIT_LIMITS = { perMinute: 500, concurrent: 10, batchPerMinute: 120 };

interface Waiter {
  batch: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
  signal?: AbortSignal;
}

export class CompanyLimiter {
  private active = 0;
  private readonly starts: number[] = [];
  private readonly batchStarts: number[] = [];
  private readonly queue: Waiter[] = [];
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  /**
   * Intuit counts a request when it arrives, we when we send it: a window a little longer than Intuit's
   * keeps a request that ages out of ours from still being inside Intuit's (a 429 pauses everything).
   */
  private readonly window: number;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
    this.window = Math.ceil(options.windowMs * 1.02) + 5;
  }

  /** Runs fn when a slot is free within all three limits. */
  async run<T>(fn: () => Promise<T>, opts: { batch?: boolean; signal?: AbortSignal } = {}): Promise<T> {
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { batch: Boolean(opts.batch), resolve, reject, signal: opts.signal };
      if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error('aborted'));
      opts.signal?.addEventListener('abort', () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(opts.signal!.reason ?? new Error('aborted'));
        }
      });
      this.queue.push(waiter);
      this.pump();
    });
    try {
      return await fn();
    } finally {
      this.active--;
      this.pump();
    }
  }

  /** After a 429: nobody starts for `ms`. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.pump();
  }

  /**
   * Whether `n` single calls could start now while a batch would wait for the batch window: then single
   * calls use the per-minute budget that batches leave over (500/min against 120 batches/min).
   */
  preferSingles(n: number): boolean {
    const now = this.now();
    this.prune(this.starts, now);
    this.prune(this.batchStarts, now);
    const batchFull = this.batchStarts.length >= this.options.batchPerMinute;
    // Keep a little room for the reads a batch's answers may need (a 5010 re-read, the holder of a number
    // or name QuickBooks says is taken); creates no longer look anything up first (decision 009).
    const room = this.options.perMinute - this.starts.length - this.queue.length - 5;
    return batchFull && room >= n;
  }

  get pending(): number {
    return this.queue.length;
  }

  private prune(list: number[], now: number): void {
    while (list.length && list[0] <= now - this.window) list.shift();
  }

  private pump(): void {
    const now = this.now();
    this.prune(this.starts, now);
    this.prune(this.batchStarts, now);
    while (this.queue.length) {
      if (now < this.pausedUntil) {
        this.wakeAt(this.pausedUntil);
        return;
      }
      if (this.active >= this.options.concurrent) return;
      if (this.starts.length >= this.options.perMinute) {
        this.wakeAt(this.starts[0] + this.window);
        return;
      }
      const next = this.queue[0];
      if (next.batch && this.batchStarts.length >= this.options.batchPerMinute) {
        // A single call may overtake a batch that waits for the batch window.
        const single = this.queue.findIndex((w) => !w.batch);
        if (single < 0) {
          this.wakeAt(this.batchStarts[0] + this.window);
          return;
        }
        this.start(this.queue.splice(single, 1)[0], now);
        continue;
      }
      this.start(this.queue.shift()!, now);
    }
  }

  private start(waiter: Waiter, now: number): void {
    this.active++;
    this.starts.push(now);
    if (waiter.batch) this.batchStarts.push(now);
    waiter.resolve();
  }

  private wakeAt(at: number): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.pump();
      },
      Math.max(1, at - this.now() + 1),
    );
    this.timer.unref?.();
  }
}

export class Limiters {
  private readonly byRealm = new Map<string, CompanyLimiter>();
  constructor(private readonly options: LimiterOptions) {}
  for(realmId: string): CompanyLimiter {
    let l = this.byRealm.get(realmId);
    if (!l) {
      l = new CompanyLimiter(this.options);
      this.byRealm.set(realmId, l);
    }
    return l;
  }
}
