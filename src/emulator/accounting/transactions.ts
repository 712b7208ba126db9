import { qboDate } from '../clock.js';
import type { Company, Entity } from '../model.js';
import { docIndex } from './doc-index.js';
import { faults } from './faults.js';
import { SALES_LINE_TYPES, unknownDetailType } from './properties.js';
import { computeTax, lineTaxCode, round2, type TaxableLine } from './tax.js';

export { round2 };

export type TxnName = 'Estimate' | 'Invoice';

const DOC_NUMBER_MAX = 21;
const DAY_MS = 86_400_000;

/**
 * Builds the stored form of an Estimate or Invoice from what a client sent, the way QBO fills it in
 * (fixtures/qbo/entities/invoice-create.*): CustomerRef.name, addresses from the customer, line Ids and
 * LineNum, the SubTotalLineDetail line, TotalAmt, Balance, DocNumber, dates and default statuses.
 * `input` is the complete desired state (create body, full update body, or existing merged with a sparse one).
 */
export function buildTxn(
  company: Company,
  name: TxnName,
  input: Entity,
  nowMs: number,
  opts: { id: string; existing?: Entity; allowDuplicateDocNum?: boolean },
): Entity {
  const customerId =
    input.CustomerRef?.value ?? (typeof input.CustomerRef === 'string' ? input.CustomerRef : '');
  if (!customerId) throw faults.requiredParam('CustomerRef');
  const customer = company.entities.Customer.get(String(customerId));
  if (!customer || customer.Active === false) throw faults.invalidReference('Customer', String(customerId));
  if (!Array.isArray(input.Line) || input.Line.length === 0) throw faults.requiredParam('Line');

  const voided = opts.existing !== undefined && company.voided.has(opts.id);
  const perLineTax = company.taxModel === 'per-line';
  const applyTaxAfterDiscount = input.ApplyTaxAfterDiscount ?? perLineTax;
  const { lines, subtotal, discount, taxable } = buildLines(company, input.Line, voided);
  const factor = applyTaxAfterDiscount && subtotal > 0 ? Math.max(0, (subtotal - discount) / subtotal) : 1;
  const tax = voided ? { detail: { TotalTax: 0 }, total: 0 } : computeTax(company, customer, taxable, factor);
  const total = round2(subtotal - discount + tax.total);
  // The subtotal line sits after the sales lines, before any discount line (as QuickBooks shows it).
  const firstDiscount = lines.findIndex((l) => l.DetailType === 'DiscountLineDetail');
  const subtotalLine = { Amount: round2(subtotal), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} };
  if (firstDiscount < 0) lines.push(subtotalLine);
  else lines.splice(firstDiscount, 0, subtotalLine);

  const docNumber = resolveDocNumber(company, name, input.DocNumber ?? opts.existing?.DocNumber, opts);
  const txnDate = typeof input.TxnDate === 'string' ? input.TxnDate : qboDate(nowMs);
  const common = {
    CustomField: input.CustomField ?? [{ DefinitionId: '1', Name: 'Crew #', Type: 'StringType' }],
    DocNumber: docNumber,
    TxnDate: txnDate,
    CurrencyRef: company.currency,
    LinkedTxn: input.LinkedTxn ?? opts.existing?.LinkedTxn ?? [],
    Line: lines,
    TxnTaxDetail: tax.detail,
    CustomerRef: { value: customer.Id, name: customer.DisplayName },
    BillAddr: input.BillAddr ?? customer.BillAddr,
    ShipAddr: input.ShipAddr ?? customer.ShipAddr,
    ...(perLineTax ? { GlobalTaxCalculation: 'TaxExcluded' } : {}),
  };
  const statuses = {
    ApplyTaxAfterDiscount: applyTaxAfterDiscount,
    PrintStatus: input.PrintStatus ?? 'NeedToPrint',
    EmailStatus: input.EmailStatus ?? 'NotSet',
  };
  const passthrough = pick(input, ['PrivateNote', 'CustomerMemo', 'BillEmail', 'ExpirationDate', 'ShipDate']);
  if (name === 'Invoice') {
    // Payments already applied stay applied: the balance is what the new total leaves unpaid.
    const paid = opts.existing ? round2(Number(opts.existing.TotalAmt) - Number(opts.existing.Balance)) : 0;
    return {
      AllowIPNPayment: false,
      AllowOnlinePayment: false,
      AllowOnlineCreditCardPayment: false,
      AllowOnlineACHPayment: false,
      ...common,
      ...passthrough,
      DueDate: typeof input.DueDate === 'string' ? input.DueDate : addDays(txnDate, 30),
      TotalAmt: total,
      ...statuses,
      Balance: voided ? 0 : Math.max(0, round2(total - paid)),
    };
  }
  return {
    ...common,
    ...passthrough,
    TxnStatus: input.TxnStatus ?? 'Pending',
    TotalAmt: total,
    ...statuses,
  };
}

interface BuiltLines {
  lines: Entity[];
  subtotal: number;
  discount: number;
  taxable: TaxableLine[];
}

function buildLines(company: Company, rawLines: unknown[], voided: boolean): BuiltLines {
  const out: Entity[] = [];
  const usedIds = new Set<string>();
  const taxable: TaxableLine[] = [];
  let subtotal = 0;
  const discounts: Entity[] = [];
  rawLines.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null)
      throw faults.invalidProperty('Line must be an array of objects');
    const line = raw as Entity;
    if (!line.DetailType) throw faults.requiredParam('Line.DetailType');
    if (!(SALES_LINE_TYPES as readonly string[]).includes(line.DetailType))
      throw unknownDetailType(line.DetailType);
    if (line.DetailType === 'SubTotalLineDetail') return; // recomputed, as QBO does
    if (line.DetailType === 'GroupLineDetail') {
      throw faults.unsupportedOperation('GroupLineDetail (bundles) is not supported by the emulator');
    }
    const built: Entity = { ...line };
    if (line.DetailType === 'SalesItemLineDetail') {
      if (line.Amount === undefined || line.Amount === null) throw faults.requiredParam('Line.Amount');
      const amount = Number(line.Amount);
      if (!Number.isFinite(amount))
        throw faults.invalidProperty(`Line.Amount is not a number: ${line.Amount}`);
      const detail: Entity = { ...(line.SalesItemLineDetail ?? {}) };
      const qty = detail.Qty === undefined ? undefined : Number(detail.Qty);
      const price = detail.UnitPrice === undefined ? undefined : Number(detail.UnitPrice);
      if (
        !voided &&
        qty !== undefined &&
        price !== undefined &&
        Math.abs(qty * price - amount) > 0.005 + 1e-9
      ) {
        throw faults.amountMismatch(amount);
      }
      // No ItemRef: refused. Intuit has been seen to put a default "Services" item on such a line
      // (QuickBooks-V3-DotNET-SDK #53), which would let a client that forgets the item book income to an item
      // nobody chose; stricter than Intuit on purpose (README, deliberate differences).
      if (detail.ItemRef?.value === undefined || detail.ItemRef?.value === '') {
        throw faults.requiredParam('Line.SalesItemLineDetail.ItemRef');
      }
      const itemId = detail.ItemRef.value;
      const item = company.entities.Item.get(String(itemId));
      if (!item || item.Active === false || item.Type === 'Category') {
        throw faults.invalidLineReference('Line.SalesItemLineDetail.ItemRef');
      }
      const taxCode = lineTaxCode(company, detail.TaxCodeRef, index);
      detail.ItemRef = { value: item.Id, name: item.Name };
      detail.TaxCodeRef = { value: taxCode };
      built.Amount = voided ? 0 : round2(amount);
      built.SalesItemLineDetail = detail;
      subtotal += built.Amount;
      taxable.push({ amount: built.Amount, taxCode });
    } else if (line.DetailType === 'DiscountLineDetail') {
      discounts.push(built);
    }
    out.push(built);
  });
  subtotal = round2(subtotal);
  let discount = 0;
  for (const line of discounts) {
    const detail: Entity = { ...(line.DiscountLineDetail ?? {}) };
    const percentBased = detail.PercentBased === true || detail.PercentBased === 'true';
    const amount = percentBased
      ? round2((subtotal * Number(detail.DiscountPercent ?? 0)) / 100)
      : round2(Number(line.Amount ?? 0));
    if (!Number.isFinite(amount) || amount < 0)
      throw faults.invalidProperty('Discount amount must be 0 or more');
    line.Amount = voided ? 0 : amount;
    line.DiscountLineDetail = { PercentBased: percentBased, ...detail };
    discount += line.Amount;
  }
  let next = 1;
  for (const line of out) {
    const id = line.Id === undefined ? '' : String(line.Id);
    if (id && !usedIds.has(id)) usedIds.add(id);
    else line.Id = '';
  }
  out.forEach((line, index) => {
    if (!line.Id) {
      while (usedIds.has(String(next))) next += 1;
      line.Id = String(next);
      usedIds.add(line.Id);
    }
    // Id and LineNum first, like the fixtures.
    const { Id, LineNum: _sent, ...rest } = line;
    out[index] = { Id, LineNum: index + 1, ...rest };
  });
  return { lines: out, subtotal, discount: round2(discount), taxable };
}

function resolveDocNumber(
  company: Company,
  name: TxnName,
  requested: unknown,
  opts: { id: string; allowDuplicateDocNum?: boolean },
): string {
  const index = docIndex(company.entities[name]);
  if (requested !== undefined && requested !== null && String(requested) !== '') {
    const docNumber = String(requested);
    if (docNumber.length > DOC_NUMBER_MAX) throw faults.stringLength('DocNumber', DOC_NUMBER_MAX, docNumber);
    if (!opts.allowDuplicateDocNum) {
      for (const id of index.get(docNumber) ?? []) {
        if (id !== opts.id) throw faults.duplicateDocNumber(docNumber, name, id);
      }
    }
    return docNumber;
  }
  // Auto numbering continues from the highest number seen, skipping any taken by hand.
  let n = company.docNumbers[name] + 1;
  while (index.has(String(n))) n += 1;
  company.docNumbers[name] = n;
  return String(n);
}

/** A void keeps the transaction but zeroes every amount and notes it, like fixtures/…/invoice-void. */
export function voidTxn(entity: Entity): Entity {
  const lines = (entity.Line as Entity[]).map((l) => {
    const copy: Entity = { ...l, Amount: 0 };
    if (copy.SalesItemLineDetail?.UnitPrice !== undefined) {
      copy.SalesItemLineDetail = { ...copy.SalesItemLineDetail, UnitPrice: 0 };
    }
    return copy;
  });
  return {
    ...entity,
    PrivateNote: 'Voided',
    Line: lines,
    TxnTaxDetail: {
      ...(entity.TxnTaxDetail?.TxnTaxCodeRef ? { TxnTaxCodeRef: entity.TxnTaxDetail.TxnTaxCodeRef } : {}),
      TotalTax: 0,
    },
    TotalAmt: 0,
    ...(entity.Balance !== undefined ? { Balance: 0 } : {}),
  };
}

function pick(input: Entity, keys: string[]): Entity {
  const out: Entity = {};
  for (const key of keys) if (input[key] !== undefined) out[key] = input[key];
  return out;
}

function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? date : new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}
