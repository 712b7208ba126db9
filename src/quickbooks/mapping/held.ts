/**
 * A QuickBooks document in Heavy AV's terms: the payload Heavy AV would send for it, built by the same
 * `documentPayload` as a push, so that the two compare field by field (mapping/sparse.ts). Used for links
 * from before snapshots were kept: what QuickBooks holds is read once and taken as the snapshot.
 */
import { lineAmountCents } from '../../documents/money.js';
import type { Customer, Estimate, Invoice } from '../intuit/types.js';
import { customerFieldsFrom, documentFieldsFrom } from './from-quickbooks.js';
import { customerPayload, type DocumentPayload, documentPayload, type LineSetup } from './to-quickbooks.js';

export function heldPayload(
  kind: 'estimate' | 'invoice',
  qbo: Estimate | Invoice,
  setup: LineSetup,
): { payload: DocumentPayload; linesManaged: boolean } {
  const fields = documentFieldsFrom(qbo, kind, 0);
  const linesManaged = Boolean(fields.managedLines);
  const payload = documentPayload(
    kind,
    {
      id: 0,
      customerId: 0,
      docNumber: fields.docNumber ?? '',
      txnDate: fields.txnDate,
      closingDate: fields.closingDate,
      memo: fields.memo,
      status: 'open',
      managed: linesManaged,
      lines: fields.lines.map((l) => ({
        ...l,
        amountCents: lineAmountCents(l.quantityThousandths, l.unitPriceCents),
        itemId: l.itemId ?? null,
        itemName: l.itemName ?? null,
        taxCodeId: l.taxCodeId ?? null,
        taxable: l.taxable ?? null,
        serviceDate: l.serviceDate ?? null,
        externalLineId: l.externalLineId ?? null,
      })),
    },
    qbo.CustomerRef?.value ?? '',
    setup,
  );
  return { payload, linesManaged };
}

/** What QuickBooks holds of a customer, in Heavy AV's terms (a link by name whose values differ). */
export function quickBooksCustomerSnapshot(qbo: Partial<Customer>): string {
  const { active: _active, ...fields } = customerFieldsFrom(qbo);
  return JSON.stringify(customerPayload({ id: 0, ...fields }));
}
