import type { Knex } from 'knex';
import { type DocumentRow, DocumentsRepository, toDocumentBase } from '../documents/repository.js';
import type { Invoice } from './types.js';

function toInvoice(row: DocumentRow): Invoice {
  return {
    ...toDocumentBase(row),
    dueDate: (row.due_date as string | null) ?? null,
    estimateId: row.estimate_id == null ? null : Number(row.estimate_id),
    balanceCents: row.balance_cents == null ? null : Number(row.balance_cents),
  };
}

export class InvoicesRepository extends DocumentsRepository<Invoice> {
  constructor(db: Knex, today?: () => string) {
    super(
      db,
      {
        kind: 'invoice',
        table: 'invoices',
        linesTable: 'invoice_lines',
        foreignKey: 'invoice_id',
        closingColumn: 'due_date',
      },
      toInvoice,
      today,
    );
  }

  findByEstimateId(estimateId: number, trx: Knex = this.db): Promise<Invoice | undefined> {
    return this.one({ 'd.estimate_id': estimateId }, trx);
  }
}
