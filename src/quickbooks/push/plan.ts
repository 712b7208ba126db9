/**
 * Plan: from claimed outbox items to the writes to send. Reads the records (many at a time), leaves out
 * what needs no write (a record gone, a document voided or deleted in QuickBooks), defers a document whose
 * customer is not in QuickBooks yet, and links every record to what QuickBooks already has: the stored
 * link, else a QuickBooks record with the same display name (customer) or number (document), so that
 * nothing is created twice. A document whose lines cannot be sent (no item chosen, no tax code where
 * the company needs one) stops here with a message naming the fix.
 */
import type { RecordType } from '../../records/hooks.js';
import type { QboClient } from '../intuit/client.js';
import type { Customer, Estimate, Invoice } from '../intuit/types.js';
import { heldPayload } from '../mapping/held.js';
import { changedFields, parseSnapshot } from '../mapping/sparse.js';
import {
  customerPayload,
  documentPayload,
  type LineSetup,
  LineSetupError,
  payloadHash,
  QBO_ENTITY,
} from '../mapping/to-quickbooks.js';
import type { Link, LinksRepository } from '../sync/links-repository.js';
import type { OutboxItem } from './outbox-repository.js';
import type { CustomerSnapshot, DocumentSnapshot, RecordsReader } from './records-reader.js';
import type { Op, PushRun } from './run.js';

export interface PlannerDeps {
  client: QboClient;
  links: LinksRepository;
  reader: RecordsReader;
  /** The company's items and tax defaults for lines (line-settings.ts). */
  lineSetup(realmId: string, signal?: AbortSignal): Promise<LineSetup>;
}

interface Snapshots {
  customers: Map<number, CustomerSnapshot>;
  estimate: Map<number, DocumentSnapshot>;
  invoice: Map<number, DocumentSnapshot>;
  customerLinks: Map<number, Link>;
  setup: LineSetup | undefined;
}

/**
 * What an update of a linked record sends: the fields that differ from what QuickBooks holds (the link's
 * snapshot), else (a link from before snapshots) the whole payload as before.
 */
export function updateFields(op: Op): Record<string, unknown> {
  const payload = op.payload as Record<string, unknown>;
  const snapshot = op.adopted ? null : parseSnapshot(op.link?.snapshot);
  const fields = snapshot ? changedFields(payload, snapshot) : { ...payload };
  if (op.keepLines) delete fields.Line;
  return fields;
}

/** Linked, not found by name or number, and nothing differs from what QuickBooks holds: nothing to send. */
export function isUnchanged(op: Op): boolean {
  if (!op.link || op.adopted) return false;
  if (op.link.snapshot) return Object.keys(updateFields(op)).length === 0;
  return op.link.payloadHash === op.hash;
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
    const setup = customerIds.length ? await this.deps.lineSetup(run.realmId, run.signal) : undefined;
    const snapshots: Snapshots = { customers, estimate, invoice, customerLinks, setup };
    const ops = items.flatMap((item) => this.opOf(run, item, snapshots) ?? []);
    await this.attachLinks(run, ops);
    if (setup) await this.legacySnapshots(run, ops, setup);
    return ops;
  }

  /**
   * Documents linked before snapshots existed: what QuickBooks holds is read once and taken as the
   * snapshot, so that only what differs is sent; lines Heavy AV cannot model are never sent over.
   */
  private async legacySnapshots(run: PushRun, ops: Op[], setup: LineSetup): Promise<void> {
    for (const op of ops) {
      if (op.type === 'customer' || !op.link || op.link.snapshot || op.adopted) continue;
      const qbo = await this.deps.client.read(run.realmId, QBO_ENTITY[op.type], op.link.qboId, {
        signal: run.signal,
      });
      if (!qbo) continue;
      const held = heldPayload(op.type, qbo, setup);
      op.link = { ...op.link, snapshot: JSON.stringify(held.payload) };
      op.keepLines = held.linesManaged;
    }
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
    if (d?.status === 'open' && customerLink && s.setup) {
      try {
        const payload = documentPayload(item.recordType, d, customerLink.qboId, s.setup);
        return { ...base, type: item.recordType, payload, hash: payloadHash(payload) };
      } catch (err) {
        if (!(err instanceof LineSetupError)) throw err;
        run.fail({ ...base, type: item.recordType }, err.code, err.message);
        return undefined;
      }
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
      op.link = { qboId: existing.Id, syncToken: existing.SyncToken, payloadHash: null, snapshot: null };
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
