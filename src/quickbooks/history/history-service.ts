/** The history page (sync events and the audit log beside them) and the CSV export of a filter. */

import type { AuditEntry, AuditRepository } from '../../audit/audit-repository.js';
import { csvRow } from './csv.js';
import type { HistoryFilter, ParsedHistoryQuery } from './filter.js';
import type { HistoryRepository, SyncEvent } from './history-repository.js';
import { whatHappened } from './plain-words.js';

export const HISTORY_PAGE_SIZE = 50;
export const AUDIT_PAGE_SIZE = 50;

const RECORD_PAGES: Record<string, string> = {
  customer: '/admin/customers',
  estimate: '/admin/estimates',
  invoice: '/admin/invoices',
};

/** The record page of an event's local record, when it is one of ours. */
export function recordHref(event: Pick<SyncEvent, 'entity' | 'localId'>): string | undefined {
  const base = RECORD_PAGES[event.entity.toLowerCase()];
  return base && event.localId !== null ? `${base}/${event.localId}` : undefined;
}

export interface AuditRow extends AuditEntry {
  companyName: string | null;
  /** For a deletion receipt: the page of its request. */
  receiptHref?: string;
}

export interface HistoryPage {
  events: (SyncEvent & { href?: string })[];
  /** Cursor for the next (older) page of events, if there is one. */
  nextBefore?: number;
  /** True when the page is not the newest one (a cursor was given). */
  paged: boolean;
  audit: AuditRow[];
  nextAuditBefore?: number;
  auditPaged: boolean;
}

export const CSV_COLUMNS = [
  'id',
  'time',
  'direction',
  'entity',
  'local_id',
  'quickbooks_id',
  'operation',
  'result',
  'error_code',
  'message',
  'intuit_tid',
  'realm_id',
  'run_id',
] as const;

export class HistoryService {
  constructor(private readonly deps: { history: HistoryRepository; audit: AuditRepository }) {}

  async page(query: ParsedHistoryQuery): Promise<HistoryPage> {
    const after = query.before ? await this.deps.history.cursorAt(query.before) : undefined;
    const rows = await this.deps.history.events(query.filter, { after, limit: HISTORY_PAGE_SIZE + 1 });
    const events = rows
      .slice(0, HISTORY_PAGE_SIZE)
      .map((e) => ({ ...e, href: recordHref(e), summary: whatHappened(e) }));
    const [audit, nextAuditBefore] = await this.auditPage(query.auditBefore);
    return {
      events,
      nextBefore: rows.length > HISTORY_PAGE_SIZE ? events[events.length - 1].id : undefined,
      paged: Boolean(after),
      audit,
      nextAuditBefore,
      auditPaged: Boolean(query.auditBefore),
    };
  }

  private async auditPage(beforeId?: number): Promise<[AuditRow[], number | undefined]> {
    const entries = await this.deps.audit.list({ beforeId, limit: AUDIT_PAGE_SIZE + 1 });
    const names = await this.deps.history.companyNames();
    const rows = entries.slice(0, AUDIT_PAGE_SIZE).map((entry) => {
      const requestId = entry.action === 'quickbooks.data_deleted' ? entry.details?.requestId : undefined;
      return {
        ...entry,
        companyName: entry.realmId ? (names.get(entry.realmId) ?? null) : null,
        receiptHref:
          typeof requestId === 'number'
            ? `/admin/settings/quickbooks/data/deletion-requests/${requestId}`
            : undefined,
      };
    });
    return [rows, entries.length > AUDIT_PAGE_SIZE ? rows[rows.length - 1].id : undefined];
  }

  /** The CSV of a filter, as chunks of text: a header, then one chunk per keyset batch. */
  async *csv(filter: HistoryFilter): AsyncGenerator<string> {
    yield csvRow(CSV_COLUMNS);
    for await (const batch of this.deps.history.batches(filter)) {
      yield batch
        .map((e) =>
          csvRow([
            e.id,
            e.at,
            e.direction,
            e.entity,
            e.localId,
            e.qboId,
            e.operation,
            e.result,
            e.errorCode,
            e.errorMessage,
            e.intuitTid,
            e.realmId,
            e.runId,
          ]),
        )
        .join('');
    }
  }
}
