/**
 * Heavy AV records → QuickBooks payloads (Accounting API v3, minorversion 75). Nothing here assumes an
 * item id: a line names its own item (and tax code), else the defaults chosen on the card for the company
 * (`LineSetup`); without one the record stops with a message that names the fix. Documents whose lines are
 * managed in QuickBooks are sent without `Line`: their lines are never written back.
 */
import { createHash } from 'node:crypto';
import type { Draft, SalesItemLine } from '../intuit/types.js';
import type { CustomerSnapshot, DocumentSnapshot, LineSnapshot } from '../push/records-reader.js';

export const QBO_ENTITY = { customer: 'Customer', estimate: 'Estimate', invoice: 'Invoice' } as const;

/** How a company taxes sales lines: not at all, US automated sales tax (TAX/NON), or a code on every line. */
export type TaxMode = 'none' | 'automated' | 'per-line';

/** What lines fall back on when they name no item or tax code: the card's choices for the company. */
export interface LineSetup {
  defaultItemId: string | null;
  defaultTaxCodeId: string | null;
  taxMode: TaxMode;
}

/** A record whose lines cannot be sent as they are: no item chosen, or no tax code where one is needed. */
export class LineSetupError extends Error {
  constructor(
    readonly code: 'item_missing' | 'tax_code_missing',
    message: string,
  ) {
    super(message);
  }
}

export const ITEM_MISSING =
  'No QuickBooks item is chosen for these lines: choose the QuickBooks item on the card (Settings → QuickBooks → Lines), or one on each line of the record, then retry.';
export const TAX_CODE_MISSING =
  'This QuickBooks company needs a tax code on every line: choose the default tax code on the card (Settings → QuickBooks → Lines), or one on each line of the record, then retry.';

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

/** The line's tax code: US automated sales tax from `taxable`, a per-line company's code else the default. */
function taxCodeOf(l: LineSnapshot, setup: LineSetup): string | undefined {
  if (setup.taxMode === 'automated' && l.taxable !== null) return l.taxable ? 'TAX' : 'NON';
  if (l.taxCodeId) return l.taxCodeId;
  if (setup.taxMode !== 'per-line') return undefined;
  if (!setup.defaultTaxCodeId) throw new LineSetupError('tax_code_missing', TAX_CODE_MISSING);
  return setup.defaultTaxCodeId;
}

export function linePayload(l: LineSnapshot, setup: LineSetup): SalesItemLine {
  const item = l.itemId ?? setup.defaultItemId;
  if (!item) throw new LineSetupError('item_missing', ITEM_MISSING);
  const taxCode = taxCodeOf(l, setup);
  return {
    ...(l.externalLineId ? { Id: l.externalLineId } : {}),
    DetailType: 'SalesItemLineDetail',
    Amount: money(l.amountCents),
    Description: l.description,
    SalesItemLineDetail: {
      ItemRef: { value: item },
      Qty: l.quantityThousandths / 1000,
      UnitPrice: money(l.unitPriceCents),
      ...(taxCode ? { TaxCodeRef: { value: taxCode } } : {}),
      ...(l.serviceDate ? { ServiceDate: l.serviceDate } : {}),
    },
  };
}

export function documentPayload(
  kind: 'estimate' | 'invoice',
  d: DocumentSnapshot,
  customerQboId: string,
  setup: LineSetup,
): DocumentPayload {
  return definedOnly({
    DocNumber: d.docNumber,
    TxnDate: d.txnDate,
    [kind === 'invoice' ? 'DueDate' : 'ExpirationDate']: d.closingDate ?? undefined,
    CustomerRef: { value: customerQboId },
    CustomerMemo: d.memo ? { value: d.memo } : undefined,
    // Managed in QuickBooks: never sent back.
    Line: d.managed ? undefined : d.lines.map((l) => linePayload(l, setup)),
  });
}

export function payloadHash(payload: object): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}
