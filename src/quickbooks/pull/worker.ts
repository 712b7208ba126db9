/**
 * Works off the webhook inbox: claims due rows with a lease, reads the changed entities through the
 * QuickBooks client (coalesced per entity, batched `Id IN (…)`), applies each through the dispatch table,
 * records a sync event, and marks the rows done.
 * A failure is retried with back-off and parked after `maxAttempts`. When the company is not connected
 * (disconnected, revoked, or being disconnected) its rows are given back untouched and the company is left
 * alone until it is connected again: no attempts burnt, no hot loop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import { errorCodeOf, isDisconnected, QuickBooksError } from '../intuit/errors.js';
import type { Entities, SyncedName } from '../intuit/types.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { ActiveRealm } from './active-realm.js';
import { dispatch } from './dispatch.js';
import type { InboundSync } from './inbound-sync.js';
import type { InboxRepository, InboxRow } from './inbox-repository.js';

/** Ids per `Id IN (…)` read. */
const READ_CHUNK = 100;
const SYNCED: ReadonlySet<string> = new Set<SyncedName>(['Customer', 'Estimate', 'Invoice']);

/** Creates and updates of an entity we sync: their handler reads the entity and upserts it. */
function coalesces(row: InboxRow): boolean {
  return SYNCED.has(row.entity) && (row.operation === 'Create' || row.operation === 'Update');
}

function entityKey(entity: string, id: string): string {
  return `${entity}|${id}`;
}

export interface InboundWorkerOptions {
  pollMs?: number;
  batchSize?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Back-off before attempt n+1: baseBackoffMs × 2^(n-1), at most maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a company that was found not connected is left alone (unless it connects sooner). */
  notConnectedPauseMs?: number;
}

export interface InboundWorkerDeps {
  inbox: InboxRepository;
  sync: InboundSync;
  client: QboClient;
  events: SyncEventsRepository;
  activeRealm: ActiveRealm;
  logger: Logger;
  owner: string;
  now?: () => number;
}

export class InboundWorker {
  private readonly o: Required<InboundWorkerOptions>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private started = false;
  private again = false;
  /** Companies left alone until this time (ms) or until they connect. */
  private readonly paused = new Map<string, number>();

  constructor(
    private readonly deps: InboundWorkerDeps,
    options: InboundWorkerOptions = {},
  ) {
    this.o = {
      pollMs: 250,
      // Large enough that a storm's events for one entity meet in one batch and are read once.
      batchSize: 200,
      leaseMs: 60_000,
      maxAttempts: 8,
      baseBackoffMs: 2_000,
      maxBackoffMs: 15 * 60_000,
      notConnectedPauseMs: 30_000,
      ...options,
    };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops polling and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** New rows were stored: look now rather than at the next poll. */
  kick(): void {
    if (!this.started) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** The company is being disconnected: no new call for it; resolves once the pass in progress is over. */
  async pauseRealm(realmId: string): Promise<void> {
    this.paused.set(realmId, Number.POSITIVE_INFINITY);
    await this.running?.catch(() => undefined);
  }

  resumeRealm(realmId: string): void {
    this.paused.delete(realmId);
    this.kick();
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      const n = await this.processOnce();
      // A full batch means more may be waiting: go on at once.
      this.schedule(n >= this.o.batchSize || this.again ? 0 : this.o.pollMs);
    } catch (err) {
      this.deps.logger.error({ err }, 'webhook worker pass failed');
      this.schedule(this.o.pollMs * 4);
    } finally {
      this.again = false;
    }
  }

  /**
   * One pass: unpack staged deliveries, claim a batch, process it. Returns how much it did (rows claimed
   * plus deliveries unpacked; 0 when there was nothing to do). Tests call it directly.
   */
  processOnce(): Promise<number> {
    if (this.running) return this.running.then(() => this.processOnce());
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private skippedRealms(now: number): string[] {
    for (const [realm, until] of this.paused) if (until <= now) this.paused.delete(realm);
    return [...this.paused.keys()];
  }

  private async pass(): Promise<number> {
    // Deliveries staged by the receiver (this instance's or another's) become inbox rows first.
    const unpacked = await this.deps.inbox.unpack();
    if (unpacked.unreadable)
      this.deps.logger.error(
        { deliveries: unpacked.unreadable },
        'webhook deliveries could not be read again and were dropped; the daily CDC sweep brings their changes in',
      );
    const now = this.now();
    const rows = await this.deps.inbox.claim(
      this.deps.owner,
      { limit: this.o.batchSize, leaseMs: this.o.leaseMs, skipRealms: this.skippedRealms(now) },
      now,
    );
    // A full batch of either means more may wait: the caller goes on at once.
    if (!rows.length) return unpacked.deliveries;
    const active = await this.deps.activeRealm.get();
    const skipped = rows.filter((r) => this.paused.has(r.realmId) || r.realmId !== active);
    // Not connected (any more): give its rows back for when it is.
    for (const r of skipped) this.pause(r.realmId, r.realmId === active);
    await this.deps.inbox.release(skipped.map((r) => r.id));
    const live = rows.filter((r) => !skipped.includes(r));
    if (live.length && active) await this.processRows(active, live);
    return rows.length + unpacked.deliveries;
  }

  /**
   * The rows of the connected company, coalesced: the creates and updates of one entity are applied once
   * (the entity is read as it is now, which covers every change the events announce), and the entities to
   * read are fetched together, `Id IN (…)` a hundred at a time, before anything is applied. A storm of
   * 3,000 events on 40 customers costs a read per claimed batch instead of one per event.
   */
  private async processRows(realmId: string, rows: InboxRow[]): Promise<void> {
    const units: InboxRow[][] = [];
    const byEntity = new Map<string, InboxRow[]>();
    for (const row of rows) {
      if (!coalesces(row)) {
        units.push([row]);
        continue;
      }
      const key = entityKey(row.entity, row.entityId);
      const unit = byEntity.get(key);
      if (unit) unit.push(row);
      else {
        const fresh = [row];
        byEntity.set(key, fresh);
        units.push(fresh);
      }
    }
    let cache: Map<string, Entities[SyncedName] | undefined>;
    try {
      cache = await this.prefetch(realmId, rows.filter(coalesces));
    } catch (err) {
      if (!isDisconnected(err)) throw err;
      this.pause(realmId, false);
      await this.deps.inbox.release(rows.map((r) => r.id));
      return;
    }
    for (let i = 0; i < units.length; i++) {
      if (this.paused.has(realmId)) {
        // Found disconnected meanwhile: the rest goes back untouched.
        await this.deps.inbox.release(units.slice(i).flatMap((u) => u.map((r) => r.id)));
        return;
      }
      await this.processUnit(units[i], cache);
    }
  }

  private pause(realmId: string, stillActive: boolean): void {
    if (this.paused.has(realmId)) return;
    this.paused.set(realmId, this.now() + (stillActive ? this.o.pollMs * 4 : this.o.notConnectedPauseMs));
  }

  /** The entities the rows announce, read in as few calls as Intuit allows. */
  private async prefetch(
    realmId: string,
    rows: InboxRow[],
  ): Promise<Map<string, Entities[SyncedName] | undefined>> {
    const cache = new Map<string, Entities[SyncedName] | undefined>();
    const ids = new Map<SyncedName, Set<string>>();
    for (const row of rows) {
      const entity = row.entity as SyncedName;
      if (!ids.has(entity)) ids.set(entity, new Set());
      ids.get(entity)!.add(row.entityId);
    }
    for (const [entity, set] of ids) {
      const all = [...set];
      for (let i = 0; i < all.length; i += READ_CHUNK) {
        const chunk = all.slice(i, i + READ_CHUNK);
        try {
          await this.readInto(cache, realmId, entity, chunk);
        } catch (err) {
          // A failed batch read is not the events' failure yet: each unit reads its entity itself, and
          // that failure is counted against its rows (retried with back-off).
          if (isDisconnected(err)) throw err;
        }
      }
    }
    return cache;
  }

  private async readInto(
    cache: Map<string, Entities[SyncedName] | undefined>,
    realmId: string,
    entity: SyncedName,
    ids: string[],
  ): Promise<void> {
    const { client } = this.deps;
    if (ids.length > 1) {
      for (const found of await client.findByIds(realmId, entity, ids))
        cache.set(entityKey(entity, found.Id), found);
    }
    // A query leaves out what it does not list by default (an inactive customer) and what is gone: those
    // are read one by one, which also tells "gone" (undefined) apart.
    for (const id of ids.filter((x) => !cache.has(entityKey(entity, x))))
      cache.set(entityKey(entity, id), await client.read(realmId, entity, id));
  }

  /** One entity's coalesced rows (or a single row): one apply, one history line, every row done. */
  private async processUnit(
    unit: InboxRow[],
    cache: Map<string, Entities[SyncedName] | undefined>,
  ): Promise<void> {
    const { client, sync, events, inbox } = this.deps;
    const row = unit[unit.length - 1];
    const entity = row.entity.toLowerCase();
    try {
      const outcome = await dispatch(sync, {
        realmId: row.realmId,
        entity: row.entity,
        operation: row.operation,
        entityId: row.entityId,
        deletedId: row.deletedId,
        // The event carries an id only: what changed is read from QuickBooks (undefined once it is gone).
        load: (name) => {
          if (name !== row.entity) return Promise.resolve(undefined);
          const key = entityKey(name, row.entityId);
          return cache.has(key)
            ? Promise.resolve(cache.get(key) as Entities[typeof name] | undefined)
            : client.read(row.realmId, name, row.entityId);
        },
      });
      await events.record({
        realmId: row.realmId,
        direction: 'pull',
        entity,
        localId: outcome.localId ?? null,
        qboId: outcome.qboId,
        operation: outcome.operation.slice(0, 16),
        result: outcome.result,
        errorMessage: outcome.note ?? null,
      });
      for (const r of unit) await inbox.finish(r, 'done');
    } catch (err) {
      if (isDisconnected(err)) {
        this.pause(row.realmId, false);
        await inbox.release(unit.map((r) => r.id));
        return;
      }
      for (const r of unit) await this.failed(r, err);
    }
  }

  private async failed(row: InboxRow, err: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const parked = attempts >= this.o.maxAttempts;
    const code = errorCodeOf(err) ?? (err instanceof Error ? err.name : 'error');
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.warn(
      { realmId: row.realmId, entity: row.entity, operation: row.operation, attempts, code, parked },
      'webhook event failed',
    );
    await this.deps.events.record({
      realmId: row.realmId,
      direction: 'pull',
      entity: row.entity.toLowerCase(),
      qboId: row.entityId,
      operation: row.operation.toLowerCase().slice(0, 16),
      result: parked ? 'failed' : 'retry',
      errorCode: String(code).slice(0, 32),
      errorMessage: message,
      intuitTid: err instanceof QuickBooksError ? err.intuitTid : null,
    });
    if (parked) {
      await this.deps.inbox.finish(row, 'parked', { code: String(code), message, attempts });
      return;
    }
    const backoff = Math.min(this.o.baseBackoffMs * 2 ** (attempts - 1), this.o.maxBackoffMs);
    const jitter = Math.floor(Math.random() * Math.min(1000, backoff / 4));
    await this.deps.inbox.retry(row, attempts, new Date(this.now() + backoff + jitter), {
      code: String(code),
      message,
    });
  }

  /** For tests and scripts: passes until nothing is due (bounded). */
  async drain(maxPasses = 100): Promise<void> {
    for (let i = 0; i < maxPasses; i++) {
      if ((await this.processOnce()) === 0) return;
      await sleep(0);
    }
  }
}
