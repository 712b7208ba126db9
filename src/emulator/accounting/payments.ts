/**
 * Payments: a Payment's lines apply amounts to invoices (LinkedTxn), which lowers their Balance; QuickBooks
 * links the payment back on the invoice. Shapes as in Intuit's Payment reference.
 */
import type { Company, Entity } from '../model.js';
import { faults } from './faults.js';
import { round2 } from './tax.js';

export interface Application {
  invoiceId: string;
  amount: number;
}

export function applicationsOf(payment: Entity | undefined): Application[] {
  if (!payment || !Array.isArray(payment.Line)) return [];
  const out: Application[] = [];
  for (const line of payment.Line as Entity[]) {
    for (const link of (line.LinkedTxn ?? []) as Entity[]) {
      if (link.TxnType === 'Invoice')
        out.push({ invoiceId: String(link.TxnId), amount: Number(line.Amount) });
    }
  }
  return out;
}

/** The stored form of a Payment; checks that each applied invoice is the customer's and can take it. */
export function buildPayment(
  company: Company,
  input: Entity,
  existing: Entity | undefined,
  today: string,
): Entity {
  const customerId = String(input.CustomerRef?.value ?? '');
  if (!customerId) throw faults.requiredParam('CustomerRef');
  const customer = company.entities.Customer.get(customerId);
  if (!customer || customer.Active === false) throw faults.invalidReference('Customer', customerId);
  if (input.TotalAmt === undefined || input.TotalAmt === null) throw faults.requiredParam('TotalAmt');
  const total = round2(Number(input.TotalAmt));
  if (!Number.isFinite(total) || total < 0)
    throw faults.invalidProperty(`TotalAmt is not valid: ${input.TotalAmt}`);
  const before = new Map(applicationsOf(existing).map((a) => [a.invoiceId, a.amount]));
  const lines: Entity[] = [];
  let applied = 0;
  for (const raw of (Array.isArray(input.Line) ? input.Line : []) as Entity[]) {
    const amount = round2(Number(raw.Amount));
    if (!Number.isFinite(amount) || amount <= 0)
      throw faults.invalidProperty('Line.Amount must be more than 0');
    const link = (raw.LinkedTxn ?? [])[0] as Entity | undefined;
    if (link?.TxnType !== 'Invoice') throw faults.requiredParam('Line.LinkedTxn');
    const invoice = company.entities.Invoice.get(String(link.TxnId));
    if (!invoice || invoice.CustomerRef?.value !== customerId) {
      throw faults.invalidLineReference('Line.LinkedTxn.TxnId');
    }
    const open = round2(Number(invoice.Balance) + (before.get(invoice.Id) ?? 0));
    if (amount > open + 0.001) {
      throw faults.businessValidation(
        `The payment amount applied to invoice ${invoice.DocNumber} is more than its open balance of ${open}.`,
      );
    }
    applied += amount;
    lines.push({ Amount: amount, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] });
  }
  if (round2(applied) > total) {
    throw faults.businessValidation('The amounts applied to invoices are more than the payment total.');
  }
  return {
    CustomerRef: { value: customer.Id, name: customer.DisplayName },
    DepositToAccountRef: input.DepositToAccountRef ?? { value: '4', name: 'Undeposited Funds' },
    ...pickDefined(input, ['PaymentMethodRef', 'PaymentRefNum', 'PrivateNote']),
    TotalAmt: total,
    UnappliedAmt: round2(total - applied),
    ProcessPayment: false,
    TxnDate: typeof input.TxnDate === 'string' ? input.TxnDate : today,
    CurrencyRef: company.currency,
    Line: lines,
  };
}

function pickDefined(input: Entity, keys: string[]): Entity {
  const out: Entity = {};
  for (const k of keys) if (input[k] !== undefined) out[k] = input[k];
  return out;
}
