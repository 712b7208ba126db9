import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export const STATE_TTL_MS = 10 * 60 * 1000;

function hash(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/**
 * OAuth `state` values: unguessable, bound to the admin's session, single use, 10 minutes. Only the hash
 * is stored, so a database reader cannot complete someone's pending connect.
 */
export class OAuthStatesRepository {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async create(state: string, sessionId: string, userId: number): Promise<void> {
    const now = this.now();
    await this.db('qbo_oauth_states')
      .where('expires_at', '<', new Date(now - STATE_TTL_MS).toISOString())
      .del();
    await this.db('qbo_oauth_states').insert({
      state_hash: hash(state),
      session_id: sessionId,
      user_id: userId,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + STATE_TTL_MS).toISOString(),
      used_at: null,
    });
  }

  /**
   * Marks the state used if it is valid for this session. Exactly one caller can win: the update only
   * matches an unused row, so a replayed or concurrent callback gets false.
   */
  async consume(state: string, sessionId: string): Promise<'ok' | 'unknown' | 'expired' | 'used'> {
    const row = await this.db('qbo_oauth_states')
      .where({ state_hash: hash(state), session_id: sessionId })
      .first();
    if (!row) return 'unknown';
    if (row.used_at) return 'used';
    const now = new Date(this.now()).toISOString();
    if (row.expires_at < now) return 'expired';
    const n = await this.db('qbo_oauth_states')
      .where({ state_hash: hash(state), session_id: sessionId })
      .whereNull('used_at')
      .update({ used_at: now });
    return Number(n) === 1 ? 'ok' : 'used';
  }
}
