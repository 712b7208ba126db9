/** qbo_cdc_watermarks: per company, the time from which the next CDC sweep asks for changes. */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';

export interface Watermark {
  realmId: string;
  changedSince: string;
  lastRunAt: string | null;
}

export class WatermarksRepository {
  constructor(private readonly db: Knex) {}

  async find(realmId: string): Promise<Watermark | undefined> {
    const row = await this.db('qbo_cdc_watermarks').where({ realm_id: realmId }).first();
    return row
      ? { realmId: row.realm_id, changedSince: row.changed_since, lastRunAt: row.last_run_at }
      : undefined;
  }

  /** Creates the watermark if the company has none yet; an existing one is left as it is. */
  async ensure(realmId: string, changedSince: string): Promise<void> {
    await this.db('qbo_cdc_watermarks')
      .insert({ realm_id: realmId, changed_since: changedSince, last_run_at: nowIso() })
      .onConflict('realm_id')
      .ignore();
  }

  async advance(realmId: string, changedSince: string): Promise<void> {
    const values = { changed_since: changedSince, last_run_at: nowIso() };
    await this.db('qbo_cdc_watermarks')
      .insert({ realm_id: realmId, ...values })
      .onConflict('realm_id')
      .merge(values);
  }
}
