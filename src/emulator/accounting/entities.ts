import { qboDate, qboTimestamp, truncateToSecond } from '../clock.js';
import { type Company, type Entity, type EntityName, NAME_ENTITIES } from '../model.js';
import { reindex } from './doc-index.js';
import { faults, QboFault } from './faults.js';
import { buildItem, buildPerson, buildTaxEntity, indexName } from './name-lists.js';
import { applicationsOf, buildPayment } from './payments.js';
import { checkProperties } from './properties.js';
import { round2 } from './tax.js';
import { buildTxn, voidTxn } from './transactions.js';

export type Operation = 'Create' | 'Update' | 'Delete' | 'Void';
export type ChangeListener = (
  realmId: string,
  entity: EntityName,
  id: string,
  op: Operation,
  atMs: number,
) => void;

export interface WriteOptions {
  allowDuplicateDocNum?: boolean;
  skipSyncToken?: boolean;
  /** A change made "inside QuickBooks" (control API, seeding): no API-only checks, tax setup writable. */
  insideQuickBooks?: boolean;
}

const SYSTEM_FIELDS = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'status'];
const PERSON_ENTITIES: readonly EntityName[] = NAME_ENTITIES;

/**
 * One company's books: the rules QBO applies to writes of every entity it holds. Every successful write
 * reports to `onChange` (webhooks). Throws QboFault for anything QBO would refuse.
 */
export class Books {
  constructor(
    readonly company: Company,
    private readonly now: () => number,
    private readonly onChange: ChangeListener,
  ) {}

  read(name: EntityName, id: string): Entity {
    if (!/^\d+$/.test(id) && !(name === 'TaxCode' && /^(TAX|NON)$/.test(id))) throw faults.invalidId(id);
    const entity = this.company.entities[name].get(id);
    if (!entity) throw faults.notFound();
    return entity;
  }

  create(name: EntityName, input: Entity, opts: WriteOptions = {}): Entity {
    this.writable(name, opts);
    if (input.Id !== undefined && input.Id !== null && input.Id !== '') {
      // A body with an Id is an update at Intuit (same endpoint).
      return this.update(name, input, opts);
    }
    if (!opts.insideQuickBooks) checkProperties(name, input);
    const at = this.stamp();
    const id = this.peekId(name);
    const body = this.build(name, stripSystem(input), at, { id, ...opts });
    this.takeId(name);
    const entity = withMeta(body, id, '0', at, at);
    this.store(name, undefined, entity);
    this.afterWrite(name, entity, undefined, 'Create', at);
    return entity;
  }

  /** Full update unless `sparse: true`; in a sparse update a sent Line array replaces all lines. */
  update(name: EntityName, input: Entity, opts: WriteOptions = {}) {
    this.writable(name, opts);
    if (!opts.insideQuickBooks) checkProperties(name, input);
    const existing = this.checkVersion(name, input, opts.skipSyncToken);
    const at = this.stamp();
    const sparse = input.sparse === true || input.sparse === 'true';
    const desired = sparse ? { ...stripSystem(existing), ...stripSystem(input) } : stripSystem(input);
    const body = this.build(name, desired, at, { id: existing.Id, existing, ...opts });
    const entity = withMeta(body, existing.Id, bump(existing.SyncToken), existing.MetaData.CreateTime, at);
    this.store(name, existing, entity);
    this.afterWrite(name, entity, existing, 'Update', at);
    return entity;
  }

  /** `?operation=delete`: transactions only (name-list entities are made inactive instead). */
  delete(name: EntityName, input: Entity, opts: WriteOptions = {}): Entity {
    if (name !== 'Estimate' && name !== 'Invoice' && name !== 'Payment') {
      throw faults.unsupportedOperation(`Operation Delete is not supported for ${name}`);
    }
    const existing = this.checkVersion(name, input, opts.skipSyncToken);
    const at = this.stamp();
    this.store(name, existing, undefined);
    this.company.voided.delete(existing.Id);
    this.company.tombstones[name].set(existing.Id, { Id: existing.Id, LastUpdatedTime: qboTimestamp(at) });
    this.afterWrite(name, undefined, existing, 'Delete', at);
    return { domain: 'QBO', status: 'Deleted', Id: existing.Id };
  }

  /** `?operation=void`: Invoice only (QBO cannot void an Estimate). */
  void(name: EntityName, input: Entity, opts: WriteOptions = {}): Entity {
    if (name !== 'Invoice') throw faults.unsupportedOperation(`Operation Void is not supported for ${name}`);
    const existing = this.checkVersion(name, input, opts.skipSyncToken);
    const at = this.stamp();
    const voided = voidTxn(existing);
    const entity = withMeta(
      stripSystem(voided),
      existing.Id,
      bump(existing.SyncToken),
      existing.MetaData.CreateTime,
      at,
    );
    this.company.voided.add(existing.Id);
    this.store(name, existing, entity);
    this.afterWrite(name, entity, existing, 'Void', at);
    return entity;
  }

  private writable(name: EntityName, opts: WriteOptions): void {
    if ((name === 'TaxCode' || name === 'TaxRate') && !opts.insideQuickBooks) {
      throw faults.unsupportedOperation(
        `${name} is set up in QuickBooks (TaxService), not written through this endpoint`,
      );
    }
  }

  private build(
    name: EntityName,
    input: Entity,
    at: number,
    opts: { id: string; existing?: Entity } & WriteOptions,
  ): Entity {
    switch (name) {
      case 'Customer':
      case 'Vendor':
      case 'Employee':
        return buildPerson(this.company, name, input, opts.id);
      case 'Item':
        return buildItem(this.company, input, opts.id);
      case 'TaxCode':
      case 'TaxRate':
        return buildTaxEntity(name, input);
      case 'Payment':
        return buildPayment(this.company, input, opts.existing, qboDate(at));
      default:
        return buildTxn(this.company, name, input, at, opts);
    }
  }

  private store(name: EntityName, before: Entity | undefined, after: Entity | undefined): void {
    const map = this.company.entities[name];
    if (after) map.set(after.Id, after);
    else if (before) map.delete(before.Id);
    if (name === 'Estimate' || name === 'Invoice') reindex(map, before, after);
    if (PERSON_ENTITIES.includes(name)) indexName(this.company, name, before, after);
  }

  private checkVersion(name: EntityName, input: Entity, skipSyncToken = false): Entity {
    if (input.Id === undefined || input.Id === null || input.Id === '') throw faults.requiredParam('Id');
    const existing = this.read(name, String(input.Id));
    if (skipSyncToken) return existing;
    if (input.SyncToken === undefined || input.SyncToken === null) throw faults.requiredParam('SyncToken');
    if (String(input.SyncToken) !== existing.SyncToken) throw faults.stale();
    return existing;
  }

  private afterWrite(
    name: EntityName,
    entity: Entity | undefined,
    before: Entity | undefined,
    op: Operation,
    at: number,
  ) {
    if (name === 'Invoice') this.balanceChanged(entity, before, at);
    if (name === 'Payment') this.applyPayment(entity, before, at);
    this.onChange(this.company.realmId, name, (entity ?? before)!.Id, op, at);
  }

  /**
   * Keeps the customer's open balance current by the change of this invoice alone: scanning every invoice
   * on every write made large pushes quadratic.
   */
  private balanceChanged(entity: Entity | undefined, before: Entity | undefined, at: number): void {
    const delta = new Map<string, number>();
    const add = (e: Entity | undefined, sign: number) => {
      const customerId = e?.CustomerRef?.value as string | undefined;
      if (customerId) delta.set(customerId, (delta.get(customerId) ?? 0) + sign * Number(e?.Balance ?? 0));
    };
    add(entity, 1);
    add(before, -1);
    for (const [customerId, d] of delta) this.adjustCustomerBalance(customerId, d, at);
  }

  /**
   * A payment (created, changed or deleted) moves the Balance of the invoices it applies to and links itself
   * on them; each such invoice is a changed invoice (new SyncToken, webhook), as in QuickBooks.
   */
  private applyPayment(payment: Entity | undefined, before: Entity | undefined, at: number): void {
    const change = new Map<string, number>();
    for (const a of applicationsOf(before))
      change.set(a.invoiceId, (change.get(a.invoiceId) ?? 0) + a.amount);
    for (const a of applicationsOf(payment))
      change.set(a.invoiceId, (change.get(a.invoiceId) ?? 0) - a.amount);
    const paymentId = (payment ?? before)!.Id;
    for (const [invoiceId, delta] of change) {
      const invoice = this.company.entities.Invoice.get(invoiceId);
      if (!invoice) continue;
      const linked = ((invoice.LinkedTxn ?? []) as Entity[]).filter(
        (l) => !(l.TxnType === 'Payment' && l.TxnId === paymentId),
      );
      if (payment && applicationsOf(payment).some((a) => a.invoiceId === invoiceId)) {
        linked.push({ TxnId: paymentId, TxnType: 'Payment' });
      }
      const updated = withMeta(
        { ...stripSystem(invoice), LinkedTxn: linked, Balance: round2(Number(invoice.Balance) + delta) },
        invoice.Id,
        bump(invoice.SyncToken),
        invoice.MetaData.CreateTime,
        at,
      );
      this.store('Invoice', invoice, updated);
      this.afterWrite('Invoice', updated, invoice, 'Update', at);
    }
  }

  /** QBO keeps a customer's open balance current; that touches LastUpdatedTime but not SyncToken. */
  private adjustCustomerBalance(customerId: string, delta: number, at: number): void {
    if (round2(delta) === 0) return;
    const customer = this.company.entities.Customer.get(customerId);
    if (!customer) return;
    const balance = round2(Number(customer.Balance ?? 0) + delta);
    this.company.entities.Customer.set(customerId, {
      ...customer,
      Balance: balance,
      BalanceWithJobs: balance,
      MetaData: { ...customer.MetaData, LastUpdatedTime: qboTimestamp(at) },
    });
  }

  private counterKey(name: EntityName): keyof Company['counters'] {
    if (PERSON_ENTITIES.includes(name)) return 'name';
    if (name === 'Estimate' || name === 'Invoice' || name === 'Payment') return 'txn';
    return name as 'Item' | 'TaxCode' | 'TaxRate';
  }

  /** The next Id, taken only once the entity was built (a refused create uses up no Id). */
  private peekId(name: EntityName): string {
    return String(this.company.counters[this.counterKey(name)] + 1);
  }

  private takeId(name: EntityName): void {
    this.company.counters[this.counterKey(name)] += 1;
  }

  /** MetaData times have whole seconds on the wire, so the stored instant does too. */
  private stamp(): number {
    return truncateToSecond(this.now());
  }
}

function withMeta(
  body: Entity,
  id: string,
  syncToken: string,
  createTime: string | number,
  at: number,
): Entity {
  return {
    ...body,
    domain: 'QBO',
    sparse: false,
    Id: id,
    SyncToken: syncToken,
    MetaData: {
      CreateTime: typeof createTime === 'number' ? qboTimestamp(createTime) : createTime,
      LastUpdatedTime: qboTimestamp(at),
    },
  };
}

function stripSystem(input: Entity): Entity {
  const out: Entity = {};
  for (const [key, value] of Object.entries(input)) if (!SYSTEM_FIELDS.includes(key)) out[key] = value;
  return out;
}

function bump(syncToken: string): string {
  return String(Number(syncToken) + 1);
}

export { QboFault };
