/**
 * Sales tax as QuickBooks computes it, per company kind (model.ts TaxModel). Amounts are rounded per rate,
 * as the TaxLine amounts QuickBooks reports add up to TotalTax.
 */
import type { Company, Entity } from '../model.js';
import { faults } from './faults.js';

export interface TaxableLine {
  amount: number;
  /** `TAX`/`NON` in a US company, a TaxCode Id in a per-line company. */
  taxCode: string;
}

export interface TaxResult {
  detail: Entity;
  total: number;
}

const US_LINE_CODES = new Set(['TAX', 'NON']);

/** The TaxCodeRef a sales line keeps (or a Fault for a missing/unknown one). */
export function lineTaxCode(company: Company, sent: unknown, lineIndex: number): string {
  const value = typeof sent === 'object' && sent !== null ? (sent as Entity).value : sent;
  const code = value === undefined || value === null || value === '' ? '' : String(value);
  if (company.taxModel !== 'per-line') {
    if (!code) return 'NON';
    if (!US_LINE_CODES.has(code)) throw faults.invalidLineReference('Line.SalesItemLineDetail.TaxCodeRef');
    return code;
  }
  // Canada: no default; QuickBooks refuses the whole transaction (6000) when a line has no GST/HST code.
  if (!code) {
    throw faults.businessValidation(
      `Make sure all your transactions have a GST/HST rate before you save. (line ${lineIndex + 1})`,
    );
  }
  const taxCode = company.entities.TaxCode.get(code);
  if (!taxCode || taxCode.Active === false) {
    throw faults.invalidLineReference('Line.SalesItemLineDetail.TaxCodeRef');
  }
  return code;
}

function rateLines(company: Company, codeId: string): { id: string; percent: number }[] {
  const code = company.entities.TaxCode.get(codeId);
  const details: Entity[] = code?.SalesTaxRateList?.TaxRateDetail ?? [];
  return details.map((d) => {
    const rateId = String(d.TaxRateRef?.value);
    return { id: rateId, percent: Number(company.entities.TaxRate.get(rateId)?.RateValue ?? 0) };
  });
}

/** The combined code automated sales tax picks for a customer: by ship-to state, else bill-to, else home. */
export function automatedCodeFor(company: Company, customer: Entity): string | undefined {
  const region = customer.ShipAddr?.CountrySubDivisionCode ?? customer.BillAddr?.CountrySubDivisionCode;
  const byRegion = region ? company.taxRegions[region] : undefined;
  if (byRegion && company.entities.TaxCode.get(byRegion)?.Active !== false) return byRegion;
  return company.homeTaxCodeId;
}

/**
 * TxnTaxDetail and the tax total. `discountFactor` scales taxable amounts when the discount applies before
 * tax (ApplyTaxAfterDiscount: true).
 */
export function computeTax(
  company: Company,
  customer: Entity,
  lines: TaxableLine[],
  discountFactor: number,
): TaxResult {
  if (company.taxModel === 'none') return { detail: { TotalTax: 0 }, total: 0 };
  const net = new Map<string, number>(); // rate id → net amount taxable
  let codeRef: string | undefined;
  if (company.taxModel === 'automated') {
    codeRef = automatedCodeFor(company, customer);
    const taxable = lines.filter((l) => l.taxCode === 'TAX').reduce((s, l) => s + l.amount, 0);
    // A tax-exempt customer (Taxable false) pays no tax; the code is still reported.
    if (codeRef && customer.Taxable !== false && taxable !== 0) {
      for (const r of rateLines(company, codeRef))
        net.set(r.id, (net.get(r.id) ?? 0) + taxable * discountFactor);
    }
  } else {
    for (const line of lines) {
      for (const r of rateLines(company, line.taxCode)) {
        net.set(r.id, (net.get(r.id) ?? 0) + line.amount * discountFactor);
      }
    }
  }
  const taxLines: Entity[] = [];
  let total = 0;
  for (const [rateId, amount] of net) {
    const percent = Number(company.entities.TaxRate.get(rateId)?.RateValue ?? 0);
    const tax = round2((amount * percent) / 100);
    total += tax;
    taxLines.push({
      Amount: tax,
      DetailType: 'TaxLineDetail',
      TaxLineDetail: {
        TaxRateRef: { value: rateId },
        PercentBased: true,
        TaxPercent: percent,
        NetAmountTaxable: round2(amount),
      },
    });
  }
  total = round2(total);
  const detail: Entity = codeRef
    ? { TxnTaxCodeRef: { value: codeRef }, TotalTax: total }
    : { TotalTax: total };
  if (taxLines.length) detail.TaxLine = taxLines;
  return { detail, total };
}

export function round2(n: number): number {
  return Math.round((n + Number.EPSILON * Math.sign(n)) * 100) / 100;
}
