/**
 * The imports an admin started (table qbo_imports): what was asked, where the import stands (phase and
 * Intuit's STARTPOSITION of the next page) and what it did. `advance` takes the page's transaction: the
 * position moves in the same commit as the records and links the page wrote (decision 012).
 */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';

export type ImportPhase = 'customers' | 'estimates' | 'invoices' | 'done';
export type ImportStatus = 'running' | 'finished' | 'stopped' | 'failed';

export interface ImportCounts {
  imported: number;
  linked: number;
  skipped: number;
  /** Why records were skipped: reason → how many. */
  skipReasons: Record<string, number>;
}

export interface QboImport extends ImportCounts {
  id: number;
  realmId: string;
  generation: number;
  customers: boolean;
  documentsSince: string | null;
  phase: ImportPhase;
  position: number;
  status: ImportStatus;
  /** Intuit's count of each phase, read when the phase began. */
  totals: Partial<Record<Exclude<ImportPhase, 'done'>, number>>;
  error: string | null;
  runId: number | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

interface ImportRow {
  id: number | string;
  realm_id: string;
  generation: number | string;
  customers: boolean | number;
  documents_since: string | null;
  phase: ImportPhase;
  position: number | string;
  status: ImportStatus;
  imported: number | string;
  linked: number | string;
  skipped: number | string;
  totals_json: string;
  skip_reasons_json: string;
  error: string | null;
  run_id: number | string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

function toImport(row: ImportRow): QboImport {
  return {
    id: Number(row.id),
    realmId: row.realm_id,
    generation: Number(row.generation),
    customers: Boolean(row.customers),
    documentsSince: row.documents_since,
    phase: row.phase,
    position: Number(row.position),
    status: row.status,
    imported: Number(row.imported),
    linked: Number(row.linked),
    skipped: Number(row.skipped),
    totals: JSON.parse(row.totals_json || '{}'),
    skipReasons: JSON.parse(row.skip_reasons_json || '{}'),
    error: row.error,
    runId: row.run_id === null ? null : Number(row.run_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export class ImportsRepository {
  constructor(private readonly db: Knex) {}

  async create(
    input: {
      realmId: string;
      generation: number;
      customers: boolean;
      documentsSince: string | null;
      phase: ImportPhase;
      userId: number | null;
    },
    trx: Knex = this.db,
  ): Promise<QboImport> {
    const at = nowIso();
    const [row] = await trx<ImportRow>('qbo_imports')
      .insert({
        realm_id: input.realmId,
        generation: input.generation,
        customers: input.customers,
        documents_since: input.documentsSince,
        phase: input.phase,
        position: 1,
        status: 'running',
        started_by_user_id: input.userId,
        created_at: at,
        updated_at: at,
      } as never)
      .returning('*');
    return toImport(row as ImportRow);
  }

  async find(id: number, trx: Knex = this.db): Promise<QboImport | undefined> {
    const row = await trx<ImportRow>('qbo_imports').where({ id }).first();
    return row ? toImport(row) : undefined;
  }

  /** The company's running import, if any (at most one runs per company). */
  async running(realmId: string, trx: Knex = this.db): Promise<QboImport | undefined> {
    const row = await trx<ImportRow>('qbo_imports')
      .where({ realm_id: realmId, status: 'running' })
      .orderBy('id', 'desc')
      .first();
    return row ? toImport(row) : undefined;
  }

  /** The company's latest import, whatever its status (the card shows its progress or summary). */
  async latest(realmId: string): Promise<QboImport | undefined> {
    const row = await this.db<ImportRow>('qbo_imports')
      .where({ realm_id: realmId })
      .orderBy('id', 'desc')
      .first();
    return row ? toImport(row) : undefined;
  }

  async setRun(id: number, runId: number): Promise<void> {
    await this.db('qbo_imports').where({ id }).update({ run_id: runId, updated_at: nowIso() });
  }

  async setTotal(id: number, phase: Exclude<ImportPhase, 'done'>, total: number): Promise<void> {
    const current = await this.find(id);
    if (!current) return;
    const totals = { ...current.totals, [phase]: total };
    await this.db('qbo_imports')
      .where({ id })
      .update({ totals_json: JSON.stringify(totals), updated_at: nowIso() });
  }

  /**
   * A page was applied: its counts added and the position moved from `from` to `to`, in the page's
   * transaction. Only while the import still runs and still stands at `from`: a disconnect that stopped it
   * meanwhile, or another process that applied the same page first (its lease ran out while this one was
   * slow), wins, and this page is rolled back (false).
   */
  async advance(
    id: number,
    from: { phase: ImportPhase; position: number },
    to: { phase: ImportPhase; position: number },
    page: ImportCounts,
    trx: Knex,
  ): Promise<boolean> {
    const current = await this.find(id, trx);
    if (current?.status !== 'running') return false;
    const reasons = { ...current.skipReasons };
    for (const [reason, n] of Object.entries(page.skipReasons)) reasons[reason] = (reasons[reason] ?? 0) + n;
    const moved = await trx('qbo_imports')
      .where({ id, status: 'running', phase: from.phase, position: from.position })
      .update({
        phase: to.phase,
        position: to.position,
        imported: current.imported + page.imported,
        linked: current.linked + page.linked,
        skipped: current.skipped + page.skipped,
        skip_reasons_json: JSON.stringify(reasons),
        updated_at: nowIso(),
      });
    return Number(moved) === 1;
  }

  async finish(id: number, status: Exclude<ImportStatus, 'running'>, error?: string): Promise<void> {
    const at = nowIso();
    await this.db('qbo_imports')
      .where({ id, status: 'running' })
      .update({ status, error: error ? error.slice(0, 500) : null, finished_at: at, updated_at: at });
  }

  /** A disconnect (or a reconnect: a new generation) ends the company's running imports. */
  async stopOlderThan(realmId: string, generation: number | null): Promise<number> {
    const q = this.db('qbo_imports').where({ realm_id: realmId, status: 'running' });
    if (generation !== null) q.where('generation', '<', generation);
    const at = nowIso();
    return q.update({
      status: 'stopped',
      error: 'QuickBooks was disconnected.',
      finished_at: at,
      updated_at: at,
    });
  }
}
