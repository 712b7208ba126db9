/**
 * Plan: from claimed outbox items to the writes to send. Reads the records (many at a time), leaves out
 * what needs no write (a record gone, a document voided or deleted in QuickBooks), defers a document whose
 * customer is not in QuickBooks yet, holds back a record in an open conflict, and attaches the stored
 * links. An unlinked record is created directly, never looked up first (decision 009): a document's create
 * carries a marker, and QuickBooks' own answer (6140 number taken, 6240 name taken) leads to the proof,
 * in `apply.ts`. So nothing is created twice, and a number that only happens to match is never adopted.
 */
import type { RecordType } from '../../records/hooks.js';
import type { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import { markerText } from '../mapping/marker.js';
import { customerPayload, documentPayload, payloadHash } from '../mapping/to-quickbooks.js';
import type { Installation } from '../sync/installation.js';
import type { Link, LinksRepository } from '../sync/links-repository.js';
import type { OutboxItem } from './outbox-repository.js';
import type { CustomerSnapshot, DocumentSnapshot, RecordsReader } from './records-reader.js';
import { type Op, PushRun } from './run.js';

export interface PlannerDeps {
  links: LinksRepository;
  reader: RecordsReader;
  conflicts: ConflictsRepository;
  installation: Installation;
}

interface Snapshots {
  customers: Map<number, CustomerSnapshot>;
  estimate: Map<number, DocumentSnapshot>;
  invoice: Map<number, DocumentSnapshot>;
  customerLinks: Map<number, Link>;
}

/** Linked, and the same payload as last time: nothing to send. */
export function isUnchanged(op: Op): boolean {
  return Boolean(op.link && op.link.payloadHash === op.hash);
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
    const held = await this.inConflict(run, items);
    // One write per record: a second item of the same record (a retry beside a change) is done with it.
    const seen = new Set<string>();
    const ops = items.flatMap((item) => {
      const key = `${item.recordType}:${item.recordId}`;
      if (held.has(item.id)) return [];
      if (seen.has(key)) {
        run.finished({ outboxId: item.id });
        return [];
      }
      seen.add(key);
      return this.opOf(run, item, snapshots) ?? [];
    });
    await this.attachLinks(run, ops);
    const installationId = await this.deps.installation.id();
    for (const op of ops) {
      if (op.type === 'customer' || op.link) continue;
      op.marker = markerText({ recordType: op.type, recordId: op.recordId, installationId });
    }
    return ops;
  }

  /**
   * What a push of the record would send now, planned exactly as a push plans it (an admin's link stores
   * its hash, so nothing is sent until the record changes). Undefined when nothing would be sent.
   */
  async current(realmId: string, recordType: RecordType, recordId: number): Promise<Op | undefined> {
    const run = new PushRun(realmId, 'current');
    const item: OutboxItem = {
      id: -1,
      realmId,
      recordType,
      recordId,
      attempts: 0,
      runId: null,
      requestKey: null,
      noDocNumber: false,
    };
    return (await this.plan(run, [item], async () => undefined))[0];
  }

  /** Items of records with an open conflict: parked (not sent) until an admin resolves it. */
  private async inConflict(run: PushRun, items: OutboxItem[]): Promise<Set<number>> {
    const held = new Set<number>();
    for (const type of ['customer', 'estimate', 'invoice'] as const) {
      const ofType = items.filter((i) => i.recordType === type);
      const open = await this.deps.conflicts.openAmong(
        type,
        ofType.map((i) => i.recordId),
        run.realmId,
      );
      for (const item of ofType.filter((i) => open.has(i.recordId))) {
        held.add(item.id);
        run.park(item.id);
      }
    }
    return held;
  }

  private opOf(run: PushRun, item: OutboxItem, s: Snapshots): Op | undefined {
    const base = {
      recordId: item.recordId,
      outboxId: item.id,
      runId: item.runId,
      requestKey: item.requestKey,
      noDocNumber: item.noDocNumber,
    };
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

  /** The stored links (an unlinked record is created; see the header). */
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
    }
  }
}
