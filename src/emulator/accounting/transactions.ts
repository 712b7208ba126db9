import { qboDate } from '../clock.js';
import type { Company, Entity } from '../seed.js';
import { docIndex } from './doc-index.js';
import { faults } from './faults.js';

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
  const lines = buildLines(company, input.Line, voided);
  const total = round2(
    lines.reduce((sum, l) => {
      if (l.DetailType === 'SalesItemLineDetail') return sum + l.Amount;
      if (l.DetailType === 'DiscountLineDetail') return sum - l.Amount;
      return sum;
    }, 0),
  );
  lines.push({ Amount: total, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} });

  const docNumber = resolveDocNumber(company, name, input.DocNumber ?? opts.existing?.DocNumber, opts);
  const txnDate = typeof input.TxnDate === 'string' ? input.TxnDate : qboDate(nowMs);
  const common = {
    CustomField: input.CustomField ?? [{ DefinitionId: '1', Name: 'Crew #', Type: 'StringType' }],
    DocNumber: docNumber,
    TxnDate: txnDate,
    CurrencyRef: input.CurrencyRef ?? { value: 'USD', name: 'United States Dollar' },
    LinkedTxn: input.LinkedTxn ?? [],
    Line: lines,
    TxnTaxDetail: input.TxnTaxDetail ?? { TotalTax: 0 },
    CustomerRef: { value: customer.Id, name: customer.DisplayName },
    BillAddr: input.BillAddr ?? customer.BillAddr,
    ShipAddr: input.ShipAddr ?? customer.ShipAddr,
  };
  const statuses = {
    ApplyTaxAfterDiscount: input.ApplyTaxAfterDiscount ?? false,
    PrintStatus: input.PrintStatus ?? 'NeedToPrint',
    EmailStatus: input.EmailStatus ?? 'NotSet',
  };
  const passthrough = pick(input, ['PrivateNote', 'CustomerMemo', 'BillEmail', 'ExpirationDate', 'ShipDate']);
  if (name === 'Invoice') {
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
      Balance: total,
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

function buildLines(company: Company, rawLines: unknown[], voided: boolean): Entity[] {
  const out: Entity[] = [];
  const usedIds = new Set<string>();
  for (const raw of rawLines) {
    if (typeof raw !== 'object' || raw === null)
      throw faults.invalidProperty('Line must be an array of objects');
    const line = raw as Entity;
    if (!line.DetailType) throw faults.requiredParam('Line.DetailType');
    if (line.DetailType === 'SubTotalLineDetail') continue; // recomputed, as QBO does
    const built: Entity = { ...line };
    if (line.DetailType === 'SalesItemLineDetail') {
      if (line.Amount === undefined || line.Amount === null) throw faults.requiredParam('Line.Amount');
      const amount = Number(line.Amount);
      if (!Number.isFinite(amount))
        throw faults.invalidProperty(`Line.Amount is not a number: ${line.Amount}`);
      const detail: Entity = { ...(line.SalesItemLineDetail ?? {}) };
      const qty = detail.Qty === undefined ? undefined : Number(detail.Qty);
      const price = detail.UnitPrice === undefined ? undefined : Number(detail.UnitPrice);
      if (!voided && qty !== undefined && price !== undefined && Math.abs(qty * price - amount) > 0.005) {
        throw faults.amountMismatch(amount);
      }
      const itemId = String(detail.ItemRef?.value ?? '1');
      const item = company.entities.Item.get(itemId);
      if (!item) throw faults.invalidReference('Item', itemId);
      detail.ItemRef = { value: item.Id, name: item.Name };
      detail.TaxCodeRef = detail.TaxCodeRef ?? { value: 'NON' };
      built.Amount = voided ? 0 : round2(amount);
      built.SalesItemLineDetail = detail;
    } else if (line.DetailType === 'DiscountLineDetail') {
      built.Amount = round2(Number(line.Amount ?? 0));
    }
    out.push(built);
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
  return out;
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

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
