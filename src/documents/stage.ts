/**
 * Where a document stands, derived when it is read (never stored, so it cannot go stale as days pass):
 *
 * - estimates: draft (not in QuickBooks yet), sent (in QuickBooks, where it is emailed from), accepted
 *   (turned into an invoice), expired (past its expiration date and not invoiced);
 * - invoices: open, partly paid (QuickBooks' Balance below the total), paid (Balance 0), overdue (past the
 *   due date with something still owed). An invoice whose balance Heavy AV has not been told counts as
 *   unpaid;
 * - either: voided or deleted in QuickBooks (documents.status), which wins over everything else.
 *
 * It is computed in SQL (one CASE expression per kind) so lists can sort by it across pages.
 */
import type { Knex } from 'knex';

export type DocumentStage =
  | 'draft'
  | 'sent'
  | 'accepted'
  | 'expired'
  | 'open'
  | 'partly_paid'
  | 'paid'
  | 'overdue'
  | 'voided'
  | 'deleted_in_quickbooks';

/** Pill text and colour class. */
export const STAGE_LABELS: Record<
  DocumentStage,
  { text: string; tone: 'neutral' | 'info' | 'good' | 'warn' | 'bad' }
> = {
  draft: { text: 'Draft', tone: 'neutral' },
  sent: { text: 'Sent', tone: 'info' },
  accepted: { text: 'Accepted', tone: 'good' },
  expired: { text: 'Expired', tone: 'warn' },
  open: { text: 'Open', tone: 'info' },
  partly_paid: { text: 'Partly paid', tone: 'warn' },
  paid: { text: 'Paid', tone: 'good' },
  overdue: { text: 'Overdue', tone: 'bad' },
  voided: { text: 'Voided', tone: 'bad' },
  deleted_in_quickbooks: { text: 'Deleted in QuickBooks', tone: 'bad' },
};

/** Sort order by status: what needs attention first. */
const STAGE_ORDER: DocumentStage[] = [
  'overdue',
  'partly_paid',
  'open',
  'draft',
  'sent',
  'expired',
  'accepted',
  'paid',
  'voided',
  'deleted_in_quickbooks',
];

export interface StageSql {
  sql: string;
  bindings: string[];
}

/** The CASE expression for a document row aliased `d`, given today's date (YYYY-MM-DD) in the company. */
export function stageSql(kind: 'estimate' | 'invoice', today: string): StageSql {
  if (kind === 'invoice') {
    return {
      sql: `(case when d.status <> 'open' then d.status
        when d.balance_cents is not null and d.balance_cents <= 0 then 'paid'
        when d.due_date is not null and d.due_date < ? then 'overdue'
        when d.balance_cents is not null and d.balance_cents < d.total_cents then 'partly_paid'
        else 'open' end)`,
      bindings: [today],
    };
  }
  return {
    sql: `(case when d.status <> 'open' then d.status
      when exists (select 1 from invoices i where i.estimate_id = d.id) then 'accepted'
      when d.expiration_date is not null and d.expiration_date < ? then 'expired'
      when exists (select 1 from qbo_links l where l.record_type = 'estimate' and l.record_id = d.id and l.state = 'linked') then 'sent'
      else 'draft' end)`,
    bindings: [today],
  };
}

/** `stage` as a select column. */
export function stageColumn(db: Knex, kind: 'estimate' | 'invoice', today: string): Knex.Raw {
  const { sql, bindings } = stageSql(kind, today);
  return db.raw(`${sql} as stage`, bindings);
}

/** An ORDER BY expression that sorts by STAGE_ORDER (for orderByRaw). */
export function stageRank(kind: 'estimate' | 'invoice', today: string): StageSql {
  const { sql, bindings } = stageSql(kind, today);
  const whens = STAGE_ORDER.map((stage, i) => `when '${stage}' then ${i}`).join(' ');
  return { sql: `(case ${sql} ${whens} else ${STAGE_ORDER.length} end)`, bindings };
}
