/**
 * The limiter never lets Intuit see more than its limits, whatever happens between the moment it lets a
 * request go and the moment Intuit counts it (decision 014). A simulated clock drives the limiter (its
 * `now` and its wake-up timer) and a model of Intuit's throttle, the emulator's rules: a request counts
 * when it arrives, in sliding windows of requests and of batches, and is in flight until answered. Between
 * the limiter and Intuit each request waits a random while (a token, a database connection, a busy event
 * loop), takes a random time at Intuit, and its answer a random while to come back. Property: Intuit
 * never has to refuse one (no 429), and every request is answered (nothing waits forever).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { CompanyLimiter } from '../../src/quickbooks/intuit/limiter.js';

const WINDOW = 60_000;
const LIMITS = { perMinute: 12, batchPerMinute: 4, concurrent: 3 };

interface Req {
  submitAt: number;
  batch: boolean;
  /** From the limiter's go to Intuit's door. */
  sendDelay: number;
  /** At Intuit. */
  latency: number;
  /** From Intuit's answer to ours. */
  returnDelay: number;
}

/** The simulated world: one clock, events in time order (ties in the order they were scheduled). */
class World {
  t = 0;
  private seq = 0;
  private readonly events: { at: number; seq: number; fn: () => void }[] = [];

  at(at: number, fn: () => void): number {
    const seq = this.seq++;
    this.events.push({ at: Math.max(at, this.t), seq, fn });
    return seq;
  }

  cancel(seq: number): void {
    const i = this.events.findIndex((e) => e.seq === seq);
    if (i >= 0) this.events.splice(i, 1);
  }

  /** Runs events until none is left, letting promise callbacks run after each. */
  async run(): Promise<void> {
    while (this.events.length) {
      this.events.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.events.shift()!;
      this.t = next.at;
      next.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** Intuit's throttle as the emulator keeps it: counted on arrival, only accepted requests count. */
class IntuitModel {
  private inFlight = 0;
  private readonly requests: number[] = [];
  private readonly batches: number[] = [];
  refused = 0;

  arrive(now: number, batch: boolean): boolean {
    for (const list of [this.requests, this.batches])
      while (list.length && list[0] <= now - WINDOW) list.shift();
    const over =
      this.inFlight >= LIMITS.concurrent ||
      this.requests.length >= LIMITS.perMinute ||
      (batch && this.batches.length >= LIMITS.batchPerMinute);
    if (over) {
      this.refused++;
      return false;
    }
    this.inFlight++;
    this.requests.push(now);
    if (batch) this.batches.push(now);
    return true;
  }

  answered(): void {
    this.inFlight--;
  }
}

async function simulate(reqs: Req[]): Promise<{ refused: number; answered: number }> {
  const world = new World();
  const intuit = new IntuitModel();
  const limiter = new CompanyLimiter({
    ...LIMITS,
    windowMs: WINDOW,
    now: () => world.t,
    timers: {
      set: (fn, ms) => world.at(world.t + ms, fn),
      clear: (handle) => world.cancel(handle as number),
    },
  });
  let answered = 0;
  for (const r of reqs) {
    world.at(r.submitAt, () => {
      const call = () =>
        new Promise<void>((resolve) => {
          world.at(world.t + r.sendDelay, () => {
            const accepted = intuit.arrive(world.t, r.batch);
            world.at(world.t + r.latency, () => {
              if (accepted) intuit.answered();
              world.at(world.t + r.returnDelay, resolve);
            });
          });
        });
      void limiter.run(call, { batch: r.batch }).then(() => {
        answered++;
      });
    });
  }
  await world.run();
  return { refused: intuit.refused, answered };
}

const request = fc.record({
  submitAt: fc.integer({ min: 0, max: 240_000 }),
  batch: fc.boolean(),
  sendDelay: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 20_000 })),
  latency: fc.integer({ min: 0, max: 5_000 }),
  returnDelay: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3_000 })),
});

describe('limiter: Intuit never sees more than its limits, whatever the delays on the way', () => {
  it('no 429 and every request answered, for any requests, send delays and latencies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 60 }), async (reqs) => {
        const { refused, answered } = await simulate(reqs);
        expect(refused, 'requests Intuit would refuse').to.equal(0);
        expect(answered, 'requests answered').to.equal(reqs.length);
      }),
      { numRuns: 150 },
    );
  });

  it('a busy stretch: 60 requests at once, each held up to 20 s before it is sent', async () => {
    const reqs: Req[] = Array.from({ length: 60 }, (_, i) => ({
      submitAt: 0,
      batch: i % 3 === 0,
      sendDelay: (i * 7919) % 20_000,
      latency: 200,
      returnDelay: 10,
    }));
    const { refused, answered } = await simulate(reqs);
    expect(refused).to.equal(0);
    expect(answered).to.equal(60);
  });
});
