/**
 * The side-by-side look of a conflict (decision 009): a record as Heavy AV would send it and as QuickBooks
 * has it, under the same labels, so the page can show both and where they differ.
 */
import type { DocumentBase } from '../../documents/types.js';
import type { Customer, Draft, Estimate, Invoice } from '../intuit/types.js';
import type { DocumentPayload } from './to-quickbooks.js';

export type Side = Record<string, string>;

/** A customer's fields that a push sends, by label. */
export function customerSide(c: Draft<'Customer'> | Customer): Side {
  const a = c.BillAddr ?? {};
  return {
    'Display name': c.DisplayName ?? '',
    Company: c.CompanyName ?? '',
    Email: c.PrimaryEmailAddr?.Address ?? '',
    Phone: c.PrimaryPhone?.FreeFormNumber ?? '',
    Street: a.Line1 ?? '',
    City: a.City ?? '',
    Region: a.CountrySubDivisionCode ?? '',
    'Postal code': a.PostalCode ?? '',
    Country: a.Country ?? '',
  };
}

/**
 * The labels where Heavy AV's value is not QuickBooks'. A field Heavy AV leaves blank is not sent (an
 * update never clears it), so it is no difference. Case-insensitive for the name, as QuickBooks compares.
 */
export function differences(heavyAv: Side, quickBooks: Side): string[] {
  return Object.keys(heavyAv).filter((label) => {
    const ours = heavyAv[label].trim();
    const theirs = (quickBooks[label] ?? '').trim();
    if (!ours) return false;
    return label === 'Display name' ? ours.toLowerCase() !== theirs.toLowerCase() : ours !== theirs;
  });
}

/** A document as Heavy AV would create it. */
export function documentPayloadSide(p: DocumentPayload): Side {
  const total = (p.Line ?? [])
    .filter((l) => l.DetailType === 'SalesItemLineDetail')
    .reduce((sum, l) => sum + Number(l.Amount ?? 0), 0);
  return {
    Number: p.DocNumber ?? '',
    Date: p.TxnDate ?? '',
    Customer: `QuickBooks customer ${p.CustomerRef?.value ?? '?'}`,
    Total: total.toFixed(2),
  };
}

/** A document as Heavy AV holds it (the other side of a taken number). */
export function documentRecordSide(
  d: Pick<DocumentBase, 'docNumber' | 'txnDate' | 'customerName' | 'totalCents'>,
): Side {
  return {
    Number: d.docNumber,
    Date: d.txnDate,
    Customer: d.customerName,
    Total: (d.totalCents / 100).toFixed(2),
  };
}

/** A document as QuickBooks has it. */
export function documentSide(d: Estimate | Invoice): Side {
  return {
    Number: d.DocNumber ?? '',
    Date: d.TxnDate ?? '',
    Customer: d.CustomerRef?.name
      ? `${d.CustomerRef.name} (${d.CustomerRef.value})`
      : `QuickBooks customer ${d.CustomerRef?.value ?? '?'}`,
    Total: d.TotalAmt === undefined ? '' : Number(d.TotalAmt).toFixed(2),
  };
}
