import type { Knex } from 'knex';
import type { DocumentStatus } from '../documents/types.js';

/** One of a customer's estimates or invoices, as their page lists it. */
export interface CustomerDocument {
  kind: 'estimate' | 'invoice';
  id: number;
  docNumber: string;
  txnDate: string;
  totalCents: number;
  status: DocumentStatus;
}

interface Row {
  id: number;
  doc_number: string;
  txn_date: string;
  total_cents: number | string;
  status: DocumentStatus;
}

/**
 * A customer's documents for their page, newest first, at most `limit` of each kind (the lists pages
 * have the rest). Reads the two tables directly on their customer_id index.
 */
export class CustomerDocumentsRepository {
  constructor(private readonly db: Knex) {}

  async forCustomer(
    customerId: number,
    limit = 50,
  ): Promise<{ estimates: CustomerDocument[]; invoices: CustomerDocument[] }> {
    const read = async (table: string, kind: CustomerDocument['kind']) => {
      const rows: Row[] = await this.db(table)
        .where('customer_id', customerId)
        .select('id', 'doc_number', 'txn_date', 'total_cents', 'status')
        .orderBy([
          { column: 'txn_date', order: 'desc' },
          { column: 'id', order: 'desc' },
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
