/**
 * This installation's id: generated once, kept in the database (so every instance and every restart
 * agrees), and written into the marker of the documents Heavy AV creates in QuickBooks.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';

export class Installation {
  private cached: string | undefined;

  constructor(private readonly db: Knex) {}

  async id(): Promise<string> {
    if (this.cached) return this.cached;
    const row = await this.db('qbo_installation').where({ id: 1 }).first('installation_id');
    if (row) {
      this.cached = row.installation_id as string;
      return this.cached;
    }
    // Two instances starting at once: the insert of one is ignored, and both read the winner's id.
    await this.db('qbo_installation')
      .insert({ id: 1, installation_id: randomUUID(), created_at: nowIso() })
      .onConflict('id')
      .ignore();
    const won = await this.db('qbo_installation').where({ id: 1 }).first('installation_id');
    this.cached = won.installation_id as string;
    return this.cached;
  }
}
