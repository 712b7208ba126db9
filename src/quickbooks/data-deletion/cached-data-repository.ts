/**
 * The QuickBooks data Heavy AV keeps as a cache of its connection (capability 12): what it counts and what
 * a purge deletes. Customers, estimates, invoices, users and the audit log are not QuickBooks data and are
 * never touched here.
 */
import type { Knex } from 'knex';
import { dialectOf } from '../../db/index.js';
import { stagedEvents } from '../pull/inbox-repository.js';

/** Counts per kind. Sync tokens and payload hashes live on the links, so they go with them. */
export interface CachedDataCounts {
  /** qbo_links of the current or last company (QuickBooks ids). */
  links: number;
  /** qbo_links of earlier companies, kept read-only after a company switch. */
  archivedLinks: number;
  syncTokens: number;
  payloadHashes: number;
  syncEvents: number;
  syncRuns: number;
  webhookInboxEvents: number;
  webhookStats: number;
  /** Every outbox row (pending, done, failed, cancelled, archived). */
  outboxItems: number;
  cdcWatermarks: number;
  oauthStates: number;
  /** qbo_conflicts: QuickBooks ids and QuickBooks' values shown side by side (decision 009). */
  conflicts: number;
  /** qbo_connections rows that hold no credentials: realm id, company name, dates. */
  connectionRemnants: number;
  /** Per company: its items, tax codes and the line defaults chosen on the card (qbo_line_settings). */
  lineSettings: number;
  /** qbo_imports: each import's company, choice, position and counts (skip reasons name no record). */
  imports: number;
  /** Estimate and invoice lines that name a QuickBooks item, tax code or line id (the ids are cleared). */
  lineReferences: number;
}

export interface CachedDataSummary extends CachedDataCounts {
  /** Outbox items still waiting to be pushed (shown; deleted with the rest). */
  pendingOutboxItems: number;
}

export const CACHED_KINDS: { key: keyof CachedDataCounts; label: string }[] = [
  { key: 'links', label: 'QuickBooks ids of records (links)' },
  { key: 'archivedLinks', label: 'QuickBooks ids of earlier companies (archived links)' },
  { key: 'syncTokens', label: 'SyncTokens held' },
  { key: 'payloadHashes', label: 'Payload hashes' },
  { key: 'syncEvents', label: 'Sync events (history)' },
  { key: 'syncRuns', label: 'Sync runs' },
  { key: 'webhookInboxEvents', label: 'Webhook events received (inbox)' },
  { key: 'webhookStats', label: 'Webhook counters' },
  { key: 'outboxItems', label: 'Outbox items (changes queued for QuickBooks)' },
  { key: 'cdcWatermarks', label: 'Change-data-capture watermarks' },
  { key: 'oauthStates', label: 'Sign-in-with-Intuit states' },
  { key: 'conflicts', label: 'Conflicts (QuickBooks ids and values, open and resolved)' },
  { key: 'connectionRemnants', label: 'Disconnected company records (no credentials)' },
  { key: 'lineSettings', label: 'Items, tax codes and line defaults of companies' },
  { key: 'imports', label: 'Imports from QuickBooks (company, position, counts)' },
  { key: 'lineReferences', label: 'QuickBooks items, tax codes and line ids on lines (cleared)' },
];

const LINE_TABLES = ['estimate_lines', 'invoice_lines'];
const LINE_REFERENCES = ['item_id', 'item_name', 'tax_code_id', 'qbo_line_id'];

/** Lines naming anything of QuickBooks'. */
function withReferences(db: Knex, table: string) {
  return db(table).where((w) => {
    for (const column of LINE_REFERENCES) w.orWhereNotNull(column);
  });
}

/** A connection that still holds credentials, or is live: while one exists nothing may be purged. */
const LIVE_STATUSES = ['connected', 'pending_switch'];

async function count(q: Knex.QueryBuilder): Promise<number> {
  const row = await q.count<{ n: string | number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

function remnants(db: Knex) {
  return db('qbo_connections')
    .whereNotIn('status', LIVE_STATUSES)
    .whereNull('access_token_enc')
    .whereNull('refresh_token_enc');
}

export class CachedDataRepository {
  constructor(private readonly db: Knex) {}

  async summary(db: Knex = this.db): Promise<CachedDataSummary> {
    const [links, archivedLinks, syncTokens, payloadHashes] = [
      await count(db('qbo_links').where('state', 'linked')),
      await count(db('qbo_links').whereNot('state', 'linked')),
      await count(db('qbo_links').whereNotNull('sync_token')),
      await count(db('qbo_links').whereNotNull('payload_hash')),
    ];
    return {
      links,
      archivedLinks,
      syncTokens,
      payloadHashes,
      syncEvents: await count(db('sync_events')),
      syncRuns: await count(db('sync_runs')),
      webhookInboxEvents: (await count(db('webhook_inbox'))) + (await stagedEvents(db)).events,
      webhookStats: await count(db('webhook_stats')),
      outboxItems: await count(db('qbo_outbox')),
      pendingOutboxItems: await count(db('qbo_outbox').where('status', 'pending')),
      cdcWatermarks: await count(db('qbo_cdc_watermarks')),
      oauthStates: await count(db('qbo_oauth_states')),
      conflicts: await count(db('qbo_conflicts')),
      connectionRemnants: await count(remnants(db)),
      lineSettings: await count(db('qbo_line_settings')),
      imports: await count(db('qbo_imports')),
      lineReferences:
        (await count(withReferences(db, LINE_TABLES[0]))) + (await count(withReferences(db, LINE_TABLES[1]))),
    };
  }

  /** The company that is connected (or waiting for a switch confirmation), or holds credentials. */
  async liveConnection(
    db: Knex = this.db,
  ): Promise<{ realmId: string; companyName: string | null } | undefined> {
    const row = await db('qbo_connections')
      .whereIn('status', LIVE_STATUSES)
      .orWhereNotNull('refresh_token_enc')
      .orWhereNotNull('access_token_enc')
      .first('realm_id', 'company_name');
    return row ? { realmId: row.realm_id, companyName: row.company_name } : undefined;
  }

  /**
   * Keeps any connect from committing until the purge has (PostgreSQL; SQLite has one writer anyway), so
   * "no company is connected" stays true for the whole transaction. SHARE ROW EXCLUSIVE conflicts with
   * inserts/updates and with itself, so two purges queue instead of deadlocking.
   */
  async lockConnections(trx: Knex.Transaction): Promise<void> {
    if (dialectOf(trx) === 'postgres')
      await trx.raw('LOCK TABLE qbo_connections IN SHARE ROW EXCLUSIVE MODE');
  }

  /** Realms whose data is about to go: for the receipt. */
  async realmIds(trx: Knex): Promise<string[]> {
    const rows = await trx('qbo_connections').select('realm_id').orderBy('id');
    return rows.map((r: { realm_id: string }) => r.realm_id);
  }

  /** Deletes every kind of cached QuickBooks data; returns how much of each went. Call inside a transaction. */
  async purge(trx: Knex.Transaction): Promise<CachedDataCounts> {
    // Read before deleting: SyncTokens and hashes are columns of the links rows.
    const before = await this.summary(trx);
    await trx('webhook_deliveries').del();
    await trx('webhook_inbox').del();
    const deleted = {
      links: Number(await trx('qbo_links').where('state', 'linked').del()),
      archivedLinks: Number(await trx('qbo_links').del()),
      syncTokens: before.syncTokens,
      payloadHashes: before.payloadHashes,
      syncEvents: Number(await trx('sync_events').del()),
      syncRuns: Number(await trx('sync_runs').del()),
      // Webhook events: those in the inbox, and those of deliveries not yet unpacked (decision 016).
      webhookInboxEvents: before.webhookInboxEvents,
      webhookStats: Number(await trx('webhook_stats').del()),
      outboxItems: Number(await trx('qbo_outbox').del()),
      cdcWatermarks: Number(await trx('qbo_cdc_watermarks').del()),
      oauthStates: Number(await trx('qbo_oauth_states').del()),
      conflicts: Number(await trx('qbo_conflicts').del()),
      connectionRemnants: Number(await remnants(trx).del()),
      lineSettings: Number(await trx('qbo_line_settings').del()),
      imports: Number(await trx('qbo_imports').del()),
      // The lines stay (they are the documents'); only what names QuickBooks' items and lines goes.
      lineReferences: await this.clearLineReferences(trx),
    };
    return deleted;
  }

  private async clearLineReferences(trx: Knex.Transaction): Promise<number> {
    let n = 0;
    const cleared = Object.fromEntries(LINE_REFERENCES.map((c) => [c, null]));
    for (const table of LINE_TABLES) n += Number(await withReferences(trx, table).update(cleared));
    return n;
  }
}
