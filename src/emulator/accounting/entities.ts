import { qboTimestamp, truncateToSecond } from '../clock.js';
import type { Company, Entity, EntityName } from '../seed.js';
import { reindex } from './doc-index.js';
import { faults, QboFault } from './faults.js';
import { buildTxn, round2, voidTxn } from './transactions.js';

export type Operation = 'Create' | 'Update' | 'Delete' | 'Void';
export type ChangeListener = (
  realmId: string,
  entity: EntityName,
  id: string,
  op: Operation,
  atMs: number,
) => void;

const DISPLAY_NAME_MAX = 500;
const SYSTEM_FIELDS = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'status'];

/**
 * One company's books: the rules QBO applies to Customer, Estimate and Invoice writes. Every successful
 * write reports to `onChange` (webhooks). Throws QboFault for anything QBO would refuse.
 */
export class Books {
  constructor(
    readonly company: Company,
    private readonly now: () => number,
    private readonly onChange: ChangeListener,
  ) {}

  read(name: EntityName, id: string): Entity {
    if (!/^\d+$/.test(id)) throw faults.invalidId(id);
    const entity = this.company.entities[name].get(id);
    if (!entity) throw faults.notFound();
    return entity;
  }

  create(name: EntityName, input: Entity, opts: { allowDuplicateDocNum?: boolean } = {}): Entity {
    writable(name);
    if (input.Id !== undefined && input.Id !== null && input.Id !== '') {
      // A body with an Id is an update at Intuit (same endpoint).
      return this.update(name, input, opts);
    }
    const at = this.stamp();
    const id = this.nextId(name);
    const body = this.build(name, stripSystem(input), at, { id, ...opts });
    const entity = withMeta(body, id, '0', at, at);
    this.company.entities[name].set(id, entity);
    reindex(this.company.entities[name], undefined, entity);
    this.afterWrite(name, entity, undefined, 'Create', at);
    return entity;
  }

  /** Full update unless `sparse: true`; in a sparse update a sent Line array replaces all lines. */
  update(
    name: EntityName,
    input: Entity,
    opts: { allowDuplicateDocNum?: boolean; skipSyncToken?: boolean } = {},
  ) {
    writable(name);
    const existing = this.checkVersion(name, input, opts.skipSyncToken);
    const at = this.stamp();
    const sparse = input.sparse === true || input.sparse === 'true';
    const desired = sparse ? { ...stripSystem(existing), ...stripSystem(input) } : stripSystem(input);
    const body = this.build(name, desired, at, { id: existing.Id, existing, ...opts });
    const entity = withMeta(body, existing.Id, bump(existing.SyncToken), existing.MetaData.CreateTime, at);
    this.company.entities[name].set(existing.Id, entity);
    reindex(this.company.entities[name], existing, entity);
    this.afterWrite(name, entity, existing, 'Update', at);
    return entity;
  }

  /** `?operation=delete`: Estimate and Invoice only (customers are made inactive instead). */
  delete(name: EntityName, input: Entity, opts: { skipSyncToken?: boolean } = {}): Entity {
    if (name !== 'Estimate' && name !== 'Invoice') {
      throw faults.unsupportedOperation(`Operation Delete is not supported for ${name}`);
    }
    const existing = this.checkVersion(name, input, opts.skipSyncToken);
    const at = this.stamp();
    this.company.entities[name].delete(existing.Id);
    reindex(this.company.entities[name], existing, undefined);
    this.company.voided.delete(existing.Id);
    this.company.tombstones[name].set(existing.Id, { Id: existing.Id, LastUpdatedTime: qboTimestamp(at) });
    this.afterWrite(name, undefined, existing, 'Delete', at);
    return { domain: 'QBO', status: 'Deleted', Id: existing.Id };
  }

  /** `?operation=void`: Invoice only (QBO cannot void an Estimate). */
  void(name: EntityName, input: Entity, opts: { skipSyncToken?: boolean } = {}): Entity {
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
    this.company.entities[name].set(existing.Id, entity);
    reindex(this.company.entities[name], existing, entity);
    this.afterWrite(name, entity, existing, 'Void', at);
    return entity;
  }

  private build(
    name: EntityName,
    input: Entity,
    at: number,
    opts: { id: string; existing?: Entity },
  ): Entity {
    if (name === 'Customer') return this.buildCustomer(input, opts.id);
    return buildTxn(this.company, name as 'Estimate' | 'Invoice', input, at, opts);
  }

  private buildCustomer(input: Entity, id: string): Entity {
    const derived = [input.Title, input.GivenName, input.MiddleName, input.FamilyName, input.Suffix]
      .filter((p) => typeof p === 'string' && p.trim() !== '')
      .join(' ');
    const displayName = String(input.DisplayName ?? (derived || input.CompanyName || '')).trim();
    if (!displayName) throw faults.requiredParam('DisplayName');
    if (displayName.length > DISPLAY_NAME_MAX)
      throw faults.stringLength('DisplayName', DISPLAY_NAME_MAX, displayName);
    const lower = displayName.toLowerCase();
    for (const other of this.company.entities.Customer.values()) {
      if (other.Id !== id && String(other.DisplayName).toLowerCase() === lower) throw faults.duplicateName();
    }
    const balance = Number(this.company.entities.Customer.get(id)?.Balance ?? 0);
    // Defaults exactly as fixtures/qbo/entities/customer-create.qbo_api.json shows them.
    return {
      Taxable: true,
      Job: false,
      BillWithParent: false,
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      PreferredDeliveryMethod: 'Print',
      Active: true,
      DefaultTaxCodeRef: { value: '2' },
      ...input,
      Balance: balance,
      BalanceWithJobs: balance,
      FullyQualifiedName: displayName,
      DisplayName: displayName,
      PrintOnCheckName: input.PrintOnCheckName ?? displayName,
    };
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
    if (name === 'Invoice') {
      // Keep the customer's open balance current by the change of this invoice alone: scanning every
      // invoice on every write made large pushes quadratic.
      const delta = new Map<string, number>();
      const add = (e: Entity | undefined, sign: number) => {
        const customerId = e?.CustomerRef?.value as string | undefined;
        if (customerId) delta.set(customerId, (delta.get(customerId) ?? 0) + sign * Number(e?.Balance ?? 0));
      };
      add(entity, 1);
      add(before, -1);
      for (const [customerId, d] of delta) this.adjustCustomerBalance(customerId, d, at);
    }
    this.onChange(this.company.realmId, name, (entity ?? before)!.Id, op, at);
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

  private nextId(name: EntityName): string {
    const key = name === 'Estimate' || name === 'Invoice' ? 'txn' : name;
    this.company.counters[key] += 1;
    return String(this.company.counters[key]);
  }

  /** MetaData times have whole seconds on the wire, so the stored instant does too. */
  private stamp(): number {
    return truncateToSecond(this.now());
  }
}

function writable(name: EntityName): void {
  if (name === 'Item') throw faults.unsupportedOperation('The emulator serves Item read-only');
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
