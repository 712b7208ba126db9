import type { Knex } from 'knex';
import { type DocumentStage, stageColumn } from '../documents/stage.js';
import type { DocumentStatus } from '../documents/types.js';

/** One of a customer's estimates or invoices, as their page lists it. */
export interface CustomerDocument {
  kind: 'estimate' | 'invoice';
  id: number;
  docNumber: string;
  txnDate: string;
  totalCents: number;
  status: DocumentStatus;
  /** draft, sent, paid, overdue…: what the lists show as a pill (documents/stage.ts). */
  stage: DocumentStage;
}

interface Row {
  id: number;
  doc_number: string;
  txn_date: string;
  total_cents: number | string;
  status: DocumentStatus;
  stage: DocumentStage;
}

/**
 * A customer's documents for their page, newest first, at most `limit` of each kind (the lists pages
 * have the rest). Reads the two tables directly on their customer_id index.
 */
export class CustomerDocumentsRepository {
  /** `today`: the company's date (YYYY-MM-DD), which decides overdue and expired. */
  constructor(
    private readonly db: Knex,
    private readonly today: () => string,
  ) {}

  async forCustomer(
    customerId: number,
    limit = 50,
  ): Promise<{ estimates: CustomerDocument[]; invoices: CustomerDocument[] }> {
    const read = async (table: string, kind: CustomerDocument['kind']) => {
      // Aliased `d`: the stage's CASE expression reads the row as d.
      const rows: Row[] = await this.db(`${table} as d`)
        .where('d.customer_id', customerId)
        .select(
          'd.id',
          'd.doc_number',
          'd.txn_date',
          'd.total_cents',
          'd.status',
          stageColumn(this.db, kind, this.today()),
        )
        .orderBy([
          { column: 'd.txn_date', order: 'desc' },
          { column: 'd.id', order: 'desc' },
        ])
        .limit(limit);
      return rows.map(
        (r): CustomerDocument => ({
          kind,
          id: Number(r.id),
          docNumber: r.doc_number,
          txnDate: r.txn_date,
          totalCents: Number(r.total_cents),
          status: r.status,
          stage: r.stage,
        }),
      );
    };
    const [estimates, invoices] = await Promise.all([
      read('estimates', 'estimate'),
      read('invoices', 'invoice'),
    ]);
    return { estimates, invoices };
  }
}
