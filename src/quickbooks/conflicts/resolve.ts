/**
 * An admin's answer to a record's QuickBooks state (SPEC routes `POST /admin/{customers,estimates,
 * invoices}/:id/quickbooks`, field `action`), and "Retry failed" on the card. Each action says what may
 * now happen in QuickBooks; until then nothing of QuickBooks' is changed (decision 009).
 */

import type { CustomersService } from '../../customers/service.js';
import type { EstimatesService } from '../../estimates/service.js';
import { ValidationError } from '../../http/errors.js';
import type { InvoicesService } from '../../invoices/service.js';
import type { RecordType } from '../../records/hooks.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { QboClient } from '../intuit/client.js';
import { QuickBooksNotConnectedError } from '../intuit/errors.js';
import { customerFieldsFrom } from '../mapping/from-quickbooks.js';
import { quickBooksCustomerSnapshot } from '../mapping/held.js';
import { QBO_ENTITY } from '../mapping/to-quickbooks.js';
import type { OutboxRepository } from '../push/outbox-repository.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { LinksRepository } from '../sync/links-repository.js';
import type { ConflictsRepository } from './conflicts-repository.js';

export const ACTIONS = [
  'retry',
  'renumber',
  'let-quickbooks-number',
  'link',
  'keep-heavy-av',
  'keep-quickbooks',
] as const;
export type Action = (typeof ACTIONS)[number];

export interface ResolverDeps {
  connections: ConnectionsRepository;
  conflicts: ConflictsRepository;
  outbox: OutboxRepository;
  links: LinksRepository;
  events: SyncEventsRepository;
  client: QboClient;
  customers: CustomersService;
  estimates: EstimatesService;
  invoices: InvoicesService;
  /** The hash of what a push of the record would send now (null: nothing). */
  currentState(
    realmId: string,
    type: RecordType,
    id: number,
  ): Promise<{ payloadHash: string | null; snapshot: string | null }>;
  /** Wake the push worker. */
  kick(): void;
}

export class ConflictResolver {
  constructor(private readonly deps: ResolverDeps) {}

  private async realm(): Promise<string> {
    const active = await this.deps.connections.active();
    if (!active) throw new QuickBooksNotConnectedError();
    return active.realmId;
  }

  /** Carries out the action; returns the sentence the admin reads. */
  async resolve(
    type: RecordType,
    id: number,
    action: string,
    input: { qboId?: string; userId: number },
  ): Promise<string> {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new ValidationError({ action: `Choose one of: ${ACTIONS.join(', ')}.` });
    }
    const realmId = await this.realm();
    const at = { realmId, type, id, userId: input.userId };
    switch (action as Action) {
      case 'retry':
        return this.retry(at);
      case 'renumber':
        return this.renumber(at);
      case 'let-quickbooks-number':
        return this.letQuickBooksNumber(at);
      case 'link':
        return this.link(at, input.qboId);
      case 'keep-heavy-av':
        return this.keepHeavyAv(at);
      case 'keep-quickbooks':
        return this.keepQuickBooks(at);
    }
  }

  /** "Retry failed" on the card: every failed record of the company, each as a new request. */
  async retryFailed(): Promise<number> {
    const realmId = await this.realm();
    const n = await this.deps.outbox.retry({ realmId, statuses: ['failed'] });
    this.deps.kick();
    return n;
  }

  private async retry(at: At): Promise<string> {
    await this.close(at, 'retry');
    const n = await this.deps.outbox.retry({ realmId: at.realmId, recordType: at.type, recordId: at.id });
    if (!n) await this.deps.outbox.enqueue({ realmId: at.realmId, recordType: at.type, recordId: at.id });
    this.deps.kick();
    return 'Queued again: Heavy AV will send it to QuickBooks shortly.';
  }

  private async renumber(at: At): Promise<string> {
    const documents = this.documents(at.type);
    const entity = QBO_ENTITY[at.type as 'invoice'];
    const takenInQuickBooks = async (candidates: string[]) => {
      const found = await this.deps.client.find(at.realmId, entity, { DocNumber: candidates });
      return new Set(found.map((d) => d.DocNumber ?? ''));
    };
    await this.close(at, 'renumber');
    // The held item is settled first: the renumber queues a fresh one, and two would create it twice.
    await this.deps.outbox.settleRecord(at.realmId, at.type, at.id);
    const docNumber = await documents.renumber(at.id, takenInQuickBooks);
    return `Renumbered ${docNumber} (free in Heavy AV and in QuickBooks); it will be sent shortly.`;
  }

  private async letQuickBooksNumber(at: At): Promise<string> {
    this.documents(at.type);
    await this.close(at, 'let-quickbooks-number');
    const n = await this.deps.outbox.retry(
      { realmId: at.realmId, recordType: at.type, recordId: at.id },
      { noDocNumber: true },
    );
    if (!n) throw new ValidationError({ action: 'Nothing is waiting to be sent for this record.' });
    this.deps.kick();
    return 'QuickBooks will give it the next number; Heavy AV will show that number once it is sent.';
  }

  /** After the side-by-side look: this record and that QuickBooks record are the same. */
  private async link(at: At, qboId: string | undefined): Promise<string> {
    if (!qboId || !/^\d{1,20}$/.test(qboId)) {
      throw new ValidationError({ qboId: 'Give the QuickBooks id of the record to link.' });
    }
    const entity = await this.deps.client.read(at.realmId, QBO_ENTITY[at.type], qboId);
    if (!entity) throw new ValidationError({ qboId: `QuickBooks has no ${at.type} with id ${qboId}.` });
    const other = await this.deps.links.findByQboId(at.type, qboId, at.realmId);
    if (other && other.recordId !== at.id) {
      throw new ValidationError({ qboId: `QuickBooks ${at.type} ${qboId} is linked to another record.` });
    }
    await this.close(at, 'link');
    await this.deps.links.upsert({
      recordType: at.type,
      recordId: at.id,
      realmId: at.realmId,
      qboId,
      syncToken: entity.SyncToken,
      // Nothing is sent for the link itself: only a later change in Heavy AV is.
      ...(await this.deps.currentState(at.realmId, at.type, at.id)),
      qboUpdatedAt: entity.MetaData?.LastUpdatedTime ?? null,
    });
    await this.deps.outbox.settleRecord(at.realmId, at.type, at.id);
    await this.event(at, 'link', qboId, 'linked by an admin');
    return `Linked to QuickBooks ${at.type} ${qboId}. QuickBooks was not changed.`;
  }

  /** Values differ: Heavy AV's values are sent to QuickBooks. */
  private async keepHeavyAv(at: At): Promise<string> {
    const link = await this.linked(at);
    await this.close(at, 'keep-heavy-av');
    await this.deps.links.upsert({ ...link, recordType: at.type, payloadHash: null });
    const n = await this.deps.outbox.retry({ realmId: at.realmId, recordType: at.type, recordId: at.id });
    if (!n) await this.deps.outbox.enqueue({ realmId: at.realmId, recordType: at.type, recordId: at.id });
    this.deps.kick();
    return "Heavy AV's values will be sent to QuickBooks shortly.";
  }

  /** Values differ: QuickBooks' values are taken into Heavy AV; nothing is sent. */
  private async keepQuickBooks(at: At): Promise<string> {
    if (at.type !== 'customer') {
      throw new ValidationError({ action: 'Only a customer can take its values from QuickBooks here.' });
    }
    const link = await this.linked(at);
    const theirs = await this.deps.client.read(at.realmId, 'Customer', link.qboId);
    if (!theirs) throw new ValidationError({ action: `QuickBooks has no customer ${link.qboId} any more.` });
    await this.close(at, 'keep-quickbooks');
    await this.deps.customers.applyFromQuickBooks(at.id, customerFieldsFrom(theirs));
    await this.deps.links.upsert({
      ...link,
      syncToken: theirs.SyncToken,
      payloadHash: (await this.deps.currentState(at.realmId, at.type, at.id)).payloadHash,
      snapshot: quickBooksCustomerSnapshot(theirs),
    });
    await this.deps.outbox.settleRecord(at.realmId, at.type, at.id);
    await this.event(at, 'keep-qbo', link.qboId, "QuickBooks' values kept");
    return "QuickBooks' values are now Heavy AV's. QuickBooks was not changed.";
  }

  private async linked(at: At) {
    const link = await this.deps.links.find(at.type, at.id, at.realmId);
    if (!link) throw new ValidationError({ action: 'This record is not linked to QuickBooks.' });
    return link;
  }

  private documents(type: RecordType): EstimatesService | InvoicesService {
    if (type === 'customer') {
      throw new ValidationError({ action: 'Only an estimate or an invoice has a number to change.' });
    }
    return type === 'estimate' ? this.deps.estimates : this.deps.invoices;
  }

  private async close(at: At, resolution: string): Promise<void> {
    await this.deps.conflicts.resolve(at.type, at.id, at.realmId, resolution, at.userId);
  }

  private async event(at: At, operation: string, qboId: string, message: string): Promise<void> {
    await this.deps.events.record([
      {
        realmId: at.realmId,
        direction: 'push',
        entity: at.type,
        localId: at.id,
        qboId,
        operation,
        result: 'ok',
        errorMessage: message,
      },
    ]);
  }
}

interface At {
  realmId: string;
  type: RecordType;
  id: number;
  userId: number;
}
