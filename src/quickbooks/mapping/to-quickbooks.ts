/**
 * Heavy AV records → QuickBooks payloads (Accounting API v3, minorversion 75). The hash of a payload is
 * stored on the link: an unchanged record is not sent again.
 */
import { createHash } from 'node:crypto';
import type { Draft, Ref, SalesItemLine } from '../intuit/types.js';
import type { CustomerSnapshot, DocumentSnapshot } from '../push/records-reader.js';

/** QuickBooks needs an item on every sales line; "Services" (Id 1) exists in every company. */
export const DEFAULT_ITEM_REF: Ref = { value: '1', name: 'Services' };

export const QBO_ENTITY = { customer: 'Customer', estimate: 'Estimate', invoice: 'Invoice' } as const;

function money(cents: number): number {
  return Math.round(cents) / 100;
}

/** Blank fields are left out rather than sent empty (QuickBooks would clear them, or refuse ''). */
function definedOnly<T extends object>(obj: T): T {
  // Only keys are removed: what is left has the types it had.
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== '')) as T;
}

export function customerPayload(c: CustomerSnapshot): Draft<'Customer'> {
  const address = definedOnly({
    Line1: c.billingLine1,
    City: c.billingCity,
    CountrySubDivisionCode: c.billingRegion,
    PostalCode: c.billingPostalCode,
    Country: c.billingCountry,
  });
  return definedOnly({
    DisplayName: c.displayName,
    CompanyName: c.companyName,
    PrimaryEmailAddr: c.email ? { Address: c.email } : undefined,
    PrimaryPhone: c.phone ? { FreeFormNumber: c.phone } : undefined,
    BillAddr: Object.keys(address).length ? address : undefined,
  });
}

export type DocumentPayload = Draft<'Estimate'> | Draft<'Invoice'>;

export function documentPayload(
  kind: 'estimate' | 'invoice',
  d: DocumentSnapshot,
  customerQboId: string,
): DocumentPayload {
  return definedOnly({
    DocNumber: d.docNumber,
    TxnDate: d.txnDate,
    [kind === 'invoice' ? 'DueDate' : 'ExpirationDate']: d.closingDate ?? undefined,
    CustomerRef: { value: customerQboId },
    CustomerMemo: d.memo ? { value: d.memo } : undefined,
    Line: d.lines.map(
      (l): SalesItemLine => ({
        DetailType: 'SalesItemLineDetail',
        Amount: money(l.amountCents),
        Description: l.description,
        SalesItemLineDetail: {
          ItemRef: DEFAULT_ITEM_REF,
          Qty: l.quantityThousandths / 1000,
          UnitPrice: money(l.unitPriceCents),
        },
      }),
    ),
  });
}

export function payloadHash(payload: object): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}
