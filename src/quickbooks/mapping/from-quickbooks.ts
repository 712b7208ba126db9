/**
 * QuickBooks entity → the fields Heavy AV keeps. Lenient on purpose: QuickBooks allows longer values than
 * our forms do, so values are cut to our limits rather than refused (the record would otherwise never
 * arrive); lines are kept exactly (quantity in thousandths, price in cents, never through a float sum).
 */
import { CUSTOMER_LIMITS, type CustomerInput } from '../../customers/types.js';
import { DOCUMENT_LIMITS, type DocumentFields, type LineValues } from '../../documents/types.js';
import type { Customer, Estimate, Invoice, SalesDocument } from '../intuit/types.js';

function text(value: unknown, max: number): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim().slice(0, max) : '';
}

export function customerFieldsFrom(c: Partial<Customer>): Required<CustomerInput> & { active: boolean } {
  const fields = {
    // The sub-customer separator cannot be part of our display names.
    displayName: text(c.DisplayName, CUSTOMER_LIMITS.displayName).replace(/[:\t\n]/g, ' '),
    companyName: text(c.CompanyName, CUSTOMER_LIMITS.companyName),
    email: text(c.PrimaryEmailAddr?.Address, CUSTOMER_LIMITS.email),
    phone: text(c.PrimaryPhone?.FreeFormNumber, CUSTOMER_LIMITS.phone),
    billingLine1: text(c.BillAddr?.Line1, CUSTOMER_LIMITS.billingLine1),
    billingCity: text(c.BillAddr?.City, CUSTOMER_LIMITS.billingCity),
    billingRegion: text(c.BillAddr?.CountrySubDivisionCode, CUSTOMER_LIMITS.billingRegion),
    billingPostalCode: text(c.BillAddr?.PostalCode, CUSTOMER_LIMITS.billingPostalCode),
    billingCountry: text(c.BillAddr?.Country, CUSTOMER_LIMITS.billingCountry),
  };
  // Our form checks emails; QuickBooks does not always. Drop one we would refuse rather than the customer.
  if (fields.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(fields.email)) fields.email = '';
  return { ...fields, active: c.Active !== false };
}

/** A decimal number from QuickBooks (a JSON number or string) scaled to an integer, half away from zero. */
export function scaled(value: unknown, decimals: number): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return undefined;
  // toFixed works on the decimal representation, so 0.285 × 100 does not become 28.499999.
  const fixed = Math.abs(n).toFixed(decimals + 2);
  const [whole, fraction] = fixed.split('.');
  const digits = BigInt(whole + fraction.slice(0, decimals));
  const rest = Number(fraction.slice(decimals));
  const rounded = Number(digits + (rest >= 50 ? 1n : 0n));
  return n < 0 ? -rounded : rounded;
}

export function linesFrom(doc: Pick<SalesDocument, 'Line' | 'TotalAmt'>): LineValues[] {
  const lines: LineValues[] = [];
  for (const line of Array.isArray(doc.Line) ? doc.Line : []) {
    if (line.DetailType !== 'SalesItemLineDetail') continue;
    const detail = line.SalesItemLineDetail;
    const qty = scaled(detail.Qty ?? 1, 3) ?? 1000;
    const amount = scaled(line.Amount, 2) ?? 0;
    const price = scaled(detail.UnitPrice, 2) ?? (qty ? Math.round((amount * 1000) / qty) : amount);
    const description =
      text(line.Description, DOCUMENT_LIMITS.description) ||
      text(detail.ItemRef?.name, DOCUMENT_LIMITS.description);
    lines.push({
      description: description || 'Item',
      quantityThousandths: Math.abs(qty),
      unitPriceCents: Math.abs(price),
    });
  }
  // A document always has a line with us; one QuickBooks sent without sales lines keeps its total.
  if (!lines.length) {
    lines.push({
      description: 'Total from QuickBooks',
      quantityThousandths: 1000,
      unitPriceCents: Math.abs(scaled(doc.TotalAmt, 2) ?? 0),
    });
  }
  return lines;
}

export function documentFieldsFrom(
  doc: Partial<Estimate> & Partial<Invoice>,
  kind: 'estimate' | 'invoice',
  customerId: number,
): DocumentFields {
  const date = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null);
  return {
    customerId,
    docNumber: text(doc.DocNumber, DOCUMENT_LIMITS.docNumber) || null,
    txnDate: date(doc.TxnDate) ?? new Date().toISOString().slice(0, 10),
    closingDate: date(kind === 'estimate' ? doc.ExpirationDate : doc.DueDate),
    memo: text(
      typeof doc.CustomerMemo === 'string' ? doc.CustomerMemo : doc.CustomerMemo?.value,
      DOCUMENT_LIMITS.memo,
    ),
    lines: linesFrom(doc),
    // What is still owed, for the invoice's status (paid, partly paid); estimates have none.
    ...(kind === 'invoice' && doc.Balance !== undefined
      ? { balanceCents: scaled(doc.Balance, 2) ?? null }
      : {}),
  };
}

/** QuickBooks' MetaData.LastUpdatedTime as an instant (ms), or undefined. */
export function updatedAtMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
