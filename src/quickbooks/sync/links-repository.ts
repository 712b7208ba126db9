/**
 * Links between Heavy AV records and QuickBooks entities, one per record and company. A link is only ever
 * used with its own realm: every lookup takes the realm id.
 */
import type { Knex } from 'knex';
import { nowIso } from '../../db/index.js';
import type { RecordType } from '../../records/hooks.js';

export interface Link {
  id: number;
  recordType: RecordType;
  recordId: number;
  realmId: string;
  qboId: string;
  syncToken: string | null;
  payloadHash: string | null;
  state: 'linked' | 'archived';
  qboUpdatedAt: string | null;
  lastSyncedAt: string | null;
  /** What QuickBooks holds, in Heavy AV's terms (canonical JSON of the mapped payload); null: not known. */
  snapshot: string | null;
  /** QuickBooks' own TotalAmt and tax of a document, in cents, as last seen. */
  qboTotalCents: number | null;
  qboTaxCents: number | null;
}

interface LinkRow {
  id: number;
  record_type: RecordType;
  record_id: number;
  realm_id: string;
  qbo_id: string;
  sync_token: string | null;
  payload_hash: string | null;
  state: 'linked' | 'archived';
  qbo_updated_at: string | null;
  last_synced_at: string | null;
  snapshot_json?: string | null;
  qbo_total_cents?: number | string | null;
  qbo_tax_cents?: number | string | null;
}

const centsOrNull = (v: number | string | null | undefined) =>
  v === null || v === undefined ? null : Number(v);

function toLink(row: LinkRow): Link {
  return {
    id: Number(row.id),
    recordType: row.record_type,
    recordId: Number(row.record_id),
    realmId: row.realm_id,
    qboId: row.qbo_id,
    syncToken: row.sync_token,
    payloadHash: row.payload_hash,
    state: row.state,
    qboUpdatedAt: row.qbo_updated_at,
    lastSyncedAt: row.last_synced_at,
    snapshot: row.snapshot_json ?? null,
    qboTotalCents: centsOrNull(row.qbo_total_cents),
    qboTaxCents: centsOrNull(row.qbo_tax_cents),
  };
}

export interface LinkWrite {
  recordType: RecordType;
  recordId: number;
  realmId: string;
  qboId: string;
  syncToken: string | null;
  payloadHash?: string | null;
  qboUpdatedAt?: string | null;
  /** Undefined: left as it is (a merge re-points a link without knowing what QuickBooks holds). */
  snapshot?: string | null;
  qboTotalCents?: number | null;
  qboTaxCents?: number | null;
}

/** The optional columns of a link write, only those given. */
function optional(link: LinkWrite): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (link.payloadHash !== undefined) out.payload_hash = link.payloadHash;
  if (link.qboUpdatedAt !== undefined) out.qbo_updated_at = link.qboUpdatedAt;
  if (link.snapshot !== undefined) out.snapshot_json = link.snapshot;
  if (link.qboTotalCents !== undefined) out.qbo_total_cents = link.qboTotalCents;
  if (link.qboTaxCents !== undefined) out.qbo_tax_cents = link.qboTaxCents;
  return out;
}

export class LinksRepository {
  constructor(private readonly db: Knex) {}

  /** The record's live link to the company, if it has one. */
  find(
    recordType: RecordType,
    recordId: number,
    realmId: string,
    trx: Knex = this.db,
  ): Promise<Link | undefined> {
    return this.linked({ record_type: recordType, record_id: recordId, realm_id: realmId }, trx);
  }

  async findMany(recordType: RecordType, recordIds: number[], realmId: string): Promise<Map<number, Link>> {
    const map = new Map<number, Link>();
    for (let i = 0; i < recordIds.length; i += 500) {
      const rows = await this.db<LinkRow>('qbo_links')
        .where({ record_type: recordType, realm_id: realmId, state: 'linked' })
        .whereIn('record_id', recordIds.slice(i, i + 500));
      for (const row of rows) map.set(Number(row.record_id), toLink(row));
    }
    return map;
  }

  /** The live link to this QuickBooks object of the company, if one of our records has it. */
  findByQboId(
    recordType: RecordType,
    qboId: string,
    realmId: string,
    trx: Knex = this.db,
  ): Promise<Link | undefined> {
    return this.linked({ record_type: recordType, qbo_id: qboId, realm_id: realmId }, trx);
  }

  private async linked(where: Partial<LinkRow>, trx: Knex): Promise<Link | undefined> {
    const row = await trx<LinkRow>('qbo_links')
      .where({ ...where, state: 'linked' })
      .first();
    return row ? toLink(row) : undefined;
  }

  /** Every link of a record, for its page: the current company's and archived ones. */
  async forRecord(recordType: RecordType, recordId: number): Promise<Link[]> {
    const rows = await this.db<LinkRow>('qbo_links')
      .where({ record_type: recordType, record_id: recordId })
      .orderBy('id');
    return rows.map(toLink);
  }

  /** Creates or replaces the link of a record in a company. */
  async upsert(link: LinkWrite, trx: Knex = this.db): Promise<void> {
    const now = nowIso();
    const values = {
      qbo_id: link.qboId,
      sync_token: link.syncToken,
      ...optional(link),
      state: 'linked',
      last_synced_at: now,
      updated_at: now,
    };
    await trx('qbo_links')
      .insert({
        record_type: link.recordType,
        record_id: link.recordId,
        realm_id: link.realmId,
        payload_hash: null,
        qbo_updated_at: null,
        ...values,
        created_at: now,
      })
      .onConflict(['record_type', 'record_id', 'realm_id'])
      .merge(values);
  }

  /** Many links at once (one statement per 100): a batch of 30 answers should not cost 30 writes. */
  async upsertMany(links: LinkWrite[], trx: Knex = this.db): Promise<void> {
    const now = nowIso();
    for (let i = 0; i < links.length; i += 100) {
      const rows = links.slice(i, i + 100).map((l) => ({
        record_type: l.recordType,
        record_id: l.recordId,
        realm_id: l.realmId,
        qbo_id: l.qboId,
        sync_token: l.syncToken,
        payload_hash: l.payloadHash ?? null,
        qbo_updated_at: l.qboUpdatedAt ?? null,
        snapshot_json: l.snapshot ?? null,
        qbo_total_cents: l.qboTotalCents ?? null,
        qbo_tax_cents: l.qboTaxCents ?? null,
        state: 'linked',
        last_synced_at: now,
        created_at: now,
        updated_at: now,
      }));
      await trx('qbo_links')
        .insert(rows)
        .onConflict(['record_type', 'record_id', 'realm_id'])
        .merge([
          'qbo_id',
          'sync_token',
          'payload_hash',
          'qbo_updated_at',
          'snapshot_json',
          'qbo_total_cents',
          'qbo_tax_cents',
          'state',
          'last_synced_at',
          'updated_at',
        ]);
    }
  }

  async remove(
    recordType: RecordType,
    recordId: number,
    realmId: string,
    trx: Knex = this.db,
  ): Promise<void> {
    await trx('qbo_links').where({ record_type: recordType, record_id: recordId, realm_id: realmId }).del();
  }

  /** After a company switch: the earlier companies' links stay for audit but are never used again. */
  async archiveRealms(realmIds: string[], trx: Knex = this.db): Promise<number> {
    if (!realmIds.length) return 0;
    return Number(
      await trx('qbo_links')
        .whereIn('realm_id', realmIds)
        .update({ state: 'archived', updated_at: nowIso() }),
    );
  }

  async count(filter: { realmId?: string; state?: 'linked' | 'archived' } = {}): Promise<number> {
    const q = this.db('qbo_links');
    if (filter.realmId) q.where('realm_id', filter.realmId);
    if (filter.state) q.where('state', filter.state);
    const row = await q.count<{ n: string | number }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
