/**
 * Keeps the connection alive while nothing else uses it: Intuit's refresh tokens die after ~100 days
 * without use. Hourly, the connected company's refresh token is refreshed once it is older than 30 days.
 * Several instances need no extra coordination: the refresh itself is single-flight across processes,
 * and once one instance has refreshed, the token is young again for everyone.
 */
import type { Logger } from '../../logger.js';
import { QuickBooksError } from '../intuit/errors.js';
import type { TokenManager } from '../intuit/token-manager.js';
import type { ConnectionsRepository } from './connections-repository.js';

export class KeepAlive {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { connections: ConnectionsRepository; tokens: TokenManager; logger: Logger },
    private readonly checkEveryMs = 3_600_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Refreshes if due; true when a refresh happened. Never throws: the next check tries again. */
  async runOnce(): Promise<boolean> {
    try {
      const active = await this.deps.connections.active();
      if (!active) return false;
      const refreshed = await this.deps.tokens.keepAlive(active.realmId);
      if (refreshed)
        this.deps.logger.info({ realmId: active.realmId }, 'keep-alive refresh of the QuickBooks tokens');
      return refreshed;
    } catch (err) {
      // An outage or a revocation (already handled by the token manager) must not crash the timer.
      if (!(err instanceof QuickBooksError)) this.deps.logger.error({ err }, 'keep-alive check failed');
      return false;
    }
  }
}
