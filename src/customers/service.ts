/**
 * Customers: checked, stored, and announced to the sync through hooks.recordChange in the same
 * transaction as the write. The *FromQuickBooks methods are for the inbound sync: they write without
 * recording a change, so an update that came from QuickBooks is not pushed back to it.
 */
import type { Transaction } from '../db/transaction.js';
import { type FieldErrors, NotFoundError, ValidationError } from '../http/errors.js';
import type { RecordServiceDeps } from '../records/deps.js';
import type { LinkSummary } from '../records/hooks.js';
import { PAGE_SIZE, type Page, type PageRequest, pageRequest, paginate } from '../records/paging.js';
import { parseId } from '../records/params.js';
import { listWithSyncStates, type SyncColumn } from '../records/sync-column.js';
import { isUniqueViolation } from '../records/unique-violation.js';
import type { CustomerDocumentsRepository } from './documents-repository.js';
import type { CustomerOption, CustomersRepository } from './repository.js';
import {
  CUSTOMER_FIELDS,
  CUSTOMER_LIMITS,
  type Customer,
  type CustomerFormValues,
  type CustomerInput,
} from './types.js';

/** Matches the picker's JSON search answers with. */
export const PICKER_SEARCH_LIMIT = 20;
/** Options the picker's plain <select> lists without JavaScript. */
export const PICKER_SELECT_LIMIT = 100;

export interface CustomerPicker {
  options: CustomerOption[];
  /** How many customers match the query (all customers without one). */
  total: number;
  query: string;
  /** More customers match than are listed. */
  limited: boolean;
  selectedId: string;
}

const DUPLICATE_NAME = 'A customer with this display name already exists.';

/** The form's text, whatever shape the body has. */
export function customerFormValues(body: unknown): CustomerFormValues {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values = {} as CustomerFormValues;
  for (const key of CUSTOMER_FIELDS) values[key] = typeof b[key] === 'string' ? (b[key] as string) : '';
  return values;
}

/** Checks and trims a customer; throws a ValidationError with a message per field. */
export function checkCustomer(values: CustomerInput): CustomerInput {
  const fields = {} as CustomerFormValues;
  const errors: FieldErrors = {};
  for (const key of CUSTOMER_FIELDS) {
    // Only billingRegion may be absent (see CustomerInput): then it is left out, not blanked.
    const raw = values[key];
    if (raw === undefined) continue;
    fields[key] = raw.trim();
    if (fields[key].length > CUSTOMER_LIMITS[key])
      errors[key] = `Use at most ${CUSTOMER_LIMITS[key]} characters.`;
  }
  fields.displayName = fields.displayName.replace(/\s+/g, ' ');
  if (!fields.displayName) errors.displayName = 'Enter a display name.';
  // QuickBooks refuses a DisplayName with a colon (its sub-customer separator), a tab or a newline.
  else if (/[:\t\n]/.test(values.displayName.trim()))
    errors.displayName = 'A display name cannot contain ":".';
  if (fields.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(fields.email))
    errors.email = 'Enter a valid email address.';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return fields;
}

export class CustomersService {
  private readonly repo: CustomersRepository;

  constructor(
    private readonly deps: RecordServiceDeps & {
      customers: CustomersRepository;
      documents: CustomerDocumentsRepository;
    },
  ) {
    this.repo = deps.customers;
  }

  /** A page of the list, searched (`?q=`) and filtered by QuickBooks state (`?quickbooks=`). */
  async list(
    query: PageRequest & { quickbooks?: unknown },
    pageSize = PAGE_SIZE,
  ): Promise<Page<Customer> & SyncColumn> {
    return listWithSyncStates(this.deps.hooks, 'customer', query, 'customers.id', (where) =>
      paginate(pageRequest(query), pageSize, (o) => this.repo.list({ ...o, where })),
    );
  }

  async get(id: number): Promise<Customer> {
    const customer = await this.repo.findById(id);
    if (!customer) throw new NotFoundError('We could not find that customer.');
    return customer;
  }

  findById(id: number, trx?: Transaction): Promise<Customer | undefined> {
    return this.repo.findById(id, trx);
  }

  /** Case- and space-insensitive, like the unique index: "acme  av" finds "ACME AV". */
  findByDisplayName(displayName: string, trx?: Transaction): Promise<Customer | undefined> {
    return this.repo.findByDisplayName(displayName, trx);
  }

  options(): Promise<{ id: number; displayName: string; active: boolean }[]> {
    return this.repo.options();
  }

  /** The customer picker's search (JSON endpoint): at most PICKER_SEARCH_LIMIT matches. */
  async search(q: unknown): Promise<CustomerOption[]> {
    const query = typeof q === 'string' ? q.slice(0, 100) : '';
    return (await this.repo.search(query, PICKER_SEARCH_LIMIT)).items;
  }

  /**
   * What the picker's plain <select> lists without JavaScript: the matches of `query` (or the first
   * customers by name), at most PICKER_SELECT_LIMIT, plus the chosen customer wherever it sorts. A
   * 10,000-option select would be megabytes of HTML; the search box narrows it instead.
   */
  async picker(input: { selectedId: string; query: unknown }): Promise<CustomerPicker> {
    const query = typeof input.query === 'string' ? input.query.trim().slice(0, 100) : '';
    const { items, total } = await this.repo.search(query, PICKER_SELECT_LIMIT);
    const id = parseId(input.selectedId);
    const selected = id ? await this.repo.findById(id) : undefined;
    const options = [...items];
    if (selected && !options.some((o) => o.id === selected.id)) {
      options.unshift({
        id: selected.id,
        displayName: selected.displayName,
        companyName: selected.companyName,
        active: selected.active,
      });
    }
    return { options, total, query, limited: total > items.length, selectedId: input.selectedId };
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /** The customer's estimates and invoices, newest first, for their page. */
  documents(id: number) {
    return this.deps.documents.forCustomer(id);
  }

  linksFor(id: number): Promise<LinkSummary[]> {
    return this.deps.hooks.linksFor('customer', id);
  }

  async create(values: CustomerInput): Promise<Customer> {
    const fields = checkCustomer(values);
    return this.deps.transaction(async (trx) => {
      const customer = await this.insertUnique(trx, fields);
      await this.deps.hooks.recordChange(trx, { type: 'customer', id: customer.id, action: 'create' });
      return customer;
    });
  }

  async update(id: number, values: CustomerInput): Promise<Customer> {
    const fields = checkCustomer(values);
    return this.deps.transaction(async (trx) => {
      const customer = await this.updateUnique(trx, id, fields);
      await this.deps.hooks.recordChange(trx, { type: 'customer', id, action: 'update' });
      return customer;
    });
  }

  /**
   * Inbound sync: stores a customer that exists in QuickBooks, without recording a change. Pass the
   * sync's transaction to write the customer and its link together. Throws a ValidationError when the
   * display name is taken (look it up with findByDisplayName first to link instead).
   */
  async createFromQuickBooks(
    fields: CustomerInput & { active?: boolean },
    trx?: Transaction,
  ): Promise<Customer> {
    const checked = { ...checkCustomer(fields), active: fields.active ?? true };
    if (trx) return this.insertUnique(trx, checked);
    return this.deps.transaction((t) => this.insertUnique(t, checked));
  }

  /** Inbound sync: overwrites a customer with QuickBooks' values, without recording a change. */
  async applyFromQuickBooks(
    id: number,
    fields: CustomerInput & { active?: boolean },
    trx?: Transaction,
  ): Promise<Customer> {
    const checked = { ...checkCustomer(fields), active: fields.active };
    if (trx) return this.updateUnique(trx, id, checked);
    return this.deps.transaction((t) => this.updateUnique(t, id, checked));
  }

  private async insertUnique(trx: Transaction, fields: CustomerInput & { active?: boolean }) {
    if (await this.repo.findByDisplayName(fields.displayName, trx)) {
      throw new ValidationError({ displayName: DUPLICATE_NAME });
    }
    return this.uniqueName(() => this.repo.insert(fields, trx));
  }

  private async updateUnique(
    trx: Transaction,
    id: number,
    fields: CustomerInput & { active?: boolean },
  ): Promise<Customer> {
    if (!(await this.repo.findById(id, trx))) throw new NotFoundError('We could not find that customer.');
    const other = await this.repo.findByDisplayName(fields.displayName, trx);
    if (other && other.id !== id) throw new ValidationError({ displayName: DUPLICATE_NAME });
    return this.uniqueName(() => this.repo.update(id, fields, trx));
  }

  /** A concurrent request that took the name between our check and our write hits the index. */
  private async uniqueName<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ValidationError({ displayName: DUPLICATE_NAME });
      throw err;
    }
  }
}
