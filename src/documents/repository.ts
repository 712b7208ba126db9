/**
 * The storage estimates and invoices share: a document table joined to its customer, and a lines
 * table. Each kind supplies its table names and its own toEstimate/toInvoice; this class does the rest.
 */
import type { Knex } from 'knex';
import { containsPattern } from '../customers/repository.js';
import { dialectOf, nowIso } from '../db/index.js';
import type { SyncCondition } from '../records/hooks.js';
import type { Sort } from './sorting.js';
import { type DocumentStage, stageColumn, stageRank } from './stage.js';
import type { DocumentBase, DocumentStatus, StoredLine } from './types.js';

export interface DocumentTables {
  kind: 'estimate' | 'invoice';
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
  stage?: DocumentStage;
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
  item_id: string | null;
  item_name: string | null;
  tax_code_id: string | null;
  taxable: boolean | number | null;
  service_date: string | null;
  qbo_line_id: string | null;
}

/** The managed lines' JSON column: an array, or null (also for anything unreadable). */
function managedLinesOf(value: unknown): unknown[] | null {
  if (typeof value !== 'string' || !value) return null;
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
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
    stage: row.stage ?? (row.status === 'open' ? 'open' : row.status),
    managedLines: managedLinesOf(row.managed_lines_json),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toLine(row: LineRow): StoredLine {
  return {
    position: Number(row.position),
    description: row.description,
    quantityThousandths: Number(row.quantity_thousandths),
    unitPriceCents: Number(row.unit_price_cents),
    amountCents: Number(row.amount_cents),
    itemId: row.item_id ?? null,
    itemName: row.item_name ?? null,
    taxCodeId: row.tax_code_id ?? null,
    // SQLite stores booleans as 0/1.
    taxable: row.taxable === null || row.taxable === undefined ? null : Boolean(row.taxable),
    serviceDate: row.service_date ?? null,
    externalLineId: row.qbo_line_id ?? null,
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
  lines: StoredLine[];
  /** Lines managed in QuickBooks (DocumentFields.managedLines); null: Heavy AV's own. */
  managedLines?: unknown[] | null;
  /** Invoices made from an estimate. */
  estimateId?: number;
  /** Invoices: what QuickBooks says is still owed (undefined: leave as it is). */
  balanceCents?: number | null;
}

/** Today's date in UTC, for a repository built without the company's time zone. */
const utcToday = () => new Date().toISOString().slice(0, 10);

/** Count and sums of the documents at one stage (for the dashboard). */
export interface StageTotal {
  stage: DocumentStage;
  count: number;
  totalCents: number;
  /** Balance where known, else the total: what is still owed. */
  owedCents: number;
}

export class DocumentsRepository<T extends DocumentBase> {
  constructor(
    protected readonly db: Knex,
    protected readonly tables: DocumentTables,
    private readonly toDocument: (row: DocumentRow) => T,
    /** Today (YYYY-MM-DD) in the company's time zone: decides "overdue" and "expired". */
    private readonly today: () => string = utcToday,
  ) {}

  private columnsWithStage(trx: Knex = this.db): (string | Knex.Raw)[] {
    return ['d.*', 'c.display_name as customer_name', stageColumn(trx, this.tables.kind, this.today())];
  }

  protected query(trx: Knex = this.db): Knex.QueryBuilder {
    return trx(`${this.tables.table} as d`).join('customers as c', 'c.id', 'd.customer_id');
  }

  protected async one(where: Record<string, unknown>, trx: Knex = this.db): Promise<T | undefined> {
    const row = await this.query(trx)
      .select(...this.columnsWithStage(trx))
      .where(where)
      .first();
    return row ? this.toDocument(row as DocumentRow) : undefined;
  }

  findById(id: number, trx: Knex = this.db): Promise<T | undefined> {
    return this.one({ 'd.id': id }, trx);
  }

  findByDocNumber(docNumber: string, trx: Knex = this.db): Promise<T | undefined> {
    return this.one({ 'd.doc_number': docNumber.trim() }, trx);
  }

  async linesOf(id: number, trx: Knex = this.db): Promise<StoredLine[]> {
    const rows = await trx(this.tables.linesTable)
      .where({ [this.tables.foreignKey]: id })
      .orderBy('position', 'asc');
    return (rows as LineRow[]).map(toLine);
  }

  async count(trx: Knex = this.db): Promise<number> {
    const row = await trx(this.tables.table).count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /**
   * Newest first unless sorted; `q` matches the number, the memo or the customer's name,
   * case-insensitively. Ties (same date, same customer) fall back to newest first, so pages are stable.
   */
  async list(options: {
    q: string;
    offset: number;
    limit: number;
    sort?: Sort;
    /** The sync's condition on `d.id` (the list's QuickBooks filter). */
    where?: SyncCondition;
  }): Promise<{ items: T[]; total: number }> {
    const base = this.query();
    if (options.where) base.whereRaw(options.where.sql, options.where.bindings);
    if (options.q) {
      const pattern = containsPattern(options.q);
      base.where((w) => {
        for (const column of ['d.doc_number', 'd.memo', 'c.display_name']) {
          w.orWhereRaw(`lower(${column}) like ? escape '\\'`, [pattern]);
        }
      });
    }
    const [{ n }] = await base.clone().count<{ n: number | string }[]>({ n: '*' });
    const rows = base.select(...this.columnsWithStage());
    this.orderBy(rows, options.sort);
    const page = await rows.orderBy('d.id', 'desc').offset(options.offset).limit(options.limit);
    return { items: (page as DocumentRow[]).map(this.toDocument), total: Number(n) };
  }

  private orderBy(query: Knex.QueryBuilder, sort: Sort | undefined): void {
    if (!sort?.key) return;
    const dir = sort.dir;
    switch (sort.key) {
      case 'number':
        // "999" before "1001": by length, then text (numbers may carry a prefix such as E- or INV-).
        query.orderByRaw(`length(d.doc_number) ${dir}`).orderBy('d.doc_number', dir);
        break;
      case 'date':
        query.orderBy('d.txn_date', dir);
        break;
      case 'customer':
        query.orderByRaw(`lower(c.display_name) ${dir}`);
        break;
      case 'total':
        query.orderBy('d.total_cents', dir);
        break;
      case 'status': {
        const rank = stageRank(this.tables.kind, this.today());
        query.orderByRaw(`${rank.sql} ${dir}`, rank.bindings);
        break;
      }
    }
  }

  /** How many documents are at each stage, with their totals and what is still owed. */
  async stageTotals(): Promise<StageTotal[]> {
    const stage = stageColumn(this.db, this.tables.kind, this.today());
    const rows = await this.db
      .from(
        this.db(`${this.tables.table} as d`)
          .select(
            stage,
            'd.total_cents',
            this.tables.kind === 'invoice'
              ? this.db.raw('coalesce(d.balance_cents, d.total_cents) as owed_cents')
              : this.db.raw('d.total_cents as owed_cents'),
          )
          .as('s'),
      )
      .select('s.stage')
      .count({ n: '*' })
      .sum({ total: 's.total_cents' })
      .sum({ owed: 's.owed_cents' })
      .groupBy('s.stage');
    return (rows as Record<string, unknown>[]).map((r) => ({
      stage: r.stage as DocumentStage,
      count: Number(r.n),
      totalCents: Number(r.total ?? 0),
      owedCents: Number(r.owed ?? 0),
    }));
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
    if (doc.managedLines !== undefined)
      row.managed_lines_json = doc.managedLines ? JSON.stringify(doc.managedLines) : null;
    if (doc.balanceCents !== undefined && this.tables.kind === 'invoice')
      row.balance_cents = doc.balanceCents;
    return row;
  }

  private async writeLines(id: number, lines: StoredLine[], trx: Knex): Promise<void> {
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
        item_id: line.itemId,
        item_name: line.itemName,
        tax_code_id: line.taxCodeId,
        taxable: line.taxable,
        service_date: line.serviceDate,
        qbo_line_id: line.externalLineId,
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

  async setDocNumber(id: number, docNumber: string, trx: Knex = this.db): Promise<void> {
    await trx(this.tables.table).where({ id }).update({ doc_number: docNumber, updated_at: nowIso() });
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
