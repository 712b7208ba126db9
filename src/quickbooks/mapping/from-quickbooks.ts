/**
 * QuickBooks entity → the fields Heavy AV keeps. Lenient on purpose: QuickBooks allows longer values than
 * our forms do, so values are cut to our limits rather than refused (the record would otherwise never
 * arrive); lines are kept exactly (quantity in thousandths, price in cents, never through a float sum), or,
 * when Heavy AV cannot model them exactly, kept as QuickBooks has them (managed in QuickBooks).
 */
import { CUSTOMER_LIMITS, type CustomerInput } from '../../customers/types.js';
import { lineAmountCents } from '../../documents/money.js';
import { DOCUMENT_LIMITS, type DocumentFields, type LineValues } from '../../documents/types.js';
import type { Customer, Estimate, Invoice, SalesDocument, SalesItemLine } from '../intuit/types.js';

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

/** A decimal with at most `decimals` places, scaled to an integer; undefined when it has more (or is none). */
function exactly(value: unknown, decimals: number): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return undefined;
  // The shortest decimal that reads back as this number (what QuickBooks sent): 12.375 has three places.
  const text = String(Math.abs(n));
  if (/e-/.test(text)) return undefined;
  const places = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  return places <= decimals ? scaled(n, decimals) : undefined;
}

/** One QuickBooks sales line as Heavy AV keeps it, or undefined when it cannot be kept exactly. */
function modelled(line: SalesItemLine): LineValues | undefined {
  const detail = line.SalesItemLineDetail ?? {};
  const amount = exactly(line.Amount, 2);
  const qty = detail.Qty === undefined ? 1000 : exactly(detail.Qty, 3);
  // No unit price: only a single unit says what it was (the amount).
  const price =
    detail.UnitPrice === undefined ? (qty === 1000 ? amount : undefined) : exactly(detail.UnitPrice, 2);
  if (amount === undefined || qty === undefined || price === undefined) return undefined;
  if (qty < 0 || price < 0 || lineAmountCents(qty, price) !== amount) return undefined;
  if (!detail.ItemRef?.value) return undefined;
  const code = detail.TaxCodeRef?.value ?? null;
  const serviceDate = detail.ServiceDate;
  return {
    description:
      text(line.Description, DOCUMENT_LIMITS.description) ||
      text(detail.ItemRef?.name, DOCUMENT_LIMITS.description) ||
      'Item',
    quantityThousandths: qty,
    unitPriceCents: price,
    itemId: detail.ItemRef.value,
    itemName: detail.ItemRef.name ? text(detail.ItemRef.name, 100) : null,
    taxCodeId: code,
    // US automated sales tax marks lines TAX or NON; other codes (Canada's) say nothing about it.
    taxable: code === 'TAX' ? true : code === 'NON' ? false : null,
    serviceDate:
      typeof serviceDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(serviceDate) ? serviceDate : null,
    externalLineId: line.Id ?? null,
  };
}

/**
 * The document's lines as Heavy AV keeps them, or `managed` when any line is one Heavy AV cannot model
 * exactly (discount, subtotal, group or description-only lines, credits, sub-cent prices, quantities beyond
 * thousandths, an amount that is not quantity × price): those documents keep QuickBooks' lines as they are.
 * The subtotal line QuickBooks adds after the sales lines of every document is its own arithmetic: ignored.
 */
export function linesFrom(doc: Pick<SalesDocument, 'Line'>): { lines: LineValues[]; managed: boolean } {
  const all = Array.isArray(doc.Line) ? doc.Line : [];
  const last = all.length - 1;
  const lines: LineValues[] = [];
  for (const [i, line] of all.entries()) {
    if (line.DetailType === 'SubTotalLineDetail' && i === last) continue;
    const kept = line.DetailType === 'SalesItemLineDetail' ? modelled(line) : undefined;
    if (!kept) return { lines: [], managed: true };
    lines.push(kept);
  }
  if (!lines.length) return { lines: [], managed: true };
  return { lines, managed: false };
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
    ...linesOf(doc),
    // What is still owed, for the invoice's status (paid, partly paid); estimates have none.
    ...(kind === 'invoice' && doc.Balance !== undefined
      ? { balanceCents: scaled(doc.Balance, 2) ?? null }
      : {}),
  };
}

/** Lines as Heavy AV keeps them, or QuickBooks' own (managed there) with the total before tax. */
function linesOf(
  doc: Partial<SalesDocument>,
): Pick<DocumentFields, 'lines' | 'managedLines' | 'managedTotalCents'> {
  const { lines, managed } = linesFrom(doc);
  if (!managed) return { lines, managedLines: null };
  const total = scaled(doc.TotalAmt, 2) ?? 0;
  const tax = scaled(doc.TxnTaxDetail?.TotalTax, 2) ?? 0;
  return { lines: [], managedLines: doc.Line ?? [], managedTotalCents: total - tax };
}

/** QuickBooks' TotalAmt and TxnTaxDetail.TotalTax in cents (what the record shows after a push or pull). */
export function qboTotalsOf(doc: Partial<SalesDocument>): {
  totalCents: number | null;
  taxCents: number | null;
} {
  return {
    totalCents: scaled(doc.TotalAmt, 2) ?? null,
    taxCents: scaled(doc.TxnTaxDetail?.TotalTax, 2) ?? null,
  };
}

/** QuickBooks' MetaData.LastUpdatedTime as an instant (ms), or undefined. */
export function updatedAtMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
