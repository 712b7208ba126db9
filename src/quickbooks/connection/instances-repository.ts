/**
 * The running instances (qbo_instances): each one's heartbeat and the highest connection generation it has
 * applied. A disconnect waits here until every live instance has stopped its calls for the company
 * (decision 010).
 */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';

export class InstancesRepository {
  constructor(private readonly db: Knex) {}

  /** This instance is alive and has applied every state change up to `generation`. */
  async heartbeat(owner: string, generation: number): Promise<void> {
    await this.db('qbo_instances')
      .insert({ owner, heartbeat_at: nowIso(), applied_generation: generation })
      .onConflict('owner')
      .merge(['heartbeat_at', 'applied_generation']);
  }

  async remove(owner: string): Promise<void> {
    await this.db('qbo_instances').where({ owner }).del();
  }

  /** Instances alive within `aliveMs` that have not applied `generation` yet (this one excepted). */
  async behind(generation: number, except: string, aliveMs: number): Promise<string[]> {
    const since = new Date(Date.now() - aliveMs).toISOString();
    return this.db('qbo_instances')
      .where('heartbeat_at', '>=', since)
      .andWhere('applied_generation', '<', generation)
      .whereNot({ owner: except })
      .pluck('owner');
  }
}
