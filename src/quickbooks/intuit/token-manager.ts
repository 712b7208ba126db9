/**
 * Access tokens for API calls, refreshed only when needed and only once at a time per company:
 * - in this process: concurrent callers share one refresh promise;
 * - across processes on the same database: a lease in the `locks` table; after taking it the stored
 *   tokens are read again, because another process may have refreshed meanwhile (and rotated the
 *   refresh token, which makes ours worthless);
 * - the rotated refresh token is committed (compare-and-swap on token_version) before the new access
 *   token is handed to anyone, so a crash after the refresh loses nothing.
 * Only a 400 `invalid_grant` from Intuit means "revoked"; it is reported to onRevoked, which clears the
 * connection. Everything else (5xx, timeouts, 429) is thrown for the caller to retry later.
 */
import type { Locks } from '../../db/locks.js';
import type { Logger } from '../../logger.js';
import type { Credentials } from '../connection/connection-types.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import { QuickBooksNotConnectedError, QuickBooksRevokedError, QuickBooksUnavailableError } from './errors.js';
import type { IntuitOAuth } from './intuit-oauth.js';

/** Refresh when less than this is left of the access token's life. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** Keep-alive: refresh a refresh token older than this, long before Intuit's 100-day expiry. */
export const KEEPALIVE_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export interface RefreshOptions {
  /** token_version the caller's token came from */
  staleVersion?: number;
  /** Intuit rejected that token (401): refresh even if it looks unexpired */
  rejected?: boolean;
  /** refresh regardless (keep-alive) */
  force?: boolean;
}

export interface TokenManagerDeps {
  connections: ConnectionsRepository;
  oauth: IntuitOAuth;
  locks: Locks;
  logger: Logger;
  onRevoked: (realmId: string, error: QuickBooksRevokedError) => Promise<void>;
  onRefreshed?: (realmId: string, info: { rotated: boolean; intuitTid: string | null }) => Promise<void>;
  now?: () => number;
  /** Margin before expiry at which a token counts as expired (tests shrink it for 2-second tokens). */
  refreshMarginMs?: number;
}

export class TokenManager {
  private readonly inFlight = new Map<string, Promise<Credentials>>();
  /** Refreshes this process has made (tells a keep-alive whether it or another process did the work). */
  private refreshes = 0;
  private readonly now: () => number;
  private readonly margin: number;

  constructor(private readonly deps: TokenManagerDeps) {
    this.now = deps.now ?? Date.now;
    this.margin = deps.refreshMarginMs ?? REFRESH_MARGIN_MS;
  }

  private fresh(c: Credentials): boolean {
    return new Date(c.accessExpiresAt).getTime() - this.margin > this.now();
  }

  /**
   * A usable access token for the company, refreshing first if it is (nearly) expired. No refresh starts
   * once `signal` has fired (the call was stopped, e.g. the company is being disconnected).
   */
  async accessToken(realmId: string, signal?: AbortSignal): Promise<{ token: string; version: number }> {
    let current = await this.deps.connections.credentials(realmId);
    if (!current) throw new QuickBooksNotConnectedError(realmId);
    if (!this.fresh(current)) {
      if (signal?.aborted) throw signal.reason;
      current = await this.refresh(realmId, { staleVersion: current.tokenVersion });
    }
    return { token: current.accessToken, version: current.tokenVersion };
  }

  /** Resolves once no refresh for the company is running in this process (whatever its outcome). */
  async settled(realmId: string): Promise<void> {
    await this.inFlight.get(realmId)?.catch(() => undefined);
  }

  /**
   * Refreshes unless someone already did since `staleVersion` (the version the caller saw when its
   * token was rejected or expired). `force` refreshes even a token that looks fresh (keep-alive).
   */
  refresh(realmId: string, options: RefreshOptions = {}): Promise<Credentials> {
    const running = this.inFlight.get(realmId);
    if (running) return running;
    const job = this.deps.locks
      .withLock(`qbo-refresh:${realmId}`, () => this.refreshLocked(realmId, options), {
        ttlMs: 60_000,
        waitMs: 60_000,
      })
      .finally(() => this.inFlight.delete(realmId));
    this.inFlight.set(realmId, job);
    return job;
  }

  private async refreshLocked(realmId: string, options: RefreshOptions): Promise<Credentials> {
    // Re-read under the lock: another process may have refreshed (and rotated the refresh token).
    const current = await this.deps.connections.credentials(realmId);
    if (!current) throw new QuickBooksNotConnectedError(realmId);
    // A newer token than the one the caller saw was stored meanwhile: use it. This holds for a forced
    // (keep-alive) refresh too: another instance's keep-alive that got the lock first already did it.
    if (options.staleVersion !== undefined && current.tokenVersion !== options.staleVersion) return current;
    if (!options.force) {
      // Expired-by-clock callers are satisfied by a fresh token; a caller whose token Intuit rejected (401)
      // is not, whatever the clock says.
      if (!options.rejected && this.fresh(current)) return current;
    }

    let tokens: Awaited<ReturnType<IntuitOAuth['refresh']>>;
    try {
      tokens = await this.deps.oauth.refresh(current.refreshToken);
    } catch (err) {
      if (err instanceof QuickBooksRevokedError) {
        this.deps.logger.warn(
          { realmId, intuitTid: err.intuitTid },
          'Intuit answered invalid_grant: access revoked',
        );
        await this.deps.onRevoked(realmId, err);
      }
      throw err;
    }
    const rotated = tokens.refreshToken !== current.refreshToken;
    // Commit before use: if this write is lost, so is the rotated refresh token.
    const saved = await this.deps.connections.saveRefreshed(realmId, current.tokenVersion, tokens, rotated);
    if (!saved) {
      // Disconnected (or revoked) while we were refreshing: the new tokens must not be used.
      throw new QuickBooksNotConnectedError(realmId);
    }
    this.refreshes++;
    this.deps.logger.info({ realmId, rotated, intuitTid: tokens.intuitTid }, 'QuickBooks tokens refreshed');
    await this.deps.onRefreshed?.(realmId, { rotated, intuitTid: tokens.intuitTid });
    const stored = await this.deps.connections.credentials(realmId);
    if (!stored) throw new QuickBooksUnavailableError('credentials vanished after refresh');
    return stored;
  }

  /** Daily keep-alive: refresh tokens whose refresh token is older than KEEPALIVE_AGE_MS. */
  async keepAlive(realmId: string): Promise<boolean> {
    const current = await this.deps.connections.credentials(realmId);
    if (!current) return false;
    const issued = current.refreshTokenIssuedAt ? new Date(current.refreshTokenIssuedAt).getTime() : 0;
    if (this.now() - issued < KEEPALIVE_AGE_MS) return false;
    // staleVersion: if another process refreshed between our look and the lock, that was the keep-alive.
    const before = this.refreshes;
    await this.refresh(realmId, { force: true, staleVersion: current.tokenVersion });
    return this.refreshes > before;
  }
}
