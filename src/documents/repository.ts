/**
 * The storage estimates and invoices share: a document table joined to its customer, and a lines
 * table. Each kind supplies its table names and its own toEstimate/toInvoice; this class does the rest.
 */
import type { Knex } from 'knex';
import { containsPattern } from '../customers/repository.js';
import { dialectOf, nowIso } from '../db/index.js';
import type { DocumentBase, DocumentStatus, Line } from './types.js';

export interface DocumentTables {
  table: string;
  linesTable: string;
  /** The lines table's column pointing at the document. */
  foreignKey: string;
  /** 'expiration_date' or 'due_date' */
  closingColumn: string;
}

/** A document row joined with its customer's display name. */
export interface DocumentRow {
  id: number;
  customer_id: number;
  customer_name: string;
  doc_number: string;
  txn_date: string;
  memo: string;
  total_cents: number | string;
  status: DocumentStatus;
  created_at: string;
  updated_at: string;
  [column: string]: unknown;
}

interface LineRow {
  position: number;
  description: string;
  quantity_thousandths: number | string;
  unit_price_cents: number | string;
  amount_cents: number | string;
}

/** The columns every document has; toEstimate/toInvoice add their own. (PostgreSQL returns bigint as text.) */
export function toDocumentBase(row: DocumentRow): DocumentBase {
  return {
    id: Number(row.id),
    customerId: Number(row.customer_id),
    customerName: row.customer_name,
    docNumber: row.doc_number,
    txnDate: row.txn_date,
    memo: row.memo,
    totalCents: Number(row.total_cents),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toLine(row: LineRow): Line {
  return {
    position: Number(row.position),
    description: row.description,
    quantityThousandths: Number(row.quantity_thousandths),
    unitPriceCents: Number(row.unit_price_cents),
    amountCents: Number(row.amount_cents),
  };
}

/** What is written: lines with their computed amounts, the total, and the kind's extra columns. */
export interface StoredDocument {
  customerId: number;
  docNumber: string;
  txnDate: string;
  closingDate: string | null;
  memo: string;
  totalCents: number;
  lines: Line[];
  /** Invoices made from an estimate. */
  estimateId?: number;
}

export class DocumentsRepository<T extends DocumentBase> {
  constructor(
    protected readonly db: Knex,
    protected readonly tables: DocumentTables,
    private readonly toDocument: (row: DocumentRow) => T,
  ) {}

  protected query(trx: Knex = this.db): Knex.QueryBuilder {
    return trx(`${this.tables.table} as d`).join('customers as c', 'c.id', 'd.customer_id');
  }

  protected async one(where: Record<string, unknown>, trx: Knex = this.db): Promise<T | undefined> {
    const row = await this.query(trx).select('d.*', 'c.display_name as customer_name').where(where).first();
    return row ? this.toDocument(row as DocumentRow) : undefined;
  }

  findById(id: number, trx: Knex = this.db): Promise<T | undefined> {
    return this.one({ 'd.id': id }, trx);
  }

  findByDocNumber(docNumber: string, trx: Knex = this.db): Promise<T | undefined> {
    return this.one({ 'd.doc_number': docNumber.trim() }, trx);
  }

  async linesOf(id: number, trx: Knex = this.db): Promise<Line[]> {
    const rows = await trx(this.tables.linesTable)
      .where({ [this.tables.foreignKey]: id })
      .orderBy('position', 'asc');
    return (rows as LineRow[]).map(toLine);
  }

  async count(trx: Knex = this.db): Promise<number> {
    const row = await trx(this.tables.table).count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** Newest first; `q` matches the number, the memo or the customer's name, case-insensitively. */
  async list(options: { q: string; offset: number; limit: number }): Promise<{ items: T[]; total: number }> {
    const base = this.query();
    if (options.q) {
      const pattern = containsPattern(options.q);
      base.where((w) => {
        for (const column of ['d.doc_number', 'd.memo', 'c.display_name']) {
          w.orWhereRaw(`lower(${column}) like ? escape '\\'`, [pattern]);
        }
      });
    }
    const [{ n }] = await base.clone().count<{ n: number | string }[]>({ n: '*' });
    const rows = await base
      .select('d.*', 'c.display_name as customer_name')
      .orderBy('d.id', 'desc')
      .offset(options.offset)
      .limit(options.limit);
    return { items: (rows as DocumentRow[]).map(this.toDocument), total: Number(n) };
  }

  /**
   * Serialises numbering until the caller's transaction ends. PostgreSQL runs transactions side by side:
   * without this, parallel creates with a blank number all read the same count, pick the same number and
   * all but one hit the unique index. A transaction-scoped advisory lock (per table) makes the next
   * creator wait for the commit and then see the number taken. SQLite already runs one writer at a time.
   */
  async lockNumbering(trx: Knex = this.db): Promise<void> {
    if (dialectOf(trx) !== 'postgres') return;
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`doc_number:${this.tables.table}`]);
  }

  /**
   * The first free number of the form prefix + N, counting up from first + the number of documents:
   * usually one look-up. (A unique index guards the rare race.)
   */
  async nextDocNumber(prefix: string, first: number, trx: Knex = this.db): Promise<string> {
    let n = first + (await this.count(trx));
    while (
      await trx(this.tables.table)
        .where({ doc_number: `${prefix}${n}` })
        .first('id')
    )
      n++;
    return `${prefix}${n}`;
  }

  private columns(doc: StoredDocument): Record<string, unknown> {
    const row: Record<string, unknown> = {
      customer_id: doc.customerId,
      doc_number: doc.docNumber,
      txn_date: doc.txnDate,
      [this.tables.closingColumn]: doc.closingDate,
      memo: doc.memo,
      total_cents: doc.totalCents,
    };
    if (doc.estimateId !== undefined) row.estimate_id = doc.estimateId;
    return row;
  }

  private async writeLines(id: number, lines: Line[], trx: Knex): Promise<void> {
    await trx(this.tables.linesTable)
      .where({ [this.tables.foreignKey]: id })
      .delete();
    if (!lines.length) return;
    await trx(this.tables.linesTable).insert(
      lines.map((line) => ({
        [this.tables.foreignKey]: id,
        position: line.position,
        description: line.description,
        quantity_thousandths: line.quantityThousandths,
        unit_price_cents: line.unitPriceCents,
        amount_cents: line.amountCents,
      })),
    );
  }

  /** Inserts the document and its lines; call it inside a transaction. */
  async insert(doc: StoredDocument, trx: Knex = this.db): Promise<number> {
    const now = nowIso();
    const [row] = await trx(this.tables.table)
      .insert({ ...this.columns(doc), status: 'open', created_at: now, updated_at: now })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    await this.writeLines(id, doc.lines, trx);
    return id;
  }

  /** Replaces the document's fields and lines; call it inside a transaction. */
  async update(id: number, doc: StoredDocument, trx: Knex = this.db): Promise<void> {
    await trx(this.tables.table)
      .where({ id })
      .update({ ...this.columns(doc), updated_at: nowIso() });
    await this.writeLines(id, doc.lines, trx);
  }

  async setStatus(id: number, status: DocumentStatus, trx: Knex = this.db): Promise<void> {
    await trx(this.tables.table).where({ id }).update({ status, updated_at: nowIso() });
  }
}
