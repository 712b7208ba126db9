/**
 * Works off the webhook inbox: claims due rows with a lease, fetches each changed entity through the
 * QuickBooks client, applies it through the dispatch table, records a sync event, and marks the row done.
 * A failure is retried with back-off and parked after `maxAttempts`. When the company is not connected
 * (disconnected, revoked, or being disconnected) its rows are given back untouched and the company is left
 * alone until it is connected again: no attempts burnt, no hot loop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import { errorCodeOf, isDisconnected, QuickBooksError } from '../intuit/errors.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { ActiveRealm } from './active-realm.js';
import { dispatch } from './dispatch.js';
import type { InboundSync } from './inbound-sync.js';
import type { InboxRepository, InboxRow } from './inbox-repository.js';

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
      batchSize: 20,
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

  /** One pass: claim a batch, process it. Returns how many rows were claimed. Tests call it directly. */
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
    const now = this.now();
    const rows = await this.deps.inbox.claim(
      this.deps.owner,
      { limit: this.o.batchSize, leaseMs: this.o.leaseMs, skipRealms: this.skippedRealms(now) },
      now,
    );
    const active = rows.length ? await this.deps.activeRealm.get() : undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (this.paused.has(row.realmId) || row.realmId !== active) {
        // Not connected (any more): give its rows back for when it is.
        this.pause(row.realmId, row.realmId === active);
        await this.deps.inbox.release(
          rows
            .slice(i)
            .filter((r) => r.realmId === row.realmId)
            .map((r) => r.id),
        );
        continue;
      }
      await this.processRow(row);
    }
    return rows.length;
  }

  private pause(realmId: string, stillActive: boolean): void {
    if (this.paused.has(realmId)) return;
    this.paused.set(realmId, this.now() + (stillActive ? this.o.pollMs * 4 : this.o.notConnectedPauseMs));
  }

  private async processRow(row: InboxRow): Promise<void> {
    const { client, sync, events, inbox } = this.deps;
    const entity = row.entity.toLowerCase();
    try {
      const outcome = await dispatch(sync, {
        realmId: row.realmId,
        entity: row.entity,
        operation: row.operation,
        entityId: row.entityId,
        deletedId: row.deletedId,
        // The event carries an id only: what changed is read from QuickBooks (undefined once it is gone).
        load: (name) =>
          name === row.entity ? client.read(row.realmId, name, row.entityId) : Promise.resolve(undefined),
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
      await inbox.finish(row.id, 'done');
    } catch (err) {
      if (isDisconnected(err)) {
        this.pause(row.realmId, false);
        await inbox.release([row.id]);
        return;
      }
      await this.failed(row, err);
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
      await this.deps.inbox.finish(row.id, 'parked', { code: String(code), message, attempts });
      return;
    }
    const backoff = Math.min(this.o.baseBackoffMs * 2 ** (attempts - 1), this.o.maxBackoffMs);
    const jitter = Math.floor(Math.random() * Math.min(1000, backoff / 4));
    await this.deps.inbox.retry(row.id, attempts, new Date(this.now() + backoff + jitter), {
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
