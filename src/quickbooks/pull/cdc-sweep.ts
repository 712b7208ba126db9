/**
 * The CDC sweep: fills whatever webhooks missed (Intuit advises a daily one). Per company it asks
 * `GET …/cdc?entities=Customer,Estimate,Invoice&changedSince=<watermark>` and applies every object through
 * the same dispatch table as the webhook worker, customers first (documents refer to them). Intuit answers
 * at most 1,000 objects per entity: a full page is followed by another from the newest LastUpdatedTime seen
 * (CDC is inclusive; what is seen twice is skipped by its SyncToken). The watermark moves only after the
 * whole sweep succeeded.
 *
 * When: right after a (re)connect, on "Sync now" (`startNow`), and once a day per company across every
 * process sharing the database (the last run is in the database; a lease keeps two processes from sweeping
 * at once). Each page's counts go into the run as it goes, so the card can show the pull's progress.
 *
 * A page Intuit throttles (429) or that meets a passing outage (5xx, timeout) is asked again after a wait
 * that doubles (5 s … 2 min, 6 tries by default); while it waits, the run in the database says why and
 * when it tries next, so every instance's card shows it (decision 013). A revoked or disconnected company
 * is no passing outage: the sweep stops at once, as it does on `stop()` or `cancel()` (the wait is
 * aborted, never sat out). A sweep that gives up is 'stopped' with its reason, and stays due: the next
 * hourly check sweeps again from the same watermark.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locks } from '../../db/locks.js';
import type { Logger } from '../../logger.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { QboClient } from '../intuit/client.js';
import { QuickBooksThrottledError, QuickBooksUnavailableError } from '../intuit/errors.js';
import type { SyncedName } from '../intuit/types.js';
import { updatedAtMs } from '../mapping/from-quickbooks.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { ActiveRealm } from './active-realm.js';
import { applyChange, type SweepResult } from './cdc-apply.js';
import type { InboundSync } from './inbound-sync.js';
import type { WatermarksRepository } from './watermarks-repository.js';

export const CDC_ENTITIES: readonly SyncedName[] = ['Customer', 'Estimate', 'Invoice'];
export const CDC_PAGE = 1000;
const DAY_MS = 86_400_000;
/** Intuit keeps 30 days of changes; asking for more is refused. */
const LOOKBACK_MS = 29 * DAY_MS;
/**
 * MetaData times have whole seconds and clocks differ: each sweep starts a little before where the last
 * one ended, and a first connect watches from a little before now.
 */
const SKEW_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

/** How a throttled or unanswered page is asked again. */
export interface CdcRetryOptions {
  /** Requests per page before the sweep gives up (default 6). */
  tries?: number;
  /** The first wait; each next one doubles (default 5 s). */
  firstWaitMs?: number;
  /** The longest wait (default 2 min); the default total (2.5 min) stays well inside the 10-min lease. */
  maxWaitMs?: number;
}

/** Errors that pass by themselves: wait and ask the same page again. */
function passing(err: unknown): err is QuickBooksThrottledError | QuickBooksUnavailableError {
  return err instanceof QuickBooksThrottledError || err instanceof QuickBooksUnavailableError;
}

export interface CdcSweepDeps {
  client: QboClient;
  sync: InboundSync;
  watermarks: WatermarksRepository;
  events: SyncEventsRepository;
  locks: Locks;
  activeRealm: ActiveRealm;
  connections: ConnectionsRepository;
  logger: Logger;
  now?: () => number;
}

export class CdcSweep {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, Promise<SweepResult>>();
  /** One per running sweep: aborting it ends the sweep's wait (and its request) at once. */
  private readonly aborts = new Map<string, AbortController>();

  constructor(
    private readonly deps: CdcSweepDeps,
    private readonly options: { periodMs?: number; checkEveryMs?: number; retry?: CdcRetryOptions } = {},
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Checks (hourly by default) whether a company's daily sweep is due. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runIfDue(), this.options.checkEveryMs ?? 3_600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const abort of this.aborts.values()) abort.abort(new Error('CDC sweep stopped'));
    await Promise.allSettled(this.inFlight.values());
  }

  /** The company is being disconnected: its sweep stops now (its run is 'stopped'). */
  cancel(realmId: string): void {
    this.aborts.get(realmId)?.abort(new Error('CDC sweep stopped: the company is disconnecting'));
  }

  /**
   * A company was connected. Reconnected: reconciled from its watermark (or, never swept, from as far back
   * as Intuit keeps). Connected for the first time: nothing to reconcile; the daily sweep starts from the
   * connection time.
   */
  async onConnected(realmId: string, info: { reconnect: boolean }): Promise<SweepResult | undefined> {
    const existing = await this.deps.watermarks.find(realmId);
    if (!existing && !info.reconnect) return undefined;
    return this.sweep(realmId, existing ? undefined : { fromFloor: true });
  }

  /** The daily sweep of the connected company, if it is due; at most one process runs it. */
  async runIfDue(): Promise<SweepResult | undefined> {
    try {
      const realmId = await this.deps.activeRealm.get();
      if (!realmId || !(await this.isDue(realmId))) return undefined;
      const name = `qbo-cdc:${realmId}`;
      if (!(await this.deps.locks.tryAcquire(name, 10 * 60_000))) return undefined;
      try {
        // Another process may have swept while we waited for the lease.
        return (await this.isDue(realmId)) ? await this.sweep(realmId) : undefined;
      } finally {
        await this.deps.locks.release(name);
      }
    } catch (err) {
      this.deps.logger.warn({ err }, 'daily CDC sweep failed; it will be tried again');
      return undefined;
    }
  }

  /**
   * "Sync now", pull half: starts a sweep of the company in the background under the same lease as the
   * daily one. False when another sweep holds the lease (it is already pulling).
   */
  async startNow(realmId: string): Promise<boolean> {
    const name = `qbo-cdc:${realmId}`;
    if (!(await this.deps.locks.tryAcquire(name, 10 * 60_000))) return false;
    void this.sweep(realmId)
      .catch((err) => this.deps.logger.warn({ err, realmId }, 'CDC sweep for "Sync now" failed'))
      .finally(() => this.deps.locks.release(name).catch(() => undefined));
    return true;
  }

  private async isDue(realmId: string): Promise<boolean> {
    const mark = await this.deps.watermarks.find(realmId);
    const period = this.options.periodMs ?? DAY_MS;
    if (!mark?.lastRunAt || Date.parse(mark.lastRunAt) <= this.now() - period) return true;
    // A sweep that gave up on a throttle or an outage (a "Sync now" one too) is due at the next check.
    const last = await this.deps.events.latestRun(realmId, 'cdc');
    return last?.status === 'stopped' && Boolean(last.delayCode);
  }

  /** One sweep of one company (concurrent calls for the same company share it). */
  sweep(realmId: string, options: { fromFloor?: boolean } = {}): Promise<SweepResult> {
    const running = this.inFlight.get(realmId);
    if (running) return running;
    const abort = new AbortController();
    this.aborts.set(realmId, abort);
    const p = this.run(realmId, options, abort.signal).finally(() => {
      this.inFlight.delete(realmId);
      this.aborts.delete(realmId);
    });
    this.inFlight.set(realmId, p);
    return p;
  }

  /** Where a sweep starts: the watermark; without one, the connection time (or Intuit's 30 days). */
  private async startOf(realmId: string, started: number, fromFloor: boolean): Promise<number> {
    const mark = await this.deps.watermarks.find(realmId);
    if (mark) return Date.parse(mark.changedSince);
    if (fromFloor) return 0;
    const connectedAt = (await this.deps.connections.findByRealm(realmId))?.connectedAt;
    return (connectedAt ? Date.parse(connectedAt) : started) - SKEW_MS;
  }

  private async run(
    realmId: string,
    options: { fromFloor?: boolean },
    signal: AbortSignal,
  ): Promise<SweepResult> {
    const started = this.now();
    const mark = await this.deps.watermarks.find(realmId);
    const floor = started - LOOKBACK_MS;
    const since = Math.max(await this.startOf(realmId, started, Boolean(options.fromFloor)), floor);
    if (mark && Date.parse(mark.changedSince) < floor) {
      this.deps.logger.warn(
        { realmId, watermark: mark.changedSince },
        'CDC watermark older than Intuit keeps; sweeping the last 29 days',
      );
    }
    const result: SweepResult = {
      realmId,
      applied: 0,
      skipped: 0,
      failed: 0,
      requests: 0,
      changedSince: new Date(since).toISOString(),
      watermark: '',
    };
    const run = await this.deps.events.startRun({ realmId, kind: 'cdc' });
    let newest = since;
    let current: SyncedName = CDC_ENTITIES[0];
    try {
      for (const entity of CDC_ENTITIES) {
        current = entity;
        newest = Math.max(newest, await this.sweepEntity(realmId, entity, since, result, run.id, signal));
      }
      await this.deps.events.finishRun(run.id);
    } catch (err) {
      if (passing(err) && !signal.aborted) await this.gaveUp(realmId, run.id, current, err);
      else await this.deps.events.finishRun(run.id, 'stopped');
      throw err;
    }
    // Failed objects keep the watermark where it was, so the next sweep sees them again.
    const watermark = result.failed ? since : Math.max(since, newest - SKEW_MS, started - SKEW_MS);
    result.watermark = new Date(watermark).toISOString();
    await this.deps.watermarks.advance(realmId, result.watermark);
    // A sweep that found nothing to change still proves Heavy AV is in step ("Last successful sync").
    if (!result.failed) await this.deps.connections.markSynced(realmId);
    this.deps.logger.info(result, 'CDC sweep finished');
    return result;
  }

  /**
   * Gave up on a throttle or an outage: the run and the history say why, and when the next check sweeps
   * again (isDue finds this run). The watermark stays where it was.
   */
  private async gaveUp(
    realmId: string,
    runId: number,
    entity: SyncedName,
    err: QuickBooksThrottledError | QuickBooksUnavailableError,
  ): Promise<void> {
    const nextTryAt = new Date(Date.now() + (this.options.checkEveryMs ?? HOUR_MS)).toISOString();
    await this.deps.events.finishRun(runId, 'stopped', { code: err.code, nextTryAt });
    const tries = this.options.retry?.tries ?? 6;
    await this.deps.events.record({
      runId,
      realmId,
      direction: 'pull',
      entity: entity.toLowerCase(),
      operation: 'cdc',
      result: 'retry',
      errorCode: err.code,
      errorMessage: `Gave up after ${tries} tries; the next pull starts by ${nextTryAt.slice(0, 16).replace('T', ' ')} UTC`,
    });
  }

  /** Pages through one entity; returns the newest LastUpdatedTime seen (ms). */
  private async sweepEntity(
    realmId: string,
    entity: SyncedName,
    since: number,
    result: SweepResult,
    runId: number,
    signal: AbortSignal,
  ): Promise<number> {
    let from = since;
    let newest = since;
    for (;;) {
      const changes = await this.page({ realmId, entity, from, runId, signal }, result);
      const before = { done: result.applied + result.skipped, failed: result.failed };
      await this.deps.events.addToRun(runId, { total: changes.length });
      for (const change of changes) {
        await applyChange(this.deps, { realmId, entity, runId }, change, result);
        newest = Math.max(newest, updatedAtMs(change.lastUpdatedTime) ?? newest);
      }
      await this.deps.events.addToRun(runId, {
        done: result.applied + result.skipped - before.done,
        failed: result.failed - before.failed,
      });
      if (changes.length < CDC_PAGE) return newest;
      // A full page: ask again from the newest time seen. Should a whole page share one second, step past
      // it rather than loop (QuickBooks cannot give us more of that second).
      if (newest <= from) {
        this.deps.logger.warn(
          { realmId, entity, at: new Date(from).toISOString() },
          'over 1,000 CDC changes in one second',
        );
        from += 1000;
      } else {
        from = newest;
      }
    }
  }

  /**
   * One page, asked again after a wait while Intuit throttles or does not answer. The wait is written on
   * the run (reason and next try) and cleared once the page comes back.
   */
  private async page(
    at: { realmId: string; entity: SyncedName; from: number; runId: number; signal: AbortSignal },
    result: SweepResult,
  ) {
    const { tries = 6, firstWaitMs = 5_000, maxWaitMs = 120_000 } = this.options.retry ?? {};
    for (let attempt = 1; ; attempt++) {
      try {
        result.requests++;
        const changes = await this.deps.client.changedSince(at.realmId, at.entity, new Date(at.from), {
          signal: at.signal,
        });
        if (attempt > 1) await this.deps.events.delayRun(at.runId, null);
        return changes;
      } catch (err) {
        if (!passing(err) || at.signal.aborted || attempt >= tries) throw err;
        const waitMs = Math.min(maxWaitMs, firstWaitMs * 2 ** (attempt - 1));
        const nextTryAt = new Date(Date.now() + waitMs).toISOString();
        await this.deps.events.delayRun(at.runId, { code: err.code, nextTryAt });
        this.deps.logger.info(
          { realmId: at.realmId, entity: at.entity, code: err.code, attempt, nextTryAt },
          'CDC page held back; asking again',
        );
        // Rejects at once when the sweep is stopped or the company disconnects.
        await sleep(waitMs, undefined, { signal: at.signal });
      }
    }
  }
}
