import type { Clock } from './clock.js';
import type { EmulatorConfig } from './config.js';

const WINDOW_MS = 60_000;

interface RealmCounters {
  inFlight: number;
  /** Intuit-time instants of accepted requests in the last minute (all, batch included). */
  requests: number[];
  batches: number[];
}

/**
 * Intuit's per-company, per-app limits as sliding windows in Intuit time: 500 requests a minute (batch
 * included), 120 batch requests a minute, 10 in flight. Only accepted requests count; a 429 does not use
 * up the budget (UNCONFIRMED at Intuit either way; this is the kinder reading, and apps must back off anyway).
 */
export class Throttle {
  private readonly realms = new Map<string, RealmCounters>();

  constructor(
    private readonly clock: Clock,
    private readonly config: EmulatorConfig,
  ) {}

  /** Returns a release function when the request may proceed, or null when it must get a 429. */
  acquire(realmId: string, isBatch: boolean): (() => void) | null {
    const c = this.counters(realmId);
    const now = this.clock.now();
    prune(c.requests, now);
    prune(c.batches, now);
    const { perMinute, concurrent, batchPerMinute } = this.config.limits;
    if (c.inFlight >= concurrent || c.requests.length >= perMinute) return null;
    if (isBatch && c.batches.length >= batchPerMinute) return null;
    c.inFlight += 1;
    c.requests.push(now);
    if (isBatch) c.batches.push(now);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      c.inFlight -= 1;
    };
  }

  private counters(realmId: string): RealmCounters {
    let c = this.realms.get(realmId);
    if (!c) {
      c = { inFlight: 0, requests: [], batches: [] };
      this.realms.set(realmId, c);
    }
    return c;
  }
}

function prune(times: number[], now: number): void {
  let drop = 0;
  while (drop < times.length && times[drop] <= now - WINDOW_MS) drop += 1;
  if (drop > 0) times.splice(0, drop);
}
