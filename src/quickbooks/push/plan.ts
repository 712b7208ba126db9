/**
 * Plan: from claimed outbox items to the writes to send. Reads the records (many at a time), leaves out
 * what needs no write (a record gone, a document voided or deleted in QuickBooks), defers a document whose
 * customer is not in QuickBooks yet, and links every record to what QuickBooks already has: the stored
 * link, else a QuickBooks record with the same display name (customer) or number (document), so that
 * nothing is created twice.
 */
import type { RecordType } from '../../records/hooks.js';
import type { QboClient } from '../intuit/client.js';
import type { Customer, Estimate, Invoice } from '../intuit/types.js';
import { customerPayload, documentPayload, payloadHash, QBO_ENTITY } from '../mapping/to-quickbooks.js';
import type { Link, LinksRepository } from '../sync/links-repository.js';
import type { OutboxItem } from './outbox-repository.js';
import type { CustomerSnapshot, DocumentSnapshot, RecordsReader } from './records-reader.js';
import type { Op, PushRun } from './run.js';

export interface PlannerDeps {
  client: QboClient;
  links: LinksRepository;
  reader: RecordsReader;
}

interface Snapshots {
  customers: Map<number, CustomerSnapshot>;
  estimate: Map<number, DocumentSnapshot>;
  invoice: Map<number, DocumentSnapshot>;
  customerLinks: Map<number, Link>;
}

/** Linked, not found by name or number, and the same payload as last time: nothing to send. */
export function isUnchanged(op: Op): boolean {
  return Boolean(op.link && !op.adopted && op.link.payloadHash === op.hash);
}

export function customerOp(c: CustomerSnapshot): Op {
  const payload = customerPayload(c);
  return { type: 'customer', recordId: c.id, payload, hash: payloadHash(payload) };
}

export class Planner {
  constructor(private readonly deps: PlannerDeps) {}

  /**
   * The writes for claimed items. `ensureCustomers` pushes the customers the documents need first, so
   * that every document can refer to its customer's QuickBooks id.
   */
  async plan(
    run: PushRun,
    items: OutboxItem[],
    ensureCustomers: (customerIds: number[]) => Promise<void>,
  ): Promise<Op[]> {
    const { reader, links } = this.deps;
    const ids = (t: RecordType) => items.filter((i) => i.recordType === t).map((i) => i.recordId);
    const customers = await reader.customers(ids('customer'));
    const estimate = await reader.documents('estimate', ids('estimate'));
    const invoice = await reader.documents('invoice', ids('invoice'));
    const customerIds = [...new Set([...estimate.values(), ...invoice.values()].map((d) => d.customerId))];
    await ensureCustomers(customerIds);
    const customerLinks = await links.findMany('customer', customerIds, run.realmId);
    const snapshots: Snapshots = { customers, estimate, invoice, customerLinks };
    const ops = items.flatMap((item) => this.opOf(run, item, snapshots) ?? []);
    await this.attachLinks(run, ops);
    return ops;
  }

  private opOf(run: PushRun, item: OutboxItem, s: Snapshots): Op | undefined {
    const base = { recordId: item.recordId, outboxId: item.id, runId: item.runId };
    if (item.recordType === 'customer') {
      const c = s.customers.get(item.recordId);
      if (c) return { ...customerOp(c), ...base };
      run.finished(base);
      return undefined;
    }
    const d = s[item.recordType].get(item.recordId);
    const customerLink = d && s.customerLinks.get(d.customerId);
    if (d?.status === 'open' && customerLink) {
      const payload = documentPayload(item.recordType, d, customerLink.qboId);
      return { ...base, type: item.recordType, payload, hash: payloadHash(payload) };
    }
    if (d?.status === 'open') {
      // Its customer could not be pushed (that failure is recorded on the customer): try again soon.
      run.defer(item.id);
      run.record({ ...base, type: item.recordType }, 'create', 'retry', {
        message: 'customer not in QuickBooks yet',
      });
      return undefined;
    }
    // Gone, or voided/deleted in QuickBooks (kept as QuickBooks left it): nothing to push.
    run.finished(base);
    return undefined;
  }

  /** Links from the database, else an existing QuickBooks record with the same name or number. */
  async attachLinks(run: PushRun, ops: Op[]): Promise<void> {
    for (const type of ['customer', 'estimate', 'invoice'] as const) {
      const ofType = ops.filter((o) => o.type === type);
      if (!ofType.length) continue;
      const links = await this.deps.links.findMany(
        type,
        ofType.map((o) => o.recordId),
        run.realmId,
      );
      for (const op of ofType) op.link = links.get(op.recordId);
      const unlinked = ofType.filter((o) => !o.link);
      if (unlinked.length) await this.adopt(run, type, unlinked);
    }
  }

  /** Unlinked records that QuickBooks has already (e.g. created before a crash, or by hand) are linked. */
  private async adopt(run: PushRun, type: RecordType, unlinked: Op[]): Promise<void> {
    const found = await this.lookUp(
      run,
      type,
      unlinked.map((o) => keyOf(o.payload, type)),
    );
    const byKey = new Map(found.map((e) => [keyOf(e, type).toLowerCase(), e]));
    for (const op of unlinked) {
      const existing = byKey.get(keyOf(op.payload, type).toLowerCase());
      if (!existing) continue;
      op.link = { qboId: existing.Id, syncToken: existing.SyncToken, payloadHash: null };
      op.adopted = true;
    }
  }

  private lookUp(run: PushRun, type: RecordType, keys: string[]): Promise<(Customer | Estimate | Invoice)[]> {
    const { client } = this.deps;
    const options = { signal: run.signal };
    if (type === 'customer') return client.find(run.realmId, 'Customer', { DisplayName: keys }, options);
    return client.find(run.realmId, QBO_ENTITY[type], { DocNumber: keys }, options);
  }
}

/** What a record is found by in QuickBooks: a customer's display name, a document's number. */
function keyOf(entity: { DisplayName?: string; DocNumber?: string }, type: RecordType): string {
  return String(type === 'customer' ? entity.DisplayName : entity.DocNumber);
}
