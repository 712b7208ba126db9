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
 */
import type { Locks } from '../../db/locks.js';
import type { Logger } from '../../logger.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { QboClient } from '../intuit/client.js';
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

  constructor(
    private readonly deps: CdcSweepDeps,
    private readonly options: { periodMs?: number; checkEveryMs?: number } = {},
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
    await Promise.allSettled(this.inFlight.values());
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
    return !mark?.lastRunAt || Date.parse(mark.lastRunAt) <= this.now() - period;
  }

  /** One sweep of one company (concurrent calls for the same company share it). */
  sweep(realmId: string, options: { fromFloor?: boolean } = {}): Promise<SweepResult> {
    const running = this.inFlight.get(realmId);
    if (running) return running;
    const p = this.run(realmId, options).finally(() => this.inFlight.delete(realmId));
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

  private async run(realmId: string, options: { fromFloor?: boolean }): Promise<SweepResult> {
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
    try {
      for (const entity of CDC_ENTITIES)
        newest = Math.max(newest, await this.sweepEntity(realmId, entity, since, result, run.id));
      await this.deps.events.finishRun(run.id);
    } catch (err) {
      await this.deps.events.finishRun(run.id, 'stopped');
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

  /** Pages through one entity; returns the newest LastUpdatedTime seen (ms). */
  private async sweepEntity(
    realmId: string,
    entity: SyncedName,
    since: number,
    result: SweepResult,
    runId: number,
  ): Promise<number> {
    let from = since;
    let newest = since;
    for (;;) {
      const changes = await this.deps.client.changedSince(realmId, entity, new Date(from));
      result.requests++;
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
}
