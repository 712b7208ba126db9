/**
 * Which company is connected, as the webhook receiver needs it on every delivery: read from the database,
 * kept for a moment (deliveries come in bursts), forgotten at once when this process connects or
 * disconnects a company. Another process's connect or disconnect shows within `ttlMs`.
 */
import type { ConnectionsRepository } from '../connection/connections-repository.js';

export class ActiveRealm {
  private cached: { realmId: string | undefined; at: number } | undefined;
  private loading: Promise<string | undefined> | undefined;

  constructor(
    private readonly connections: ConnectionsRepository,
    private readonly ttlMs = 1000,
  ) {}

  /** The value if it is fresh enough, without waiting: `{ realmId }`, or undefined when it must be read. */
  peek(now = Date.now()): { realmId: string | undefined } | undefined {
    return this.cached && now - this.cached.at < this.ttlMs ? { realmId: this.cached.realmId } : undefined;
  }

  async get(now = Date.now()): Promise<string | undefined> {
    const fresh = this.peek(now);
    if (fresh) return fresh.realmId;
    this.loading ??= this.connections
      .active()
      .then((c) => {
        this.cached = { realmId: c?.realmId, at: Date.now() };
        return c?.realmId;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  forget(): void {
    this.cached = undefined;
  }
}
