/**
 * Reads the records a push needs, many at a time (a bulk push of thousands of invoices would otherwise
 * cost two queries per record). Read-only; the records domain owns every write.
 */
import type { Knex } from 'knex';
import type { CustomerFields } from '../../customers/types.js';
import type { LineAccounting } from '../../documents/types.js';

/** The customer fields a push sends (the sync depends on the domain's types, never the reverse). */
export type CustomerSnapshot = CustomerFields & { id: number; billingRegion: string };

export interface LineSnapshot extends LineAccounting {
  description: string;
  quantityThousandths: number;
  unitPriceCents: number;
  amountCents: number;
}

export interface DocumentSnapshot {
  id: number;
  customerId: number;
  docNumber: string;
  txnDate: string;
  closingDate: string | null;
  memo: string;
  status: string;
  /** Lines managed in QuickBooks: never sent back. */
  managed: boolean;
  lines: LineSnapshot[];
}

const DOCS = {
  estimate: { table: 'estimates', lines: 'estimate_lines', fk: 'estimate_id', closing: 'expiration_date' },
  invoice: { table: 'invoices', lines: 'invoice_lines', fk: 'invoice_id', closing: 'due_date' },
} as const;

function chunks<T>(list: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export class RecordsReader {
  constructor(private readonly db: Knex) {}

  async customers(ids: number[]): Promise<Map<number, CustomerSnapshot>> {
    const map = new Map<number, CustomerSnapshot>();
    for (const part of chunks(ids)) {
      for (const r of await this.db('customers').whereIn('id', part)) {
        map.set(Number(r.id), {
          id: Number(r.id),
          displayName: r.display_name,
          companyName: r.company_name,
          email: r.email,
          phone: r.phone,
          billingLine1: r.billing_line1,
          billingCity: r.billing_city,
          billingRegion: r.billing_region ?? '',
          billingPostalCode: r.billing_postal_code,
          billingCountry: r.billing_country,
        });
      }
    }
    return map;
  }

  async documents(kind: 'estimate' | 'invoice', ids: number[]): Promise<Map<number, DocumentSnapshot>> {
    const t = DOCS[kind];
    const map = new Map<number, DocumentSnapshot>();
    for (const part of chunks(ids)) {
      for (const r of await this.db(t.table).whereIn('id', part)) {
        map.set(Number(r.id), {
          id: Number(r.id),
          customerId: Number(r.customer_id),
          docNumber: r.doc_number,
          txnDate: r.txn_date,
          closingDate: r[t.closing],
          memo: r.memo,
          status: r.status,
          managed: Boolean(r.managed_lines_json),
          lines: [],
        });
      }
      const lines = await this.db(t.lines)
        .whereIn(t.fk, part)
        .orderBy([{ column: t.fk }, { column: 'position' }]);
      for (const l of lines) {
        map.get(Number(l[t.fk]))?.lines.push({
          description: l.description,
          quantityThousandths: Number(l.quantity_thousandths),
          unitPriceCents: Number(l.unit_price_cents),
          amountCents: Number(l.amount_cents),
          itemId: l.item_id ?? null,
          itemName: l.item_name ?? null,
          taxCodeId: l.tax_code_id ?? null,
          taxable: l.taxable === null || l.taxable === undefined ? null : Boolean(l.taxable),
          serviceDate: l.service_date ?? null,
          externalLineId: l.qbo_line_id ?? null,
        });
      }
    }
    return map;
  }

  /** Every record id, for a full push. */
  async allIds(): Promise<{ customers: number[]; estimates: number[]; invoices: number[] }> {
    const ids = async (table: string, where?: Record<string, unknown>) =>
      (
        await this.db(table)
          .where(where ?? {})
          .orderBy('id')
          .pluck('id')
      ).map(Number);
    return {
      customers: await ids('customers'),
      estimates: await ids('estimates', { status: 'open' }),
      invoices: await ids('invoices', { status: 'open' }),
    };
  }
}
