/**
 * Invoices: everything shared with estimates lives in documents/service.ts. Invoice numbers are 1001,
 * 1002, … when the form leaves the number blank (QuickBooks' own style).
 */
import type { CustomersRepository } from '../customers/repository.js';
import type { Transaction } from '../db/transaction.js';
import { type DocumentKind, DocumentsService } from '../documents/service.js';
import type { DocumentFields, DocumentFormValues } from '../documents/types.js';
import type { EstimatesRepository } from '../estimates/repository.js';
import { ConflictError, NotFoundError } from '../http/errors.js';
import { addDays, type CompanySettings } from '../locale/settings.js';
import type { RecordServiceDeps } from '../records/deps.js';
import { isUniqueViolation } from '../records/unique-violation.js';
import type { InvoicesRepository } from './repository.js';
import type { Invoice } from './types.js';

export const INVOICE_KIND: DocumentKind = {
  type: 'invoice',
  noun: 'invoice',
  closingField: 'dueDate',
  closingName: 'The due date',
  docNumberPrefix: '',
  firstDocNumber: 1001,
};

export interface InvoicesServiceDeps extends RecordServiceDeps {
  invoices: InvoicesRepository;
  /** An invoice can be made from an estimate. */
  estimates: EstimatesRepository;
  customers: CustomersRepository;
  /** The locale amounts are typed in, the time zone "today" is in, the default terms. */
  company?: CompanySettings;
}

export class InvoicesService extends DocumentsService<Invoice> {
  constructor(private readonly invoiceDeps: InvoicesServiceDeps) {
    super({ ...invoiceDeps, documents: invoiceDeps.invoices }, INVOICE_KIND);
  }

  /** The due date an invoice dated `txnDate` gets from the default terms (DEFAULT_TERMS_DAYS). */
  defaultDueDate(txnDate: string): string {
    return addDays(txnDate, this.company.termsDays);
  }

  override closingHint(): string {
    const days = this.company.termsDays;
    return days === 0
      ? 'Leave blank: due on the invoice date.'
      : `Leave blank: due ${days} day${days === 1 ? '' : 's'} after the invoice date (Net ${days}).`;
  }

  /** A person's invoice saved without a due date is due after the default terms (Net 30). */
  protected override checkForm(values: DocumentFormValues, linesManaged = false): DocumentFields {
    const fields = super.checkForm(values, linesManaged);
    return { ...fields, closingDate: fields.closingDate ?? this.defaultDueDate(fields.txnDate) };
  }

  findByEstimateId(estimateId: number): Promise<Invoice | undefined> {
    return this.invoiceDeps.invoices.findByEstimateId(estimateId);
  }

  /**
   * Turns an estimate into an invoice: same customer, memo and lines, today's date, due after the default
   * terms, the next invoice number, linked to the estimate. Once only: asking again returns the invoice made the first time
   * (`created: false`), so a double click never makes two.
   */
  async createFromEstimate(
    estimateId: number,
    today = this.today(),
  ): Promise<{ invoice: Invoice; created: boolean }> {
    try {
      return await this.deps.transaction((trx) => this.convert(trx, estimateId, today));
    } catch (err) {
      // A concurrent click won the race on the unique estimate_id: hand back its invoice.
      if (!isUniqueViolation(err, 'estimate_id')) throw err;
      return { invoice: (await this.findByEstimateId(estimateId))!, created: false };
    }
  }

  private async convert(trx: Transaction, estimateId: number, today: string) {
    const existing = await this.invoiceDeps.invoices.findByEstimateId(estimateId, trx);
    if (existing) return { invoice: existing, created: false };
    const { estimates } = this.invoiceDeps;
    const estimate = await estimates.findById(estimateId, trx);
    if (!estimate) throw new NotFoundError('We could not find that estimate.');
    if (estimate.status !== 'open')
      throw new ConflictError('This estimate was voided or deleted in QuickBooks; it cannot be invoiced.');
    if (estimate.managedLines)
      throw new ConflictError(
        "This estimate's lines are managed in QuickBooks; make its invoice in QuickBooks (it will come back here).",
      );
    // The estimate's QuickBooks line ids are not the invoice's.
    const lines = (await estimates.linesOf(estimateId, trx)).map((l) => ({ ...l, externalLineId: null }));
    const invoice = await this.insert(
      trx,
      {
        customerId: estimate.customerId,
        txnDate: today,
        closingDate: this.defaultDueDate(today),
        memo: estimate.memo,
        lines,
      },
      { estimateId },
    );
    await this.deps.hooks.recordChange(trx, { type: 'invoice', id: invoice.id, action: 'create' });
    return { invoice, created: true };
  }
}
