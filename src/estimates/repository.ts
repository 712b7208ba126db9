import type { Knex } from 'knex';
import { type DocumentRow, DocumentsRepository, toDocumentBase } from '../documents/repository.js';
import type { Estimate } from './types.js';

function toEstimate(row: DocumentRow): Estimate {
  return { ...toDocumentBase(row), expirationDate: (row.expiration_date as string | null) ?? null };
}

export class EstimatesRepository extends DocumentsRepository<Estimate> {
  constructor(db: Knex, today?: () => string) {
    super(
      db,
      {
        kind: 'estimate',
        table: 'estimates',
        linesTable: 'estimate_lines',
        foreignKey: 'estimate_id',
        closingColumn: 'expiration_date',
      },
      toEstimate,
      today,
    );
  }
}
