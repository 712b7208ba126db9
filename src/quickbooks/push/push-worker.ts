/**
 * Works off the outbox for the connected company: several lanes, each claiming up to 30 items and
 * pushing them in one batch, so the per-company limiter (not the worker) sets the pace. Customers are
 * drained before documents, because documents need their customer's QuickBooks id.
 */
import type { Logger } from '../../logger.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { SinglesTicket } from '../intuit/limiter.js';
import type { OutboxRepository } from './outbox-repository.js';
import { BATCH_LIMIT, type Pusher } from './pusher.js';

export interface PushWorkerDeps {
  connections: ConnectionsRepository;
  outbox: OutboxRepository;
  pusher: Pusher;
  logger: Logger;
  owner: string;
  lanes?: number;
  leaseMs?: number;
  pollMs?: number;
  /**
   * How many items the next claim should send as single calls (0: a batch of 30), held until they are
   * queued at the limiter: the limiter's singlesTicket.
   */
  singlesTicket?: (realmId: string, maxWaitMs: number) => SinglesTicket;
}

export class PushWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly stopped = new Set<string>();
  private controller = new AbortController();
  private again = false;
  private closed = true;

  constructor(private readonly deps: PushWorkerDeps) {}

  start(): void {
    this.closed = false;
    this.schedule(0);
  }

  /** Something was queued: look now rather than at the next poll. */
  kick(): void {
    if (this.closed) return;
    if (this.running) this.again = true;
    else this.schedule(10);
  }

  private schedule(ms: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain()
        .catch((err) => this.deps.logger.error({ err }, 'push worker failed'))
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.schedule(0);
          } else this.schedule(this.deps.pollMs ?? 1000);
        });
    }, ms);
    this.timer.unref?.();
  }

  /** Pushes until nothing is due for the connected company. Tests call it directly. */
  async drain(): Promise<void> {
    const active = await this.deps.connections.active();
    if (!active || this.stopped.has(active.realmId)) return;
    const realmId = active.realmId;
    await this.deps.outbox.adoptUnassigned(realmId);
    const signal = this.controller.signal;
    const lane = async () => {
      while (!signal.aborted && !this.stopped.has(realmId)) {
        // Batches queuing up at the limiter: this lane takes as many items as single calls can send
        // meanwhile, so both of Intuit's budgets are used (decision 014); otherwise a batch's worth.
        const leaseMs = this.deps.leaseMs ?? 120_000;
        const singles = this.deps.singlesTicket?.(realmId, leaseMs / 4);
        if (singles?.waitMs) {
          // Even a batch would wait at the limiter for much of a claim's lease: claim nothing yet, or the
          // lease could run out while the items wait and another instance would take them too.
          await new Promise((r) => setTimeout(r, Math.min(singles.waitMs, 200)));
          continue;
        }
        let pushed: boolean;
        try {
          const { items, blocked, token } = await this.deps.outbox.claim(
            realmId,
            this.deps.owner,
            singles?.count || BATCH_LIMIT,
            leaseMs,
          );
          if (blocked) {
            // Customers are still being pushed by another lane or instance: wait for them.
            singles?.release();
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          if (!items.length) return;
          pushed = await this.deps.pusher.push(realmId, items, token, signal, singles);
        } finally {
          singles?.release();
        }
        // Disconnected meanwhile: the items went back to the queue, and claiming them again would only spin
        // (a disconnect waits for calls already sent, and may not have stopped this worker yet).
        if (!pushed) return;
      }
    };
    await Promise.all(Array.from({ length: this.deps.lanes ?? 8 }, lane));
  }

  /** Stops work for a company (disconnect, revocation) and waits until no lane will call Intuit for it. */
  async stopRealm(realmId: string): Promise<void> {
    this.stopped.add(realmId);
    this.controller.abort();
    await this.running?.catch(() => undefined);
    this.controller = new AbortController();
    await this.deps.outbox.release(realmId, this.deps.owner);
  }

  resumeRealm(realmId: string): void {
    this.stopped.delete(realmId);
    this.kick();
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
    await this.running?.catch(() => undefined);
    await this.deps.outbox.release(null, this.deps.owner).catch(() => undefined);
  }
}
