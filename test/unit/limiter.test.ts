/**
 * The per-company limiter under Intuit's throttles: concurrency, requests per window, batches per window,
 * a pause after a 429, and whether single calls should stand in for a batch. Driven by a fake clock (the
 * limiter takes `now`); a request arriving is what makes it look at the clock again, so tests move the
 * clock and then send one. One case uses real time with a short window, for the wake-up timer.
 */
import { expect } from 'chai';
import { CompanyLimiter, Limiters } from '../../src/quickbooks/intuit/limiter.js';

const WINDOW = 60_000;
/** Past the window and the limiter's safety margin (Intuit counts on arrival, we on sending). */
const PAST_WINDOW = WINDOW * 1.1;

function fakeClock() {
  let t = 1_700_000_000_000;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function limiter(options: Partial<ConstructorParameters<typeof CompanyLimiter>[0]> = {}) {
  const clock = fakeClock();
  const l = new CompanyLimiter({
    perMinute: 500,
    concurrent: 10,
    batchPerMinute: 120,
    windowMs: WINDOW,
    now: clock.now,
    ...options,
  });
  return { l, clock };
}

/** A call that, once started, holds its slot until released. */
function call(
  l: CompanyLimiter,
  name: string,
  log: string[],
  opts: { batch?: boolean; signal?: AbortSignal } = {},
) {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = l.run(async () => {
    log.push(name);
    await held;
    return name;
  }, opts);
  return { release, done };
}

/** A call that finishes as soon as it starts (it still counts against the window). */
const quick = (
  l: CompanyLimiter,
  name: string,
  log: string[],
  opts: { batch?: boolean; signal?: AbortSignal } = {},
) => l.run(async () => void log.push(name), opts);

describe('limiter: concurrency', () => {
  const cases: [number, number][] = [
    [1, 3],
    [2, 5],
    [10, 12],
  ];
  for (const [concurrent, calls] of cases) {
    it(`${concurrent} at a time of ${calls}: the others start, in order, as slots free up`, async () => {
      const { l } = limiter({ concurrent });
      const log: string[] = [];
      const running = Array.from({ length: calls }, (_, i) => call(l, `c${i}`, log));
      await settle();
      expect(log).to.have.length(concurrent);
      expect(l.pending).to.equal(calls - concurrent);
      for (let i = 0; i < calls; i++) {
        running[i].release();
        await running[i].done;
        await settle();
        expect(log).to.have.length(Math.min(calls, concurrent + i + 1));
      }
      expect(log).to.deep.equal(running.map((_, i) => `c${i}`));
    });
  }

  it('a call that fails frees its slot and its caller gets the error', async () => {
    const { l } = limiter({ concurrent: 1 });
    const log: string[] = [];
    const failing = l.run(async () => {
      throw new Error('boom');
    });
    const next = quick(l, 'next', log);
    let error: unknown;
    await failing.catch((err) => {
      error = err;
    });
    await next;
    expect((error as Error).message).to.equal('boom');
    expect(log).to.deep.equal(['next']);
  });
});

describe('limiter: requests per window', () => {
  it('holds the request over the limit until the first one leaves the window, then keeps order', async () => {
    const { l, clock } = limiter({ perMinute: 2 });
    const log: string[] = [];
    await quick(l, 'r1', log);
    await quick(l, 'r2', log);
    const r3 = quick(l, 'r3', log);
    await settle();
    expect(log).to.deep.equal(['r1', 'r2']);
    clock.advance(WINDOW / 2);
    const r4 = quick(l, 'r4', log);
    await settle();
    expect(log).to.deep.equal(['r1', 'r2']);
    // Exactly a window later is not enough: the limiter's window is a little longer than Intuit's.
    clock.advance(WINDOW / 2);
    const r5 = quick(l, 'r5', log);
    await settle();
    expect(log).to.deep.equal(['r1', 'r2']);
    clock.advance(PAST_WINDOW - WINDOW);
    const r6 = quick(l, 'r6', log);
    await Promise.all([r3, r4]);
    await settle();
    // Two more fit in the new window: the two that waited longest.
    expect(log).to.deep.equal(['r1', 'r2', 'r3', 'r4']);
    expect(l.pending).to.equal(2);
    clock.advance(PAST_WINDOW);
    quick(l, 'r7', log);
    await Promise.all([r5, r6]);
    await settle();
    expect(log).to.deep.equal(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(l.pending).to.equal(1);
  });

  it('wakes up by itself when the window has passed (real time, 40 ms window)', async () => {
    const l = new CompanyLimiter({ perMinute: 1, concurrent: 10, batchPerMinute: 10, windowMs: 40 });
    const log: string[] = [];
    const started = Date.now();
    await quick(l, 'first', log);
    await quick(l, 'second', log);
    const waited = Date.now() - started;
    expect(log).to.deep.equal(['first', 'second']);
    expect(waited).to.be.at.least(40).and.below(1_000);
  });
});

describe('limiter: batch window', () => {
  it('a batch over the batch limit waits; single calls behind it overtake it', async () => {
    const { l, clock } = limiter({ batchPerMinute: 1 });
    const log: string[] = [];
    await quick(l, 'batch1', log, { batch: true });
    const batch2 = quick(l, 'batch2', log, { batch: true });
    const single = quick(l, 'single', log);
    await single;
    await settle();
    expect(log).to.deep.equal(['batch1', 'single']);
    clock.advance(PAST_WINDOW);
    await quick(l, 'later', log);
    await batch2;
    expect(log).to.deep.equal(['batch1', 'single', 'batch2', 'later']);
  });

  it('a batch whose lane is open takes a free slot before single calls queued earlier', async () => {
    const { l } = limiter({ concurrent: 1 });
    const log: string[] = [];
    const first = call(l, 'first', log);
    const single = quick(l, 'single', log);
    const batch = quick(l, 'batch', log, { batch: true });
    await settle();
    first.release();
    await Promise.all([first.done, single, batch]);
    expect(log).to.deep.equal(['first', 'batch', 'single']);
  });

  it('batches count against the request limit too', async () => {
    const { l } = limiter({ perMinute: 2, batchPerMinute: 10 });
    const log: string[] = [];
    await quick(l, 'batch', log, { batch: true });
    await quick(l, 'single', log);
    quick(l, 'third', log);
    await settle();
    expect(log).to.deep.equal(['batch', 'single']);
    expect(l.pending).to.equal(1);
  });
});

describe('limiter: single calls while batches queue up', () => {
  /** `n` batches, answered at once, one per batch interval (the pace): `batchPerMinute` fill the window. */
  async function batchesSent(
    l: CompanyLimiter,
    clock: ReturnType<typeof fakeClock>,
    n: number,
    batchPerMinute: number,
  ) {
    for (let i = 0; i < n; i++) {
      if (i) clock.advance(Math.ceil(WINDOW / batchPerMinute));
      await l.run(async () => undefined, { batch: true });
    }
  }

  it('no batch waiting: no ticket (a batch is sooner and cheaper)', async () => {
    const { l, clock } = limiter();
    expect(l.singlesTicket().count).to.equal(0);
    await batchesSent(l, clock, 3, 120);
    expect(l.singlesTicket().count).to.equal(0);
  });

  it('batch window full: a batch of singles, then only what fits in the wait after the promised ones', async () => {
    // 120 requests a minute for single calls: one every half second, 30 in the 15 s until the window opens.
    const { l, clock } = limiter({ batchPerMinute: 4, perMinute: 124 });
    await batchesSent(l, clock, 4, 4);
    const first = l.singlesTicket();
    expect(first.count).to.equal(30);
    const second = l.singlesTicket();
    expect(second.count).to.equal(0);
    first.release();
    first.release();
    second.release();
    expect(l.singlesTicket().count).to.equal(30);
  });

  it('lanes asking at the same moment see the batch another was promised', async () => {
    const { l, clock } = limiter({ batchPerMinute: 4, perMinute: 124 });
    await batchesSent(l, clock, 3, 4);
    // One batch fits in the window: the first lane sends it, the second would wait for it: single calls.
    const a = l.singlesTicket();
    const b = l.singlesTicket();
    expect([a.count, b.count]).to.deep.equal([0, 30]);
    a.release();
    b.release();
    expect(l.singlesTicket().count).to.equal(0);
  });

  it('never more singles in the window than the requests a minute batches leave over', async () => {
    // Two batches at once fill the window for a whole minute; 40 − 2 for batches − 5 for reads: 33 singles.
    const { l } = limiter({ perMinute: 40, batchPerMinute: 2 });
    await l.run(async () => undefined, { batch: true });
    await l.run(async () => undefined, { batch: true });
    const a = l.singlesTicket();
    expect(a.count).to.equal(30);
    const b = l.singlesTicket();
    expect(b.count).to.equal(3);
    expect(l.singlesTicket().count).to.equal(0);
  });

  it('when even a batch would wait past what a lane may hold claimed work, the ticket says how long', async () => {
    // Two batches fill the window for a minute; no requests a minute are left for single calls.
    const { l } = limiter({ perMinute: 7, batchPerMinute: 2 });
    await l.run(async () => undefined, { batch: true });
    await l.run(async () => undefined, { batch: true });
    const held = l.singlesTicket(10_000);
    expect(held.count).to.equal(0);
    expect(held.waitMs).to.be.within(49_000, 51_000);
    // Without a limit the lane claims a batch and lets it wait.
    expect(l.singlesTicket().waitMs).to.equal(0);
  });

  it('once the batch window has passed, batches go again', async () => {
    const { l, clock } = limiter({ batchPerMinute: 4 });
    await batchesSent(l, clock, 4, 4);
    expect(l.singlesTicket().count).to.be.above(0);
    clock.advance(PAST_WINDOW);
    expect(l.singlesTicket().count).to.equal(0);
  });
});

describe('limiter: where a request sits in the window', () => {
  it('counts from its answer: one answered late stays in the window after one sent with it has left', async () => {
    const { l, clock } = limiter({ perMinute: 2 });
    const log: string[] = [];
    const slow = call(l, 'slow', log);
    await quick(l, 'fast', log);
    clock.advance(30_000);
    slow.release();
    await slow.done;
    // A window after both went: 'fast' has left it, 'slow' (answered 30 s later) has not.
    clock.advance(WINDOW - 30_000 + 100);
    const third = quick(l, 'third', log);
    const fourth = quick(l, 'fourth', log);
    await third;
    await settle();
    expect(log).to.deep.equal(['slow', 'fast', 'third']);
    clock.advance(30_000);
    quick(l, 'nudge', log);
    await fourth;
    expect(log).to.include('fourth');
  });
});

describe('limiter: paced at the sustained rate', () => {
  it('an idle company bursts a little, then one batch every half second; single calls go between', async () => {
    const { l, clock } = limiter();
    const log: string[] = [];
    const all = Array.from({ length: 24 }, (_, i) => quick(l, `b${i}`, log, { batch: true }));
    await settle();
    // Ten seconds of slack at a batch per half second: the first and 20 more.
    expect(log).to.have.length(21);
    clock.advance(600);
    quick(l, 'single', log);
    await settle();
    expect(log).to.deep.equal([...Array.from({ length: 22 }, (_, i) => `b${i}`), 'single']);
    clock.advance(2_000);
    quick(l, 'nudge', log);
    await Promise.all(all);
    expect(log.filter((n) => n.startsWith('b'))).to.have.length(24);
  });
});

describe('limiter: pause after a 429', () => {
  it('nobody starts until the pause is over', async () => {
    const { l, clock } = limiter();
    const log: string[] = [];
    l.pause(10_000);
    const first = quick(l, 'first', log);
    clock.advance(9_000);
    const second = quick(l, 'second', log);
    await settle();
    expect(log).to.deep.equal([]);
    clock.advance(1_001);
    await quick(l, 'third', log);
    await Promise.all([first, second]);
    expect(log).to.deep.equal(['first', 'second', 'third']);
  });

  it('a shorter pause does not cut a longer one short', async () => {
    const { l, clock } = limiter();
    const log: string[] = [];
    l.pause(10_000);
    l.pause(1_000);
    clock.advance(2_000);
    quick(l, 'early', log);
    await settle();
    expect(log).to.deep.equal([]);
  });
});

describe('limiter: stopped calls', () => {
  it('a call stopped while it waits leaves the queue with the reason, and never runs', async () => {
    const { l } = limiter({ concurrent: 1 });
    const log: string[] = [];
    const first = call(l, 'first', log);
    const controller = new AbortController();
    const stopped = call(l, 'stopped', log, { signal: controller.signal });
    const third = call(l, 'third', log);
    await settle();
    expect(l.pending).to.equal(2);
    const reason = new Error('company closed');
    controller.abort(reason);
    let error: unknown;
    await stopped.done.catch((err) => {
      error = err;
    });
    expect(error).to.equal(reason);
    expect(l.pending).to.equal(1);
    first.release();
    third.release();
    await Promise.all([first.done, third.done]);
    expect(log).to.deep.equal(['first', 'third']);
  });

  it('a call whose signal has already fired is refused at once', async () => {
    const { l } = limiter();
    const log: string[] = [];
    const reason = new Error('stopped');
    let error: unknown;
    await quick(l, 'never', log, { signal: AbortSignal.abort(reason) }).catch((err) => {
      error = err;
    });
    expect(error).to.equal(reason);
    expect(log).to.deep.equal([]);
    expect(l.pending).to.equal(0);
  });
});

describe('limiters: one per company', () => {
  it('gives each company its own limiter, the same one every time', async () => {
    const limiters = new Limiters({ perMinute: 1, concurrent: 10, batchPerMinute: 10, windowMs: WINDOW });
    expect(limiters.for('a')).to.equal(limiters.for('a'));
    expect(limiters.for('a')).to.not.equal(limiters.for('b'));
    const log: string[] = [];
    await quick(limiters.for('a'), 'a1', log);
    quick(limiters.for('a'), 'a2', log);
    await quick(limiters.for('b'), 'b1', log);
    await settle();
    // Company a is at its limit; company b is not held up by it.
    expect(log).to.deep.equal(['a1', 'b1']);
  });
});
