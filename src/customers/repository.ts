import type { Knex } from 'knex';
import { nowIso } from '../db/index.js';
import type { SyncCondition } from '../records/hooks.js';
import type { Customer, CustomerInput } from './types.js';

interface CustomerRow {
  id: number;
  display_name: string;
  display_name_key: string;
  company_name: string;
  email: string;
  phone: string;
  billing_line1: string;
  billing_city: string;
  billing_region: string;
  billing_postal_code: string;
  billing_country: string;
  active: boolean | number;
  created_at: string;
  updated_at: string;
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: Number(row.id),
    displayName: row.display_name,
    companyName: row.company_name,
    email: row.email,
    phone: row.phone,
    billingLine1: row.billing_line1,
    billingCity: row.billing_city,
    billingRegion: row.billing_region,
    billingPostalCode: row.billing_postal_code,
    billingCountry: row.billing_country,
    // SQLite stores booleans as 0/1.
    active: Boolean(row.active),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface CustomerOption {
  id: number;
  displayName: string;
  companyName: string;
  active: boolean;
}

function toOption(r: { id: number; display_name: string; company_name?: string; active: boolean | number }) {
  return {
    id: Number(r.id),
    displayName: r.display_name,
    companyName: r.company_name ?? '',
    active: Boolean(r.active),
  };
}

/** The key the unique index is on: case, surrounding and repeated spaces do not make a new name. */
export function displayNameKey(displayName: string): string {
  return displayName.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** A LIKE pattern that matches `q` literally anywhere (with `escape '\'`). */
export function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function toColumns(fields: Partial<CustomerInput>): Record<string, unknown> {
  const map: Record<keyof CustomerInput, string> = {
    displayName: 'display_name',
    companyName: 'company_name',
    email: 'email',
    phone: 'phone',
    billingLine1: 'billing_line1',
    billingCity: 'billing_city',
    billingRegion: 'billing_region',
    billingPostalCode: 'billing_postal_code',
    billingCountry: 'billing_country',
  };
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(map)) {
    const value = fields[key as keyof CustomerInput];
    if (value !== undefined) row[column] = value;
  }
  if (fields.displayName !== undefined) row.display_name_key = displayNameKey(fields.displayName);
  return row;
}

/** Customers table. Methods that take part in a transaction take it as their last argument (decision 007). */
export class CustomersRepository {
  constructor(private readonly db: Knex) {}

  async findById(id: number, trx: Knex = this.db): Promise<Customer | undefined> {
    const row = await trx<CustomerRow>('customers').where({ id }).first();
    return row ? toCustomer(row) : undefined;
  }

  async findByDisplayName(displayName: string, trx: Knex = this.db): Promise<Customer | undefined> {
    const row = await trx<CustomerRow>('customers')
      .where({ display_name_key: displayNameKey(displayName) })
      .first();
    return row ? toCustomer(row) : undefined;
  }

  async count(): Promise<number> {
    const row = await this.db('customers').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** Newest first; `q` matches display name, company or email, case-insensitively. */
  async list(options: {
    q: string;
    offset: number;
    limit: number;
    /** The sync's condition on `customers.id` (the list's QuickBooks filter). */
    where?: SyncCondition;
  }): Promise<{ items: Customer[]; total: number }> {
    const base = this.db('customers');
    if (options.where) base.whereRaw(options.where.sql, options.where.bindings);
    if (options.q) {
      const pattern = containsPattern(options.q);
      base.where((w) => {
        for (const column of ['display_name', 'company_name', 'email']) {
          w.orWhereRaw(`lower(${column}) like ? escape '\\'`, [pattern]);
        }
      });
    }
    const [{ n }] = await base.clone().count<{ n: number | string }[]>({ n: '*' });
    const rows = await base.select('*').orderBy('id', 'desc').offset(options.offset).limit(options.limit);
    return { items: (rows as CustomerRow[]).map(toCustomer), total: Number(n) };
  }

  /**
   * Customers whose name, company or email contains `q` (all without `q`): names that start with `q`
   * first, then by name; at most `limit`. For the customer picker: an indexed sort and a LIMIT, so it
   * stays fast with many thousands of customers.
   */
  async search(q: string, limit: number): Promise<{ items: CustomerOption[]; total: number }> {
    const base = this.db('customers');
    const query = displayNameKey(q);
    if (query) {
      const pattern = containsPattern(query);
      base.where((w) => {
        for (const column of ['display_name_key', 'company_name', 'email']) {
          w.orWhereRaw(`lower(${column}) like ? escape '\\'`, [pattern]);
        }
      });
    }
    const [{ n }] = await base.clone().count<{ n: number | string }[]>({ n: '*' });
    const rows = base.clone().select('id', 'display_name', 'company_name', 'active');
    if (query) {
      rows.orderByRaw(`case when display_name_key like ? escape '\\' then 0 else 1 end`, [
        `${containsPattern(query).slice(1)}`,
      ]);
    }
    const found = await rows.orderBy('display_name_key', 'asc').limit(limit);
    return { items: found.map(toOption), total: Number(n) };
  }

  /** id and name of every customer, for a document's customer <select>. */
  async options(): Promise<{ id: number; displayName: string; active: boolean }[]> {
    const rows = await this.db('customers')
      .select('id', 'display_name', 'active')
      .orderBy('display_name_key', 'asc');
    return rows.map((r) => ({ id: Number(r.id), displayName: r.display_name, active: Boolean(r.active) }));
  }

  async insert(fields: CustomerInput & { active?: boolean }, trx: Knex = this.db): Promise<Customer> {
    const now = nowIso();
    const [row] = await trx('customers')
      .insert({ ...toColumns(fields), active: fields.active ?? true, created_at: now, updated_at: now })
      .returning('*');
    return toCustomer(row as CustomerRow);
  }

  async update(
    id: number,
    fields: Partial<CustomerInput> & { active?: boolean },
    trx: Knex = this.db,
  ): Promise<Customer> {
    const changes: Record<string, unknown> = { ...toColumns(fields), updated_at: nowIso() };
    if (fields.active !== undefined) changes.active = fields.active;
    const [row] = await trx('customers').where({ id }).update(changes).returning('*');
    return toCustomer(row as CustomerRow);
  }
}
