/**
 * Outbox items stopped because their lines had no item (or no tax code where the company needs one): once
 * the admin chooses the defaults on the card, they are queued again at once, without waiting for a
 * "Retry". Only these codes: what QuickBooks itself refused stays failed until someone looks at it.
 */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';

const STOPPED_FOR_SETUP = ['item_missing', 'tax_code_missing'];

export class StoppedItemsRepository {
  constructor(private readonly db: Knex) {}

  async requeue(realmId: string): Promise<number> {
    const now = nowIso();
    return Number(
      await this.db('qbo_outbox as o')
        .where({ 'o.realm_id': realmId, 'o.status': 'failed' })
        .whereIn('o.last_error_code', STOPPED_FOR_SETUP)
        // A record edited since has a pending item of its own: that one carries the change.
        .whereNotExists((q) =>
          q
            .select(this.db.raw('1'))
            .from('qbo_outbox as p')
            .whereRaw('p.record_type = o.record_type and p.record_id = o.record_id')
            .where('p.status', 'pending'),
        )
        .update({ status: 'pending', next_attempt_at: now, updated_at: now }),
    );
  }
}
