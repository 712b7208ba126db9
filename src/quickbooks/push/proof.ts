/**
 * QuickBooks' "taken" answers to a create, and what they prove (decision 009):
 * - 6140 (duplicate DocNumber): the document holding the number is read; if its marker names this very
 *   record of this installation, it is ours (an earlier create whose answer was lost, a crash) and is
 *   linked; otherwise the record is in a `number_taken` conflict and QuickBooks' document is untouched.
 * - 6240 (duplicate DisplayName): an active customer of that name is the same customer (names are unique
 *   in QuickBooks) and is linked, but nothing of it is overwritten: where the values differ the record is
 *   in a `values_differ` conflict. A vendor, an employee or an inactive customer holding the name is a
 *   `name_taken` conflict.
 * A lookup happens only here, after such an answer: never before a create.
 */
import type { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import type { QboClient } from '../intuit/client.js';
import { describeFault } from '../intuit/faults.js';
import type { Customer, Estimate, FaultItem, Invoice } from '../intuit/types.js';
import { quickBooksCustomerSnapshot } from '../mapping/held.js';
import { provesOwnership } from '../mapping/marker.js';
import { customerSide, differences, documentPayloadSide, documentSide } from '../mapping/sides.js';
import { type DocumentPayload, QBO_ENTITY } from '../mapping/to-quickbooks.js';
import type { Installation } from '../sync/installation.js';
import type { LinksRepository } from '../sync/links-repository.js';
import type { OutboxRepository } from './outbox-repository.js';
import type { RecordsReader } from './records-reader.js';
import type { Op, PushRun } from './run.js';

export const DUPLICATE_DOC_NUMBER = '6140';
export const DUPLICATE_NAME = '6240';

export interface ProofDeps {
  client: QboClient;
  links: LinksRepository;
  outbox: OutboxRepository;
  conflicts: ConflictsRepository;
  installation: Installation;
  reader: RecordsReader;
}

export interface Taken {
  op: Op;
  faults: FaultItem[];
}

/** The id of the transaction holding the number, from 6140's Detail ("… with TxnId=123"). */
export function txnIdOf(faults: FaultItem[]): string | undefined {
  for (const f of faults) {
    const m = /TxnId=(\d+)/.exec(f.detail ?? '');
    if (m) return m[1];
  }
  return undefined;
}

export class Proof {
  constructor(private readonly deps: ProofDeps) {}

  /** 6140 answers: linked when the holder's marker proves it ours, else a conflict. */
  async numbersTaken(run: PushRun, taken: Taken[]): Promise<void> {
    if (!taken.length) return;
    const installationId = await this.deps.installation.id();
    for (const type of ['estimate', 'invoice'] as const) {
      const ofType = taken.filter((t) => t.op.type === type);
      if (!ofType.length) continue;
      const holders = await this.holders(run, type, ofType);
      const requeue: number[] = [];
      for (const { op, faults } of ofType) {
        const payload = op.payload as DocumentPayload;
        const holder =
          holders.byId.get(txnIdOf(faults) ?? '') ?? holders.byNumber.get(payload.DocNumber ?? '');
        const expected = { recordType: type, recordId: op.recordId, installationId };
        if (holder && provesOwnership(holder.PrivateNote, expected)) {
          // Ours, created by an earlier attempt: linked without a payload hash, so the next round sends
          // an update with what the record holds now (it may have changed since that create).
          await this.deps.links.upsert({
            recordType: type,
            recordId: op.recordId,
            realmId: run.realmId,
            qboId: holder.Id,
            syncToken: holder.SyncToken,
            payloadHash: null,
            qboUpdatedAt: holder.MetaData?.LastUpdatedTime ?? null,
          });
          if (op.outboxId !== undefined) requeue.push(op.outboxId);
          run.record(op, 'link', 'ok', {
            qboId: holder.Id,
            message: 'created earlier by Heavy AV (its marker)',
          });
          continue;
        }
        const number = payload.DocNumber ?? '';
        const message = holder
          ? `Number ${number} is already used in QuickBooks by ${type} ${holder.Id}, which Heavy AV did not create. QuickBooks was not changed: choose what to do with this ${type}.`
          : `QuickBooks says number ${number} is already used: ${describeFault(faults[0])}`;
        const ourSide = { ...documentPayloadSide(payload), Customer: await this.customerName(run, payload) };
        await this.conflict(run, op, {
          kind: 'number_taken',
          qboId: holder?.Id ?? txnIdOf(faults) ?? null,
          message,
          details: {
            holder: type,
            heavyAv: ourSide,
            ...(holder ? { quickBooks: documentSide(holder) } : {}),
          },
          errorCode: DUPLICATE_DOC_NUMBER,
          operation: 'create',
        });
      }
      await this.deps.outbox.requeue(requeue, run.owner);
    }
  }

  /** The name of the document's customer as Heavy AV has it (its payload names only QuickBooks' id). */
  private async customerName(run: PushRun, payload: DocumentPayload): Promise<string> {
    const qboId = payload.CustomerRef?.value ?? '';
    const link = await this.deps.links.findByQboId('customer', qboId, run.realmId);
    const local = link ? (await this.deps.reader.customers([link.recordId])).get(link.recordId) : undefined;
    return local ? `${local.displayName} (${qboId})` : `QuickBooks customer ${qboId}`;
  }

  /** The documents holding the numbers: by the TxnId in the Fault, else by number. One query each way. */
  private async holders(run: PushRun, type: 'estimate' | 'invoice', taken: Taken[]) {
    const entity = QBO_ENTITY[type];
    const options = { signal: run.signal };
    const ids = taken.flatMap((t) => txnIdOf(t.faults) ?? []);
    const byId = new Map<string, Estimate | Invoice>();
    for (const e of ids.length ? await this.deps.client.findByIds(run.realmId, entity, ids, options) : []) {
      byId.set(e.Id, e);
    }
    const numbers = taken
      .filter((t) => !byId.has(txnIdOf(t.faults) ?? ''))
      .map((t) => (t.op.payload as DocumentPayload).DocNumber ?? '')
      .filter(Boolean);
    const byNumber = new Map<string, Estimate | Invoice>();
    if (numbers.length) {
      const found = await this.deps.client.find(run.realmId, entity, { DocNumber: numbers }, options);
      for (const e of found) if (e.DocNumber) byNumber.set(e.DocNumber, e);
    }
    return { byId, byNumber };
  }

  /** 6240 answers: linked to the active customer of that name (values kept), else a conflict. */
  async namesTaken(run: PushRun, taken: Taken[]): Promise<void> {
    for (const { op, faults } of taken) {
      const payload = op.payload as Customer;
      const name = payload.DisplayName ?? '';
      const same = (n?: string) => (n ?? '').trim().toLowerCase() === name.trim().toLowerCase();
      const found = await this.deps.client.nameHolders(run.realmId, name, { signal: run.signal });
      const customers = found.customers.filter((c) => same(c.DisplayName));
      const active = customers.find((c) => c.Active !== false);
      const linkedElsewhere = active
        ? await this.deps.links.findByQboId('customer', active.Id, run.realmId)
        : undefined;
      if (active && (!linkedElsewhere || linkedElsewhere.recordId === op.recordId)) {
        await this.linkByName(run, op, active);
        continue;
      }
      const holder = active
        ? { what: 'customer already linked to another Heavy AV customer', entity: active }
        : customers[0]
          ? { what: 'inactive customer', entity: customers[0] }
          : found.vendors.find((v) => same(v.DisplayName))
            ? { what: 'vendor', entity: found.vendors.find((v) => same(v.DisplayName))! }
            : found.employees.find((e) => same(e.DisplayName))
              ? { what: 'employee', entity: found.employees.find((e) => same(e.DisplayName))! }
              : undefined;
      const message = holder
        ? `The name “${name}” is taken in QuickBooks by ${holder.what === 'employee' ? 'an' : 'a'} ${holder.what} (id ${holder.entity.Id}). Rename the customer in Heavy AV, or link it to a QuickBooks customer.`
        : `QuickBooks says the name “${name}” is taken: ${describeFault(faults[0])}`;
      await this.conflict(run, op, {
        kind: 'name_taken',
        qboId: holder?.entity.Id ?? null,
        message,
        details: { holder: holder?.what },
        errorCode: DUPLICATE_NAME,
        operation: 'create',
      });
    }
  }

  /** The same customer (names are unique in QuickBooks): linked; where the values differ, a conflict. */
  private async linkByName(run: PushRun, op: Op, theirs: Customer): Promise<void> {
    const heavyAv = customerSide(op.payload as Customer);
    const quickBooks = customerSide(theirs);
    const differ = differences(heavyAv, quickBooks);
    await this.deps.links.upsert({
      recordType: 'customer',
      recordId: op.recordId,
      realmId: run.realmId,
      qboId: theirs.Id,
      syncToken: theirs.SyncToken,
      // Nothing is sent to QuickBooks for this link: its values stay until an admin chooses a side. The
      // snapshot is QuickBooks' values, so choosing Heavy AV's side sends only what differs.
      payloadHash: op.hash,
      snapshot: quickBooksCustomerSnapshot(theirs),
      qboUpdatedAt: theirs.MetaData?.LastUpdatedTime ?? null,
    });
    if (!differ.length) {
      run.finished(op);
      run.record(op, 'link', 'ok', { qboId: theirs.Id, message: 'same name in QuickBooks' });
      return;
    }
    await this.conflict(run, op, {
      kind: 'values_differ',
      qboId: theirs.Id,
      message: `Linked to QuickBooks customer ${theirs.Id} by its name; ${differ.join(', ').toLowerCase()} differ. QuickBooks was not changed: choose which side wins.`,
      details: { heavyAv, quickBooks },
      errorCode: DUPLICATE_NAME,
      operation: 'link',
    });
  }

  private async conflict(
    run: PushRun,
    op: Op,
    c: {
      kind: 'number_taken' | 'name_taken' | 'values_differ';
      qboId: string | null;
      message: string;
      details: Parameters<ConflictsRepository['open']>[0]['details'];
      errorCode: string;
      operation: string;
    },
  ): Promise<void> {
    await this.deps.conflicts.open({
      realmId: run.realmId,
      recordType: op.type,
      recordId: op.recordId,
      kind: c.kind,
      qboId: c.qboId,
      message: c.message,
      details: c.details,
    });
    if (op.outboxId !== undefined) {
      await this.deps.outbox.conflict([op.outboxId], run.owner, { code: c.kind, message: c.message });
    }
    run.record(op, c.operation, 'conflict', {
      qboId: c.qboId ?? undefined,
      errorCode: c.errorCode,
      message: c.message,
    });
  }
}
