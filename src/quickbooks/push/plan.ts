/**
 * Plan: from claimed outbox items to the writes to send. Reads the records (many at a time), leaves out
 * what needs no write (a record gone, a document voided or deleted in QuickBooks), defers a document whose
 * customer is not in QuickBooks yet, holds back a record in an open conflict, and attaches the stored
 * links. An unlinked record is created directly, never looked up first (decision 009): a document's create
 * carries a marker, and QuickBooks' own answer (6140 number taken, 6240 name taken) leads to the proof,
 * in `apply.ts`. So nothing is created twice, and a number that only happens to match is never adopted.
 * A document whose lines cannot be sent (no item chosen, no tax code where the company needs one) stops
 * here with a message naming the fix; an update sends only what differs from QuickBooks' copy (decision 008).
 */
import type { RecordType } from '../../records/hooks.js';
import type { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import type { QboClient } from '../intuit/client.js';
import { heldPayload } from '../mapping/held.js';
import { markerText } from '../mapping/marker.js';
import { changedFields, parseSnapshot } from '../mapping/sparse.js';
import {
  customerPayload,
  documentPayload,
  type LineSetup,
  LineSetupError,
  payloadHash,
  QBO_ENTITY,
} from '../mapping/to-quickbooks.js';
import type { Installation } from '../sync/installation.js';
import type { Link, LinksRepository } from '../sync/links-repository.js';
import type { OutboxItem } from './outbox-repository.js';
import type { CustomerSnapshot, DocumentSnapshot, RecordsReader } from './records-reader.js';
import { type Op, PushRun } from './run.js';

export interface PlannerDeps {
  links: LinksRepository;
  reader: RecordsReader;
  /** Reads documents linked before snapshots (once each). */
  client: QboClient;
  /** The company's items and tax defaults for lines (line-settings.ts). */
  lineSetup(realmId: string, signal?: AbortSignal): Promise<LineSetup>;
  conflicts: ConflictsRepository;
  installation: Installation;
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
  const snapshot = parseSnapshot(op.link?.snapshot);
  const fields = snapshot ? changedFields(payload, snapshot) : { ...payload };
  if (op.keepLines) delete fields.Line;
  return fields;
}

/** Linked, and nothing differs from what QuickBooks holds: nothing to send. */
export function isUnchanged(op: Op): boolean {
  if (!op.link) return false;
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
    if (setup) await this.legacySnapshots(run, ops, setup);
    const installationId = await this.deps.installation.id();
    for (const op of ops) {
      if (op.type === 'customer' || op.link) continue;
      op.marker = markerText({ recordType: op.type, recordId: op.recordId, installationId });
    }
    return ops;
  }

  /**
   * Documents linked before snapshots existed: what QuickBooks holds is read once and taken as the
   * snapshot, so that only what differs is sent; lines Heavy AV cannot model are never sent over.
   */
  private async legacySnapshots(run: PushRun, ops: Op[], setup: LineSetup): Promise<void> {
    for (const op of ops) {
      if (op.type === 'customer' || !op.link || op.link.snapshot) continue;
      const qbo = await this.deps.client.read(run.realmId, QBO_ENTITY[op.type], op.link.qboId, {
        signal: run.signal,
      });
      if (!qbo) continue;
      const held = heldPayload(op.type, qbo, setup);
      op.link = { ...op.link, snapshot: JSON.stringify(held.payload) };
      op.keepLines = held.linesManaged;
    }
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
