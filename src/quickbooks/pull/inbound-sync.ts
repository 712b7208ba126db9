/**
 * Applying one change from QuickBooks to Heavy AV: the handlers the dispatch table points at. Writes use
 * the records' quiet inbound methods (nothing is queued for a push back) and store the link in the same
 * transaction. Look-ups that cannot take the transaction run before it: on SQLite the one connection is
 * held by the transaction. Which version wins is decided in `freshness.ts`.
 */
import type { CustomersService } from '../../customers/service.js';
import type { Transaction, Transactor } from '../../db/transaction.js';
import type { DocumentFields, DocumentStatus } from '../../documents/types.js';
import type { EstimatesService } from '../../estimates/service.js';
import type { InvoicesService } from '../../invoices/service.js';
import type { RecordType } from '../../records/hooks.js';
import type { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import type { Customer, Entities, Estimate, Invoice, SyncedName } from '../intuit/types.js';
import { customerFieldsFrom, documentFieldsFrom } from '../mapping/from-quickbooks.js';
import { quickBooksCustomerSnapshot } from '../mapping/held.js';
import { markerIn } from '../mapping/marker.js';
import { customerSide, differences, documentRecordSide, documentSide } from '../mapping/sides.js';
import { customerPayload } from '../mapping/to-quickbooks.js';
import type { Installation } from '../sync/installation.js';
import type { LinksRepository } from '../sync/links-repository.js';
import type { InboundEventContext } from './dispatch.js';
import { isNewer, isVoided, linkValues } from './freshness.js';
import { snapshotIn, totalsOf } from './snapshots.js';

export interface Outcome {
  /** For the history: create | update | link | delete | void | merge | read … */
  operation: string;
  /** `conflict`: nothing of either side changed; the local record waits for an admin (decision 009). */
  result: 'ok' | 'skipped' | 'conflict';
  localId?: number | null;
  qboId: string;
  note?: string;
}

/** A change we cannot apply as it is (e.g. a document number used by another linked document). */
export class InboundConflictError extends Error {
  readonly code = 'inbound_conflict';
}

export interface InboundSyncDeps {
  transaction: Transactor;
  links: LinksRepository;
  customers: CustomersService;
  estimates: EstimatesService;
  invoices: InvoicesService;
  /** Reads an entity from QuickBooks (through the client); undefined when QuickBooks has no such entity. */
  fetch<E extends SyncedName>(realmId: string, entity: E, id: string): Promise<Entities[E] | undefined>;
  /** Linking needs proof (decision 009): the marker's installation id, and where conflicts go. */
  installation: Installation;
  conflicts: ConflictsRepository;
}

export class InboundSync {
  constructor(private readonly deps: InboundSyncDeps) {}

  private service(kind: 'estimate' | 'invoice'): EstimatesService | InvoicesService {
    return kind === 'estimate' ? this.deps.estimates : this.deps.invoices;
  }

  async upsertCustomer(ctx: InboundEventContext): Promise<Outcome> {
    const qbo = await ctx.load('Customer');
    if (!qbo) return { operation: 'read', result: 'skipped', qboId: ctx.entityId, note: 'not found' };
    const { localId, operation } = await this.applyCustomer(ctx.realmId, qbo);
    if (operation === 'conflict') return { operation: 'link', result: 'conflict', localId, qboId: qbo.Id };
    return { operation, result: operation === 'skip' ? 'skipped' : 'ok', localId, qboId: qbo.Id };
  }

  /** Applies a QuickBooks customer; returns the local id (created, linked or updated). */
  async applyCustomer(realmId: string, qbo: Customer): Promise<{ localId: number; operation: string }> {
    const { transaction, links, customers } = this.deps;
    const fields = customerFieldsFrom(qbo);
    const link = await links.findByQboId('customer', qbo.Id, realmId);
    // With what QuickBooks holds (the snapshot an update is compared with) when its values were applied.
    const write = async (recordId: number, trx: Transaction, applied = true) =>
      links.upsert(
        {
          recordType: 'customer',
          recordId,
          realmId,
          ...linkValues(qbo),
          snapshot: applied ? await snapshotIn(trx, 'customer', recordId, '') : null,
        },
        trx,
      );
    if (link) {
      if (!isNewer(link, qbo)) return { localId: link.recordId, operation: 'skip' };
      await transaction(async (trx) => {
        await customers.applyFromQuickBooks(link.recordId, fields, trx);
        await write(link.recordId, trx);
      });
      return { localId: link.recordId, operation: 'update' };
    }
    // Not linked: a customer of ours with that name (e.g. our own create, whose link the push has not
    // written yet) is the same customer (names are unique in QuickBooks) and is linked rather than
    // duplicated. Where the values differ neither side is overwritten: an admin chooses (decision 009).
    const same = await customers.findByDisplayName(fields.displayName);
    if (same) {
      if (await links.find('customer', same.id, realmId)) {
        throw new InboundConflictError(
          `QuickBooks customer ${qbo.Id} has the display name of another linked customer (${same.id}).`,
        );
      }
      const heavyAv = customerSide(customerPayload(same));
      const quickBooks = customerSide(qbo);
      const differ = differences(heavyAv, quickBooks);
      if (!differ.length) {
        await transaction((trx) => write(same.id, trx));
        return { localId: same.id, operation: 'link' };
      }
      // The snapshot is QuickBooks' values: choosing Heavy AV's side then sends only what differs.
      await transaction((trx) =>
        links.upsert(
          {
            recordType: 'customer',
            recordId: same.id,
            realmId,
            ...linkValues(qbo),
            snapshot: quickBooksCustomerSnapshot(qbo),
          },
          trx,
        ),
      );
      await this.deps.conflicts.open({
        realmId,
        recordType: 'customer',
        recordId: same.id,
        kind: 'values_differ',
        qboId: qbo.Id,
        message: `Linked to QuickBooks customer ${qbo.Id} by its name; ${differ.join(', ').toLowerCase()} differ. Neither side was changed: choose which side wins.`,
        details: { heavyAv, quickBooks },
      });
      return { localId: same.id, operation: 'conflict' };
    }
    const created = await transaction(async (trx) => {
      const customer = await customers.createFromQuickBooks(fields, trx);
      await write(customer.id, trx);
      return customer;
    });
    return { localId: created.id, operation: 'create' };
  }

  /** The local customer for a QuickBooks customer id, fetched and created when we do not have it yet. */
  private async localCustomer(realmId: string, qboCustomerId: string): Promise<number> {
    const link = await this.deps.links.findByQboId('customer', qboCustomerId, realmId);
    if (link) return link.recordId;
    const qbo = await this.deps.fetch(realmId, 'Customer', qboCustomerId);
    if (!qbo) throw new InboundConflictError(`QuickBooks customer ${qboCustomerId} was not found.`);
    return (await this.applyCustomer(realmId, qbo)).localId;
  }

  async upsertDocument(kind: 'estimate' | 'invoice', ctx: InboundEventContext): Promise<Outcome> {
    const qbo: Estimate | Invoice | undefined = await ctx.load(kind === 'estimate' ? 'Estimate' : 'Invoice');
    // Gone from QuickBooks by the time we asked: the same as a Delete.
    if (!qbo) return this.markDocument(kind, 'deleted_in_quickbooks', ctx);
    if (isVoided(qbo)) return this.markDocument(kind, 'voided', ctx);
    const { transaction, links } = this.deps;
    const service = this.service(kind);
    const qboId = qbo.Id;
    const link = await links.findByQboId(kind, qboId, ctx.realmId);
    const write = async (recordId: number, trx: Transaction) =>
      links.upsert(
        {
          recordType: kind,
          recordId,
          realmId: ctx.realmId,
          ...linkValues(qbo),
          ...totalsOf(qbo),
          snapshot: await snapshotIn(trx, kind, recordId, qbo.CustomerRef?.value ?? ''),
        },
        trx,
      );
    if (link) {
      if (!isNewer(link, qbo))
        return { operation: 'update', result: 'skipped', localId: link.recordId, qboId };
      const current = await service.findById(link.recordId);
      if (current && current.status !== 'open') {
        return {
          operation: 'update',
          result: 'skipped',
          localId: link.recordId,
          qboId,
          note: current.status,
        };
      }
    }
    const customerId = await this.localCustomer(ctx.realmId, qbo.CustomerRef?.value ?? '');
    const fields = documentFieldsFrom(qbo, kind, customerId);
    if (!link) return this.linkOrCreateDocument(kind, ctx.realmId, qbo, fields);
    await transaction(async (trx) => {
      await service.applyFromQuickBooks(link.recordId, fields, trx);
      await write(link.recordId, trx);
    });
    return { operation: 'update', result: 'ok', localId: link.recordId, qboId };
  }

  /**
   * Not linked. Linked only when its marker proves it is ours (our own create, whose link the push has not
   * written yet). A number that only matches proves nothing (QuickBooks and Heavy AV both start at 1001):
   * the local record with that number gets a `number_taken` conflict and nothing of either is changed.
   * Else the document is created here.
   */
  private async linkOrCreateDocument(
    kind: 'estimate' | 'invoice',
    realmId: string,
    qbo: Estimate | Invoice,
    fields: DocumentFields,
  ): Promise<Outcome> {
    const { transaction, links } = this.deps;
    const service = this.service(kind);
    const write = async (recordId: number, trx: Transaction, applied = true) =>
      links.upsert(
        {
          recordType: kind,
          recordId,
          realmId,
          ...linkValues(qbo),
          ...totalsOf(qbo),
          snapshot: applied ? await snapshotIn(trx, kind, recordId, qbo.CustomerRef?.value ?? '') : null,
        },
        trx,
      );
    const ours = await this.markedAsOurs(kind, realmId, qbo);
    if (ours !== undefined) {
      // No snapshot: the next push reads what QuickBooks holds and sends only what differs from it.
      await transaction((trx) => write(ours, trx, false));
      return { operation: 'link', result: 'ok', localId: ours, qboId: qbo.Id, note: 'its marker' };
    }
    const same = fields.docNumber ? await service.findByDocNumber(fields.docNumber) : undefined;
    if (same) {
      if (await links.find(kind, same.id, realmId)) {
        throw new InboundConflictError(
          `QuickBooks ${kind} ${qbo.Id} has number ${fields.docNumber}, used by another linked ${kind}.`,
        );
      }
      const note = `Number ${same.docNumber} is also used in QuickBooks by ${kind} ${qbo.Id}, which Heavy AV did not create. Neither was changed.`;
      await this.deps.conflicts.open({
        realmId,
        recordType: kind,
        recordId: same.id,
        kind: 'number_taken',
        qboId: qbo.Id,
        message: note,
        details: {
          holder: kind,
          heavyAv: documentRecordSide(same),
          quickBooks: documentSide(qbo),
        },
      });
      return { operation: 'link', result: 'conflict', localId: same.id, qboId: qbo.Id, note };
    }
    const created = await transaction(async (trx) => {
      const doc = await service.createFromQuickBooks(fields, trx);
      await write(doc.id, trx);
      return doc;
    });
    return { operation: 'create', result: 'ok', localId: created.id, qboId: qbo.Id };
  }

  /** The local record the document's marker names, when the marker is this installation's. */
  private async markedAsOurs(
    kind: 'estimate' | 'invoice',
    realmId: string,
    qbo: Estimate | Invoice,
  ): Promise<number | undefined> {
    const marker = markerIn(qbo.PrivateNote);
    if (!marker || marker.recordType !== kind) return undefined;
    if (marker.installationId !== (await this.deps.installation.id())) return undefined;
    const local = await this.service(kind).findById(marker.recordId);
    if (!local || (await this.deps.links.find(kind, local.id, realmId))) return undefined;
    return local.id;
  }

  /** Delete and Void: the record is kept and marked, never destroyed. */
  async markDocument(
    kind: 'estimate' | 'invoice',
    status: DocumentStatus,
    ctx: InboundEventContext,
  ): Promise<Outcome> {
    const operation = status === 'voided' ? 'void' : 'delete';
    const link = await this.deps.links.findByQboId(kind, ctx.entityId, ctx.realmId);
    if (!link) return { operation, result: 'skipped', qboId: ctx.entityId, note: 'not linked' };
    const doc = await this.service(kind).findById(link.recordId);
    if (!doc || doc.status === status) {
      return { operation, result: 'skipped', localId: link.recordId, qboId: ctx.entityId };
    }
    await this.service(kind).markStatus(link.recordId, status);
    return { operation, result: 'ok', localId: link.recordId, qboId: ctx.entityId };
  }

  async deactivateCustomer(ctx: InboundEventContext): Promise<Outcome> {
    const link = await this.deps.links.findByQboId('customer', ctx.entityId, ctx.realmId);
    const customer = link ? await this.deps.customers.findById(link.recordId) : undefined;
    if (!link || !customer) return { operation: 'delete', result: 'skipped', qboId: ctx.entityId };
    const { id: _id, active: _active, createdAt: _c, updatedAt: _u, ...fields } = customer;
    await this.deps.customers.applyFromQuickBooks(customer.id, { ...fields, active: false });
    return { operation: 'delete', result: 'ok', localId: customer.id, qboId: ctx.entityId };
  }

  /**
   * Merge: QuickBooks folded `deletedId` into `entityId`. Our record linked to the merged-away entity now
   * points at the one that remains; if we already have that one, the merged-away record keeps its data
   * (customers become inactive, documents are marked deleted) and loses its link.
   */
  async merge(type: RecordType, ctx: InboundEventContext): Promise<Outcome> {
    const { links, transaction } = this.deps;
    const gone = ctx.deletedId ? await links.findByQboId(type, ctx.deletedId, ctx.realmId) : undefined;
    const kept = await links.findByQboId(type, ctx.entityId, ctx.realmId);
    if (gone && !kept) {
      // Re-pointed with no SyncToken, so the surviving entity's data is applied below.
      await links.upsert({
        recordType: type,
        recordId: gone.recordId,
        realmId: ctx.realmId,
        qboId: ctx.entityId,
        syncToken: null,
      });
    } else if (gone && kept) {
      if (type === 'customer') await this.deactivateCustomer({ ...ctx, entityId: gone.qboId });
      else await this.markDocument(type, 'deleted_in_quickbooks', { ...ctx, entityId: gone.qboId });
      await transaction((trx) => links.remove(type, gone.recordId, ctx.realmId, trx));
    }
    const applied =
      type === 'customer' ? await this.upsertCustomer(ctx) : await this.upsertDocument(type, ctx);
    return { ...applied, operation: 'merge', result: gone ? 'ok' : applied.result };
  }
}
