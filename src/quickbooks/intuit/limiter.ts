/**
 * One limiter per QuickBooks company, keeping Heavy AV under Intuit's throttles (per app and company):
 * 500 requests a minute including batch, 10 concurrent, 120 batch requests a minute. Requests wait
 * their turn instead of collecting 429s. A 429 that happens anyway (another app instance) pauses the
 * company briefly. Decision 014 explains the three choices below.
 *
 * Where a request sits in the window: Intuit counts it when it arrives, which we cannot see. We know two
 * instants around that one: when we let it go (it may still wait for a token, a database connection or
 * the event loop before it is really sent) and when its answer comes back. Counting from the first let
 * requests that were held up age out of our window while still inside Intuit's: 429s under load. So a
 * request counts as "now" from the moment it is let go until its answer is back, and from then on with
 * the answer's time, which is always after Intuit counted it: our window never lets go of a request
 * before Intuit's does, whatever the delays, without a safety margin to pay for it.
 *
 * Paced, not bursting: a sliding window lets 120 batches go at once and then nothing for a minute, so a
 * burst is paid for by whatever comes next. Requests are spaced at the sustained rate (a batch every
 * half second, a request every 120 ms), with a little slack so a late timer is caught up. The windows
 * stay the hard limit; the pacing only keeps a long push at Intuit's rate instead of stop-and-go.
 *
 * Two lanes: batches (30 writes each) are the cheap way to write, and they get 120 of the 500 requests a
 * minute; the other 380 are for reads and, when batches queue up, for single writes (`singlesTicket`).
 */
export interface LimiterOptions {
  perMinute: number;
  concurrent: number;
  batchPerMinute: number;
  /** Length of the sliding window; a minute, or less for a time-scaled emulator. */
  windowMs: number;
  now?: () => number;
  /** The wake-up timer; tests drive a simulated clock with their own. */
  timers?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
}

const REAL_TIMERS = {
  set(fn: () => void, ms: number): unknown {
    const t = setTimeout(fn, ms);
    // A waiting request keeps nothing alive by itself (its caller does).
    t.unref?.();
    return t;
  },
  clear: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

export const INTUIT_LIMITS = { perMinute: 500, concurrent: 10, batchPerMinute: 120 };

/**
 * How far behind its pace a lane may fall and still catch up, in seconds of Intuit's time: a push whose
 * records take a moment to prepare (a busy database, a busy CPU) gets back the slots it missed instead of
 * losing them. An idle company may burst that much; the windows still hold.
 */
const SLACK_SECONDS = 10;
/** Requests a minute kept free of single writes for the reads a batch's answers may need (5010, 6140). */
const READ_RESERVE = 5;
/** The most writes a lane hands to single calls at once (a batch's size). */
const MAX_SINGLES = 30;

interface Waiter {
  batch: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
  signal?: AbortSignal;
}

/**
 * How a lane sends its next writes: `count` single calls, or (0) one batch. Either way it counts as queued
 * at the limiter until released (once the calls are queued, or when the lane sends nothing), so lanes
 * asking at the same moment see each other's batches and singles.
 */
export interface SinglesTicket {
  count: number;
  /** More than 0: even a batch would wait longer than the lane may hold claimed work; ask again later. */
  waitMs: number;
  release(): void;
}

export class CompanyLimiter {
  /** Let go and not answered yet (in the window "now", and counted against the concurrency). */
  private active = 0;
  private activeBatches = 0;
  /** When the answers of requests still in the window came back, oldest first. */
  private readonly answered: number[] = [];
  private readonly batchesAnswered: number[] = [];
  private readonly queue: Waiter[] = [];
  /** Single writes and batches promised by tickets and not queued yet. */
  private promised = 0;
  private promisedBatches = 0;
  /** Earliest start of the next request and of the next batch, at the sustained rate. */
  private nextAt = 0;
  private nextBatchAt = 0;
  private pausedUntil = 0;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly now: () => number;
  private readonly timers: NonNullable<LimiterOptions['timers']>;

  /** Intuit's window, and a millisecond a second for two clocks that do not tick at quite the same rate. */
  private readonly window: number;
  private readonly interval: number;
  private readonly batchInterval: number;
  /** Spacing of single calls when batches take their share: the single lane's own rate. */
  private readonly singleInterval: number;
  /** How far ahead of the pace a request or a batch may start: a late lane catches up, an idle one bursts a little. */
  private readonly slack: number;
  private readonly batchSlack: number;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? REAL_TIMERS;
    this.window = options.windowMs + Math.ceil(options.windowMs / 1000);
    this.interval = this.window / options.perMinute;
    this.batchInterval = this.window / options.batchPerMinute;
    this.singleInterval = this.window / Math.max(1, options.perMinute - options.batchPerMinute);
    const slack = (SLACK_SECONDS * this.window) / 60;
    this.slack = Math.max(slack, options.concurrent * this.interval);
    this.batchSlack = Math.max(slack, this.batchInterval);
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
      // The answer is back (or the call failed): Intuit counted the request before now, if at all.
      const now = this.now();
      this.active--;
      this.answered.push(now);
      if (opts.batch) {
        this.activeBatches--;
        this.batchesAnswered.push(now);
      }
      this.pump();
    }
  }

  /** After a 429: nobody starts for `ms`. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.pump();
  }

  /**
   * How many of its next writes a lane should send as single calls instead of one batch: as many as the
   * single lane can send before a batch queued now would start, within the requests a minute batches
   * leave over. 0 (send a batch) when batches are not queuing up: then a batch is both sooner and
   * cheaper, and a short push is not drawn out by single calls at the end. The ticket counts as queued
   * single calls until it is released (once its calls are queued, or it was not used).
   */
  singlesTicket(maxWaitMs = Number.POSITIVE_INFINITY): SinglesTicket {
    const { count, batchWait } = this.singlesFor(this.now(), maxWaitMs);
    const waitMs = count ? 0 : Math.max(0, batchWait - maxWaitMs);
    const batches = count || waitMs ? 0 : 1;
    this.promised += count;
    this.promisedBatches += batches;
    let released = false;
    return {
      count,
      waitMs,
      release: () => {
        if (released) return;
        released = true;
        this.promised -= count;
        this.promisedBatches -= batches;
      },
    };
  }

  get pending(): number {
    return this.queue.length;
  }

  private singlesFor(now: number, maxWaitMs: number): { count: number; batchWait: number } {
    this.prune(now);
    const batchesInQueue = this.queue.filter((w) => w.batch).length;
    const queuedSingles = this.queue.length - batchesInQueue + this.promised;
    const batchWait = this.batchWait(now, batchesInQueue + this.promisedBatches);
    // A batch that can start within one batch interval is not queuing up.
    if (batchWait <= this.batchInterval) return { count: 0, batchWait };
    const byTime = Math.floor(Math.min(batchWait, maxWaitMs) / this.singleInterval) - queuedSingles;
    const singlesInWindow = this.inWindow() - this.batchesInWindow();
    const byBudget =
      this.options.perMinute - this.options.batchPerMinute - READ_RESERVE - singlesInWindow - queuedSingles;
    const count = Math.min(MAX_SINGLES, byTime, byBudget);
    return { count: Math.max(count, 0), batchWait };
  }

  /** How long a batch queued now behind `queuedBatches` others would wait for its slot. */
  private batchWait(now: number, queuedBatches: number): number {
    const paced = this.nextBatchAt - this.batchSlack + queuedBatches * this.batchInterval - now;
    // The batch window: the (excess + 1)th oldest batch must age out first.
    const excess = this.batchesInWindow() + queuedBatches - this.options.batchPerMinute;
    let windowed = 0;
    if (excess >= 0) {
      const oldest = this.batchesAnswered[excess];
      windowed = oldest === undefined ? this.window : oldest + this.window - now;
    }
    return Math.max(0, paced, windowed, this.pausedUntil - now);
  }

  /** Requests in the window: those answered within it, and those not answered yet. */
  private inWindow(): number {
    return this.answered.length + this.active;
  }

  private batchesInWindow(): number {
    return this.batchesAnswered.length + this.activeBatches;
  }

  private prune(now: number): void {
    for (const list of [this.answered, this.batchesAnswered])
      while (list.length && list[0] <= now - this.window) list.shift();
  }

  /**
   * Lets go of waiting requests while all limits and the pacing allow. A full window opens when its oldest
   * answer ages out (a timer) or, if it is full of requests not answered yet, when one is answered (run()
   * pumps again).
   */
  private pump(): void {
    const now = this.now();
    this.prune(now);
    while (this.queue.length) {
      if (now < this.pausedUntil) {
        this.wakeAt(this.pausedUntil);
        return;
      }
      if (this.active >= this.options.concurrent) return;
      const opens = this.requestOpensAt(now);
      if (opens > now) {
        this.wakeAt(opens);
        return;
      }
      // A batch whose lane is open goes first (30 writes for one of the ten slots); otherwise the first
      // single call, which may overtake batches waiting for the batch lane.
      const batchOpens = this.batchOpensAt(now);
      let next = batchOpens <= now ? this.queue.findIndex((w) => w.batch) : -1;
      if (next < 0) next = this.queue.findIndex((w) => !w.batch);
      if (next < 0) {
        this.wakeAt(batchOpens);
        return;
      }
      this.start(this.queue.splice(next, 1)[0], now);
    }
  }

  /** When the next request may start (now or earlier: at once); infinity while answers are awaited. */
  private requestOpensAt(now: number): number {
    const paced = this.nextAt - this.slack;
    if (this.inWindow() < this.options.perMinute) return paced;
    const oldest = this.answered[this.inWindow() - this.options.perMinute];
    return Math.max(paced, oldest === undefined ? Number.POSITIVE_INFINITY : oldest + this.window, now + 1);
  }

  private batchOpensAt(now: number): number {
    const paced = this.nextBatchAt - this.batchSlack;
    if (this.batchesInWindow() < this.options.batchPerMinute) return paced;
    const oldest = this.batchesAnswered[this.batchesInWindow() - this.options.batchPerMinute];
    return Math.max(paced, oldest === undefined ? Number.POSITIVE_INFINITY : oldest + this.window, now + 1);
  }

  private start(waiter: Waiter, now: number): void {
    this.active++;
    this.nextAt = Math.max(this.nextAt, now) + this.interval;
    if (waiter.batch) {
      this.activeBatches++;
      this.nextBatchAt = Math.max(this.nextBatchAt, now) + this.batchInterval;
    }
    waiter.resolve();
  }

  private wakeAt(at: number): void {
    if (!Number.isFinite(at)) return;
    // One timer, for the earliest moment something may change.
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timerAt = at;
    this.timer = this.timers.set(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(1, Math.ceil(at - this.now())),
    );
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
