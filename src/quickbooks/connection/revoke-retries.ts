/**
 * Revokes at Intuit that must not be lost (issue 16): a grant Heavy AV gives up — disconnect, cancelled
 * switch, company archived by a confirmed switch — is revoked now; if Intuit cannot be reached, its sealed
 * refresh token is kept in qbo_pending_revocations and the revoke is tried again (after 1 minute, doubling
 * to at most an hour) until Intuit confirms, or says the grant is already dead. The card lists what is
 * still waiting, with Intuit's My Apps page as the way to finish by hand.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import { QuickBooksError } from '../intuit/errors.js';
import type { IntuitOAuth, RevokeOutcome } from '../intuit/intuit-oauth.js';
import type { TokenCipher } from '../intuit/token-cipher.js';

export type RevokeReason = 'disconnect' | 'switch_cancelled' | 'archived';

export interface PendingRevocation {
  id: number;
  realmId: string;
  companyName: string | null;
  reason: RevokeReason;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string;
}

const MINUTE = 60_000;
/** Far longer than a disconnect takes (its wait for the instances, the close grace, the revoke's timeout). */
const ABANDONED_AFTER_MS = 2 * MINUTE;
const backoff = (attempts: number) => Math.min(MINUTE * 2 ** (attempts - 1), 60 * MINUTE);

export class RevokeRetries {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { db: Knex; oauth: IntuitOAuth; cipher: TokenCipher; logger: Logger }) {}

  /** Looks for due retries every minute (each row has its own back-off). */
  start(checkEveryMs = MINUTE): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.retryDue().catch((err) => this.deps.logger.error({ err }, 'revoke retries failed'));
    }, checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Revokes the grant; on failure keeps it for a retry. The outcome is what the admin is told:
   * `unreachable` means "not revoked yet, Heavy AV keeps trying".
   */
  async revoke(
    grant: { realmId: string; companyName: string | null; refreshToken: string },
    reason: RevokeReason,
  ): Promise<{ revoke: RevokeOutcome | 'unreachable'; intuitTid: string | null }> {
    try {
      const res = await this.deps.oauth.revoke(grant.refreshToken);
      return { revoke: res.outcome, intuitTid: res.intuitTid };
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      this.deps.logger.warn(
        { realmId: grant.realmId, code: err.code, reason },
        'revoke at Intuit failed; kept for a retry',
      );
      const now = Date.now();
      await this.deps.db('qbo_pending_revocations').insert({
        realm_id: grant.realmId,
        company_name: grant.companyName,
        reason,
        refresh_token_enc: this.deps.cipher.seal(grant.refreshToken),
        attempts: 1,
        last_error: err.message.slice(0, 255),
        created_at: new Date(now).toISOString(),
        next_attempt_at: new Date(now + backoff(1)).toISOString(),
      });
      return { revoke: 'unreachable', intuitTid: err.intuitTid };
    }
  }

  /** What is still waiting to be revoked (the card). */
  async pending(): Promise<PendingRevocation[]> {
    const rows = await this.deps.db('qbo_pending_revocations').orderBy('id');
    return rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      realmId: String(r.realm_id),
      companyName: (r.company_name as string | null) ?? null,
      reason: r.reason as RevokeReason,
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? null,
      createdAt: String(r.created_at),
      nextAttemptAt: String(r.next_attempt_at),
    }));
  }

  /**
   * A disconnect whose instance died between "disconnecting" and the revoke left the tokens stored and the
   * grant live: finished here (credentials deleted, revoke tried, kept for a retry if Intuit is down).
   */
  async finishAbandonedDisconnects(now = Date.now()): Promise<number> {
    const before = new Date(now - ABANDONED_AFTER_MS).toISOString();
    const rows = await this.deps
      .db('qbo_connections')
      .where({ status: 'disconnecting' })
      .andWhere('updated_at', '<', before)
      .select('realm_id', 'company_name', 'refresh_token_enc');
    for (const row of rows) {
      const cleared = await this.deps
        .db('qbo_connections')
        .where({ realm_id: row.realm_id, status: 'disconnecting' })
        .update({
          status: 'disconnected',
          disconnect_reason: 'admin',
          disconnected_at: new Date(now).toISOString(),
          access_token_enc: null,
          refresh_token_enc: null,
          access_expires_at: null,
          refresh_expires_at: null,
          refresh_hard_expires_at: null,
          refresh_token_issued_at: null,
          generation: this.deps.db.raw('(select coalesce(max(generation), 0) + 1 from qbo_connections)'),
          updated_at: new Date(now).toISOString(),
        });
      if (Number(cleared) !== 1 || !row.refresh_token_enc) continue;
      this.deps.logger.warn({ realmId: row.realm_id }, 'finishing a disconnect its instance did not finish');
      if (!this.deps.cipher.canOpen(row.refresh_token_enc)) continue;
      const refreshToken = this.deps.cipher.open(row.refresh_token_enc);
      await this.revoke({ realmId: row.realm_id, companyName: row.company_name, refreshToken }, 'disconnect');
    }
    return rows.length;
  }

  /** Tries the due ones again; returns how many are done (revoked or found already dead). */
  async retryDue(now = Date.now()): Promise<number> {
    await this.finishAbandonedDisconnects(now);
    const due = await this.deps
      .db('qbo_pending_revocations')
      .where('next_attempt_at', '<=', new Date(now).toISOString())
      .orderBy('id')
      .limit(20);
    let done = 0;
    for (const row of due) {
      const id = Number(row.id);
      let token: string;
      try {
        token = this.deps.cipher.open(row.refresh_token_enc);
      } catch {
        // Sealed with a key this instance does not have: another instance (or the operator) must do it.
        continue;
      }
      try {
        await this.deps.oauth.revoke(token);
        await this.deps.db('qbo_pending_revocations').where({ id }).del();
        this.deps.logger.info(
          { realmId: row.realm_id, reason: row.reason },
          'revoke at Intuit done on retry',
        );
        done++;
      } catch (err) {
        if (!(err instanceof QuickBooksError)) throw err;
        const attempts = Number(row.attempts) + 1;
        await this.deps
          .db('qbo_pending_revocations')
          .where({ id })
          .update({
            attempts,
            last_error: err.message.slice(0, 255),
            next_attempt_at: new Date(now + backoff(attempts)).toISOString(),
          });
      }
    }
    return done;
  }

  /** The admin finished at Intuit's My Apps page and says so: nothing left to try. */
  async forget(id: number): Promise<void> {
    await this.deps.db('qbo_pending_revocations').where({ id }).del();
  }
}
