/**
 * Every instance follows the connection's state in the database (decision 010): every `pollMs` it reads
 * each company's (status, generation) and applies what changed since its last look, whichever instance
 * made the change:
 * - a company that stopped being connected: the client closes it (calls not sent yet are stopped, calls
 *   sent are waited for) and push and pull stop its work;
 * - a company connected again (a new generation): the client reopens it and push and pull resume it.
 * Then it writes its heartbeat with the generation it has applied, which a disconnect on another instance
 * waits for before it revokes at Intuit. The bound: a change shows on every live instance within `pollMs`
 * plus the time its calls already sent take to be answered (at most the client's close grace, 5 s).
 */
import type { Logger } from '../../logger.js';
import type { QboClient } from '../intuit/client.js';
import type { ConnectionState, ConnectionsRepository } from './connections-repository.js';
import type { InstancesRepository } from './instances-repository.js';
import type { ConnectionLifecycle } from './lifecycle.js';

export const CONNECTION_POLL_MS = 1000;

export interface ConnectionWatchDeps {
  connections: ConnectionsRepository;
  instances: InstancesRepository;
  client: QboClient;
  lifecycle: Pick<ConnectionLifecycle, 'stopping' | 'resumed'>;
  logger: Logger;
  owner: string;
  pollMs?: number;
}

export class ConnectionWatch {
  private readonly seen = new Map<string, ConnectionState>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;

  constructor(private readonly deps: ConnectionWatchDeps) {}

  get pollMs(): number {
    return this.deps.pollMs ?? CONNECTION_POLL_MS;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.deps.instances.remove(this.deps.owner).catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.check()
        .catch((err) => this.deps.logger.error({ err }, 'connection state check failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** One look at the database, and what changed applied here. Tests call it directly. */
  async check(): Promise<void> {
    const states = await this.deps.connections.states();
    let applied = 0;
    for (const now of states) {
      const before = this.seen.get(now.realmId);
      const wasLive = before?.status === 'connected';
      const isLive = now.status === 'connected';
      if (wasLive && (!isLive || before.generation !== now.generation)) {
        this.deps.logger.info(
          { realmId: now.realmId, status: now.status },
          'QuickBooks company stopped here',
        );
        await this.deps.client.close(now.realmId);
        await this.deps.lifecycle.stopping(now.realmId);
      }
      if (isLive && (!wasLive || before.generation !== now.generation)) {
        this.deps.client.reopen(now.realmId);
        await this.deps.lifecycle.resumed(now.realmId);
      }
      this.seen.set(now.realmId, now);
      applied = Math.max(applied, now.generation);
    }
    await this.deps.instances.heartbeat(this.deps.owner, applied);
  }
}
