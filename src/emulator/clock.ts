/**
 * "Intuit time": the emulator's own clock, running `timeScale` times faster than real time so that tests
 * can watch an access token expire or a webhook retry schedule unfold in milliseconds. Every duration the
 * emulator knows (token lifetimes, throttle windows, latency, retry delays) is expressed in Intuit time and
 * converted to real milliseconds only when a real timer is armed.
 */
export class Clock {
  private realBase = Date.now();
  private intuitBase = Date.now();
  private scale: number;

  constructor(timeScale = 1) {
    this.scale = sanitize(timeScale);
  }

  /** Current Intuit time in epoch milliseconds. */
  now(): number {
    return this.intuitBase + (Date.now() - this.realBase) * this.scale;
  }

  get timeScale(): number {
    return this.scale;
  }

  /** Changing the scale keeps the current Intuit time continuous (no jump backwards or forwards). */
  setTimeScale(timeScale: number): void {
    const intuitNow = this.now();
    this.realBase = Date.now();
    this.intuitBase = intuitNow;
    this.scale = sanitize(timeScale);
  }

  /** Real milliseconds that correspond to `intuitMs` of Intuit time. */
  toRealMs(intuitMs: number): number {
    return Math.max(0, intuitMs / this.scale);
  }

  /** Waits `intuitMs` of Intuit time. */
  sleep(intuitMs: number): Promise<void> {
    const ms = this.toRealMs(intuitMs);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

function sanitize(scale: number): number {
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

const PACIFIC_OFFSET_MIN = -7 * 60;

/**
 * QuickBooks writes its timestamps with the company's UTC offset, e.g. "2020-09-29T05:58:16-07:00" (see the
 * fixtures). The emulator uses a fixed -07:00 so that apps are forced to parse offsets instead of assuming Z.
 * `withMillis` gives the form of the top-level `time` member ("…T05:58:16.187-07:00").
 */
export function qboTimestamp(epochMs: number, withMillis = false): string {
  const shifted = new Date(epochMs + PACIFIC_OFFSET_MIN * 60_000);
  const iso = shifted.toISOString(); // 2020-09-29T05:58:16.187Z, in shifted wall-clock time
  const base = withMillis ? iso.slice(0, 23) : iso.slice(0, 19);
  return `${base}-07:00`;
}

/** The company's calendar date (YYYY-MM-DD) at an Intuit instant, in the same fixed offset. */
export function qboDate(epochMs: number): string {
  return new Date(epochMs + PACIFIC_OFFSET_MIN * 60_000).toISOString().slice(0, 10);
}

/** MetaData times have second precision on the wire; comparisons must use what clients can see. */
export function truncateToSecond(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}
