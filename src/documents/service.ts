/**
 * What the estimates and invoices services share: list, show, create and update with validation, and
 * the quiet writes for the inbound sync. Every create/update from a person calls hooks.recordChange
 * inside the transaction of the write; the *FromQuickBooks methods and markStatus do not, so a change
 * that came from QuickBooks is not pushed back to it.
 */
import type { CustomersRepository } from '../customers/repository.js';
import type { Transaction } from '../db/transaction.js';
import { ConflictError, type FieldErrors, NotFoundError, ValidationError } from '../http/errors.js';
import { type CompanySettings, DEFAULT_COMPANY, todayIn } from '../locale/settings.js';
import type { RecordServiceDeps } from '../records/deps.js';
import type { LineChoices, LinkSummary } from '../records/hooks.js';
import { PAGE_SIZE, type Page, type PageRequest, pageRequest, paginate } from '../records/paging.js';
import { listWithSyncStates, type SyncColumn } from '../records/sync-column.js';
import { isUniqueViolation } from '../records/unique-violation.js';
import { checkDocumentForm } from './form.js';
import { lineAmountCents } from './money.js';
import type { DocumentsRepository, StageTotal, StoredDocument } from './repository.js';
import { type Sort, sortRequest } from './sorting.js';
import {
  DOCUMENT_STATUSES,
  type DocumentBase,
  type DocumentFields,
  type DocumentFormValues,
  type DocumentStatus,
  type LineAccounting,
  type LineValues,
  type StoredLine,
} from './types.js';

export interface DocumentKind {
  type: 'estimate' | 'invoice';
  /** For messages: 'estimate' */
  noun: string;
  /** The form field of the closing date: 'expirationDate' or 'dueDate'. */
  closingField: 'expirationDate' | 'dueDate';
  /** For messages: 'The expiration date' */
  closingName: string;
  /** Numbers assigned when the form leaves docNumber blank: prefix + first, first + 1, … */
  docNumberPrefix: string;
  firstDocNumber: number;
}

export interface DocumentsServiceDeps<T extends DocumentBase> extends RecordServiceDeps {
  documents: DocumentsRepository<T>;
  /** A document's customer must exist. */
  customers: CustomersRepository;
  /** The locale amounts are typed in, the time zone "today" is in, the default terms. */
  company?: CompanySettings;
}

/** Amounts and positions for the lines, and their total: always computed here, never taken from input. */
export function priceLines(lines: LineValues[]): { lines: StoredLine[]; totalCents: number } {
  const priced = lines.map((line, i) => ({
    position: i + 1,
    description: line.description,
    quantityThousandths: line.quantityThousandths,
    unitPriceCents: line.unitPriceCents,
    amountCents: lineAmountCents(line.quantityThousandths, line.unitPriceCents),
    itemId: line.itemId ?? null,
    itemName: line.itemName ?? null,
    taxCodeId: line.taxCodeId ?? null,
    taxable: line.taxable ?? null,
    serviceDate: line.serviceDate ?? null,
    externalLineId: line.externalLineId ?? null,
  }));
  return { lines: priced, totalCents: priced.reduce((sum, line) => sum + line.amountCents, 0) };
}

export type WithLines<T> = T & { lines: StoredLine[] };

const ACCOUNTING_KEYS: (keyof LineAccounting)[] = [
  'itemId',
  'itemName',
  'taxCodeId',
  'taxable',
  'serviceDate',
  'externalLineId',
];

/**
 * A person's edit: a line whose accounting choices were not on the form (absent, not blank) keeps those of
 * the stored line at its position, so an edit of the memo does not lose a line's item, tax code, service
 * date or QuickBooks line id.
 */
export function keepLineAccounting(lines: LineValues[], current: StoredLine[]): LineValues[] {
  return lines.map((line, i) => {
    const before = current[i];
    if (!before) return line;
    const kept: LineValues = { ...line };
    for (const key of ACCOUNTING_KEYS) {
      if (kept[key] === undefined) (kept as unknown as Record<string, unknown>)[key] = before[key];
    }
    // A newly chosen item: the stored name belonged to the old one.
    if (line.itemId !== undefined && line.itemId !== before.itemId) kept.itemName = null;
    return kept;
  });
}

export class DocumentsService<T extends DocumentBase> {
  constructor(
    protected readonly deps: DocumentsServiceDeps<T>,
    readonly kind: DocumentKind,
  ) {}

  protected get repo(): DocumentsRepository<T> {
    return this.deps.documents;
  }

  get company(): CompanySettings {
    return this.deps.company ?? DEFAULT_COMPANY;
  }

  /** Today's date (YYYY-MM-DD) where the company is. */
  today(): string {
    return todayIn(this.company.timeZone);
  }

  /** A page of the list, searched (`?q=`) and sorted (`?sort=&dir=`). */
  async list(
    query: PageRequest & { sort?: unknown; dir?: unknown; quickbooks?: unknown },
    pageSize = PAGE_SIZE,
  ): Promise<Page<T> & { sort: Sort } & SyncColumn> {
    const sort = sortRequest(query);
    const page = await listWithSyncStates(this.deps.hooks, this.kind.type, query, 'd.id', (where) =>
      paginate(pageRequest(query), pageSize, (o) => this.repo.list({ ...o, sort, where })),
    );
    return { ...page, sort };
  }

  /** A hint under the closing date field (invoices: the default terms). */
  closingHint(): string | undefined {
    return undefined;
  }

  /** Counts and sums per status, for the dashboard. */
  stageTotals(): Promise<StageTotal[]> {
    return this.repo.stageTotals();
  }

  findById(id: number, trx?: Transaction): Promise<T | undefined> {
    return this.repo.findById(id, trx);
  }

  async get(id: number): Promise<T> {
    const doc = await this.repo.findById(id);
    if (!doc) throw new NotFoundError(`We could not find that ${this.kind.noun}.`);
    return doc;
  }

  /** The document with its lines in order, or undefined. */
  async getWithLines(id: number): Promise<WithLines<T> | undefined> {
    const doc = await this.repo.findById(id);
    return doc ? { ...doc, lines: await this.repo.linesOf(id) } : undefined;
  }

  findByDocNumber(docNumber: string, trx?: Transaction): Promise<T | undefined> {
    return this.repo.findByDocNumber(docNumber, trx);
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  linksFor(id: number): Promise<LinkSummary[]> {
    return this.deps.hooks.linksFor(this.kind.type, id);
  }

  /** The items and tax codes a line may choose (the connected company's), or undefined. */
  async lineChoices(): Promise<LineChoices | undefined> {
    return this.deps.hooks.lineChoices?.();
  }

  /** Only open documents are edited here; voided or deleted ones are kept as QuickBooks left them. */
  assertEditable(doc: T): void {
    if (doc.status !== 'open') {
      throw new ConflictError(
        `This ${this.kind.noun} was ${doc.status === 'voided' ? 'voided' : 'deleted'} in QuickBooks and can no longer be edited.`,
      );
    }
  }

  async create(values: DocumentFormValues): Promise<T> {
    const fields = this.checkForm(values);
    return this.deps.transaction(async (trx) => {
      const doc = await this.insert(trx, fields);
      await this.deps.hooks.recordChange(trx, { type: this.kind.type, id: doc.id, action: 'create' });
      return doc;
    });
  }

  async update(id: number, values: DocumentFormValues): Promise<T> {
    const before = await this.repo.findById(id);
    const fields = this.checkForm(values, Boolean(before?.managedLines));
    return this.deps.transaction(async (trx) => {
      const current = await this.repo.findById(id, trx);
      if (!current) throw new NotFoundError(`We could not find that ${this.kind.noun}.`);
      this.assertEditable(current);
      const stored = await this.repo.linesOf(id, trx);
      if (current.managedLines) {
        // Lines managed in QuickBooks are never edited here: only the other fields change.
        fields.lines = stored;
        fields.managedLines = current.managedLines;
        fields.managedTotalCents = current.totalCents;
      } else {
        fields.lines = keepLineAccounting(fields.lines, stored);
      }
      const doc = await this.write(trx, id, fields);
      await this.deps.hooks.recordChange(trx, { type: this.kind.type, id, action: 'update' });
      return doc;
    });
  }

  /**
   * Inbound sync: stores a document that exists in QuickBooks, without recording a change. Lines are
   * priced here as everywhere (quantity × unit price). Pass the sync's transaction to write the
   * document and its link together. Throws a ValidationError for an unknown customer or a taken number.
   */
  async createFromQuickBooks(fields: DocumentFields, trx?: Transaction): Promise<T> {
    if (trx) return this.insert(trx, fields);
    return this.deps.transaction((t) => this.insert(t, fields));
  }

  /** Inbound sync: overwrites a document and its lines with QuickBooks' values, without recording a change. */
  async applyFromQuickBooks(id: number, fields: DocumentFields, trx?: Transaction): Promise<T> {
    if (trx) return this.write(trx, id, fields);
    return this.deps.transaction((t) => this.write(t, id, fields));
  }

  /**
   * A new number for a document whose number is taken elsewhere (QuickBooks): the first number free here
   * that `takenElsewhere` does not report taken, recorded as a change (so it is pushed).
   */
  async renumber(
    id: number,
    takenElsewhere: (candidates: string[]) => Promise<Set<string>>,
  ): Promise<string> {
    const candidates: string[] = [];
    const { docNumberPrefix: prefix } = this.kind;
    const first = await this.repo.nextDocNumber(prefix, this.kind.firstDocNumber);
    let n = Number(first.slice(prefix.length));
    while (candidates.length < 20) {
      const candidate = `${prefix}${n++}`;
      if (!(await this.repo.findByDocNumber(candidate))) candidates.push(candidate);
    }
    const taken = await takenElsewhere(candidates);
    const docNumber = candidates.find((c) => !taken.has(c));
    if (!docNumber) throw new ConflictError('No free number found; choose one on the edit page.');
    return this.deps.transaction(async (trx) => {
      const current = await this.repo.findById(id, trx);
      if (!current) throw new NotFoundError(`We could not find that ${this.kind.noun}.`);
      this.assertEditable(current);
      await this.uniqueNumber(() => this.repo.setDocNumber(id, docNumber, trx));
      await this.deps.hooks.recordChange(trx, { type: this.kind.type, id, action: 'update' });
      return docNumber;
    });
  }

  /** Sync: the document was created in QuickBooks without a number and takes the one QuickBooks gave. */
  async takeNumberFromQuickBooks(id: number, docNumber: string): Promise<void> {
    await this.deps.transaction(async (trx) => {
      const other = await this.repo.findByDocNumber(docNumber, trx);
      if (other && other.id !== id) return; // kept: the page still shows QuickBooks' number on the link
      await this.uniqueNumber(() => this.repo.setDocNumber(id, docNumber, trx));
    });
  }

  /** Inbound sync: QuickBooks voided or deleted the document. Kept, marked, not recorded as a change. */
  async markStatus(id: number, status: DocumentStatus, trx?: Transaction): Promise<void> {
    if (!DOCUMENT_STATUSES.includes(status)) throw new Error(`unknown document status ${status}`);
    await this.repo.setStatus(id, status, trx);
  }

  protected checkForm(values: DocumentFormValues, linesManaged = false): DocumentFields {
    const { fields, errors } = checkDocumentForm(values, {
      ...this.kind,
      locale: this.company.locale,
      linesManaged,
    });
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return fields;
  }

  /** Checks what needs the database, then inserts. `extra` carries kind-specific columns. */
  protected async insert(
    trx: Transaction,
    fields: DocumentFields,
    extra: Pick<StoredDocument, 'estimateId'> = {},
  ): Promise<T> {
    const stored = await this.stored(trx, fields);
    const id = await this.uniqueNumber(() => this.repo.insert({ ...stored, ...extra }, trx));
    return (await this.repo.findById(id, trx))!;
  }

  protected async write(trx: Transaction, id: number, fields: DocumentFields): Promise<T> {
    if (!(await this.repo.findById(id, trx)))
      throw new NotFoundError(`We could not find that ${this.kind.noun}.`);
    const stored = await this.stored(trx, fields, id);
    await this.uniqueNumber(() => this.repo.update(id, stored, trx));
    return (await this.repo.findById(id, trx))!;
  }

  /** Customer exists, number free (or assigned), lines priced. */
  private async stored(trx: Transaction, fields: DocumentFields, id?: number): Promise<StoredDocument> {
    const repo = this.repo;
    const errors: FieldErrors = {};
    if (!(await this.deps.customers.findById(fields.customerId, trx))) {
      errors.customerId = 'Choose a customer from the list.';
    }
    let docNumber = fields.docNumber?.trim() ?? '';
    if (docNumber) {
      const other = await repo.findByDocNumber(docNumber, trx);
      if (other && other.id !== id) errors.docNumber = this.numberTaken(docNumber);
    } else if (id !== undefined) {
      docNumber = (await repo.findById(id, trx))!.docNumber;
    } else {
      await repo.lockNumbering(trx);
      docNumber = await repo.nextDocNumber(this.kind.docNumberPrefix, this.kind.firstDocNumber, trx);
    }
    const managed = fields.managedLines ?? null;
    if (!fields.lines.length && !managed) errors.lines = 'Add at least one line.';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const { lines, totalCents } = priceLines(fields.lines);
    const { managedTotalCents, ...rest } = fields;
    return {
      ...rest,
      docNumber,
      memo: fields.memo ?? '',
      lines,
      totalCents: managed ? (managedTotalCents ?? totalCents) : totalCents,
    };
  }

  private numberTaken(docNumber: string): string {
    return `Number ${docNumber} is already used by another ${this.kind.noun}.`;
  }

  /** A concurrent request that took the number between our check and our write hits the index. */
  private async uniqueNumber<R>(write: () => Promise<R>): Promise<R> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err, 'doc_number')) {
        throw new ValidationError({ docNumber: 'This number was just taken. Try again.' });
      }
      throw err;
    }
  }
}
