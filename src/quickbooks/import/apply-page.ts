/**
 * One page of an import applied to Heavy AV, in one transaction with the import's new position: either
 * the page's records, links, history entries and position all commit, or none does, so a process killed
 * anywhere resumes after the last page it committed and never writes a record twice (decision 012).
 *
 * The rules are the pull's (`pull/inbound-sync.ts`), with the pull's mapping (`mapping/from-quickbooks.ts`,
 * `pull/snapshots.ts`, `mapping/held.ts`): records are written with the quiet inbound methods (no outbox
 * row, so nothing goes back to QuickBooks unless it is changed in Heavy AV) and linked, realm-stamped, with
 * a snapshot of what QuickBooks holds. A customer with the same display name as ours is linked, not
 * duplicated; where their values differ neither side is changed and a conflict lets an admin choose
 * (decision 009). A document is linked only by this installation's marker; a number used here by another
 * document is skipped with a conflict, as the pull does.
 */
import type { CustomersService } from '../../customers/service.js';
import type { Transaction, Transactor } from '../../db/transaction.js';
import type { EstimatesService } from '../../estimates/service.js';
import { ValidationError } from '../../http/errors.js';
import type { InvoicesService } from '../../invoices/service.js';
import type { ConflictInput, ConflictsRepository } from '../conflicts/conflicts-repository.js';
import type { Customer, Estimate, Invoice } from '../intuit/types.js';
import { customerFieldsFrom, documentFieldsFrom } from '../mapping/from-quickbooks.js';
import { quickBooksCustomerSnapshot } from '../mapping/held.js';
import { markerIn } from '../mapping/marker.js';
import { customerSide, differences, documentRecordSide, documentSide } from '../mapping/sides.js';
import { customerPayload } from '../mapping/to-quickbooks.js';
import { isVoided, linkValues } from '../pull/freshness.js';
import { snapshotIn, totalsOf } from '../pull/snapshots.js';
import type { SyncEventInput, SyncEventsRepository } from '../sync/events-repository.js';
import type { LinksRepository } from '../sync/links-repository.js';
import type { ImportCounts, ImportPhase, ImportsRepository } from './imports-repository.js';

export type DocumentKind = 'estimate' | 'invoice';

export interface ApplyPageDeps {
  transaction: Transactor;
  links: LinksRepository;
  customers: CustomersService;
  estimates: EstimatesService;
  invoices: InvoicesService;
  conflicts: ConflictsRepository;
  events: SyncEventsRepository;
  imports: ImportsRepository;
}

export interface PageContext {
  importId: number;
  realmId: string;
  runId: number | null;
  /** This installation's id: a document whose marker names it is ours. */
  installationId: string;
  /** Where the import stood when this page was read, and where it stands once the page is committed. */
  from: { phase: ImportPhase; position: number };
  next: { phase: ImportPhase; position: number };
}

/** The page did not commit: the import was stopped (a disconnect), or another process applied the page first. */
export class ImportStoppedError extends Error {}

/** What one page did; `conflicts` are opened once the page has committed. */
class Tally implements ImportCounts {
  imported = 0;
  linked = 0;
  skipped = 0;
  skipReasons: Record<string, number> = {};
  readonly events: SyncEventInput[] = [];
  readonly conflicts: ConflictInput[] = [];

  constructor(private readonly ctx: PageContext) {}

  note(
    entity: string,
    qboId: string,
    outcome: 'imported' | 'linked' | 'skipped',
    localId: number | null,
    reason?: string,
  ): void {
    if (outcome === 'skipped') {
      this.skipped++;
      const key = reason ?? 'skipped';
      this.skipReasons[key] = (this.skipReasons[key] ?? 0) + 1;
    } else this[outcome]++;
    this.events.push({
      runId: this.ctx.runId,
      realmId: this.ctx.realmId,
      direction: 'pull',
      entity,
      localId,
      qboId,
      operation: outcome === 'linked' ? 'import-link' : 'import',
      result: outcome === 'skipped' ? 'skipped' : 'ok',
      errorMessage: reason ?? null,
    });
  }
}

/** A record QuickBooks holds that Heavy AV's rules refuse (e.g. an empty display name): skipped, named. */
function refusal(err: unknown): string | undefined {
  if (!(err instanceof ValidationError)) return undefined;
  return `refused by Heavy AV: ${Object.values(err.fields)[0] ?? err.message}`;
}

export class PageApplier {
  constructor(private readonly deps: ApplyPageDeps) {}

  /** Active customers: linked by name or created, each with its link. */
  async customers(ctx: PageContext, rows: Customer[]): Promise<ImportCounts> {
    return this.commit(ctx, async (trx, tally) => {
      for (const qbo of rows) await this.oneCustomer(trx, tally, ctx, qbo);
    });
  }

  /**
   * Estimates or invoices. `referenced` holds the QuickBooks customers the page names that are not linked
   * yet (read before the transaction: no call to Intuit while it holds the database).
   */
  async documents(
    kind: DocumentKind,
    ctx: PageContext,
    rows: (Estimate | Invoice)[],
    referenced: Map<string, Customer>,
  ): Promise<ImportCounts> {
    return this.commit(ctx, async (trx, tally) => {
      for (const qbo of rows) await this.oneDocument(trx, tally, ctx, kind, qbo, referenced);
    });
  }

  private async commit(
    ctx: PageContext,
    apply: (trx: Transaction, tally: Tally) => Promise<void>,
  ): Promise<ImportCounts> {
    const { transaction, events, imports, conflicts } = this.deps;
    const tally = new Tally(ctx);
    await transaction(async (trx) => {
      await apply(trx, tally);
      await events.record(tally.events, trx);
      if (!(await imports.advance(ctx.importId, ctx.from, ctx.next, tally, trx)))
        throw new ImportStoppedError();
    });
    // Opened after the commit (the repository opens its own transaction). A crash in between leaves the
    // record linked (or skipped, as the summary says) without its conflict: the conflict is a convenience.
    for (const conflict of tally.conflicts) await conflicts.open(conflict);
    if (ctx.runId !== null) {
      await events.addToRun(ctx.runId, { total: tally.events.length, done: tally.events.length });
    }
    const { imported, linked, skipped, skipReasons } = tally;
    return { imported, linked, skipped, skipReasons };
  }

  /** One record in a savepoint: a record Heavy AV refuses is skipped without undoing the rest of the page. */
  private async savepoint<T>(trx: Transaction, work: (sp: Transaction) => Promise<T>): Promise<T> {
    return trx.transaction(work);
  }

  private async oneCustomer(trx: Transaction, tally: Tally, ctx: PageContext, qbo: Customer) {
    const outcome = await this.applyCustomer(trx, tally, ctx.realmId, qbo);
    tally.note('Customer', qbo.Id, outcome.outcome, outcome.localId, outcome.reason);
  }

  /** The customer as the import leaves it: its local id (undefined when skipped) and what happened. */
  private async applyCustomer(
    trx: Transaction,
    tally: Tally,
    realmId: string,
    qbo: Customer,
  ): Promise<{ outcome: 'imported' | 'linked' | 'skipped'; localId: number | null; reason?: string }> {
    const { links, customers } = this.deps;
    const linked = await links.findByQboId('customer', qbo.Id, realmId, trx);
    if (linked) return { outcome: 'skipped', localId: linked.recordId, reason: 'already linked' };
    const fields = customerFieldsFrom(qbo);
    const same = await customers.findByDisplayName(fields.displayName, trx);
    if (same) {
      if (await links.find('customer', same.id, realmId, trx)) {
        return {
          outcome: 'skipped',
          localId: same.id,
          reason: 'its name is used by another linked customer',
        };
      }
      const heavyAv = customerSide(customerPayload(same));
      const quickBooks = customerSide(qbo);
      const differ = differences(heavyAv, quickBooks);
      await links.upsert(
        {
          recordType: 'customer',
          recordId: same.id,
          realmId,
          ...linkValues(qbo),
          // Same values: ours is what QuickBooks holds. Different: QuickBooks' values, so that choosing
          // Heavy AV's side later sends only what differs.
          snapshot: differ.length
            ? quickBooksCustomerSnapshot(qbo)
            : await snapshotIn(trx, 'customer', same.id, ''),
        },
        trx,
      );
      if (differ.length) {
        tally.conflicts.push({
          realmId,
          recordType: 'customer',
          recordId: same.id,
          kind: 'values_differ',
          qboId: qbo.Id,
          message: `Linked to QuickBooks customer ${qbo.Id} by its name when importing; ${differ.join(', ').toLowerCase()} differ. Neither side was changed: choose which side wins.`,
          details: { heavyAv, quickBooks },
        });
      }
      return { outcome: 'linked', localId: same.id };
    }
    try {
      const id = await this.savepoint(trx, async (sp) => {
        const created = await customers.createFromQuickBooks(fields, sp);
        await links.upsert(
          {
            recordType: 'customer',
            recordId: created.id,
            realmId,
            ...linkValues(qbo),
            snapshot: await snapshotIn(sp, 'customer', created.id, ''),
          },
          sp,
        );
        return created.id;
      });
      return { outcome: 'imported', localId: id };
    } catch (err) {
      const reason = refusal(err);
      if (!reason) throw err;
      return { outcome: 'skipped', localId: null, reason };
    }
  }

  private async oneDocument(
    trx: Transaction,
    tally: Tally,
    ctx: PageContext,
    kind: DocumentKind,
    qbo: Estimate | Invoice,
    referenced: Map<string, Customer>,
  ) {
    const entity = kind === 'estimate' ? 'Estimate' : 'Invoice';
    const skip = (reason: string, localId: number | null = null) =>
      tally.note(entity, qbo.Id, 'skipped', localId, reason);
    const { links } = this.deps;
    const service = kind === 'estimate' ? this.deps.estimates : this.deps.invoices;
    if (isVoided(qbo)) return skip('voided in QuickBooks');
    const linked = await links.findByQboId(kind, qbo.Id, ctx.realmId, trx);
    if (linked) return skip('already linked', linked.recordId);
    // Our own create whose link was lost: its marker proves it (decision 009). Linked without a snapshot:
    // the next push reads what QuickBooks holds.
    const marker = markerIn(qbo.PrivateNote);
    if (marker?.recordType === kind && marker.installationId === ctx.installationId) {
      const ours = await service.findById(marker.recordId, trx);
      if (ours && !(await links.find(kind, ours.id, ctx.realmId, trx))) {
        await links.upsert(
          {
            recordType: kind,
            recordId: ours.id,
            realmId: ctx.realmId,
            ...linkValues(qbo),
            ...totalsOf(qbo),
            snapshot: null,
          },
          trx,
        );
        return tally.note(entity, qbo.Id, 'linked', ours.id);
      }
    }
    const customer = await this.localCustomer(trx, tally, ctx.realmId, qbo, referenced);
    if ('reason' in customer) return skip(customer.reason);
    const customerId = customer.id;
    const fields = documentFieldsFrom(qbo, kind, customerId);
    const same = fields.docNumber ? await service.findByDocNumber(fields.docNumber, trx) : undefined;
    if (same) {
      tally.conflicts.push({
        realmId: ctx.realmId,
        recordType: kind,
        recordId: same.id,
        kind: 'number_taken',
        qboId: qbo.Id,
        message: `Number ${same.docNumber} is also used in QuickBooks by ${kind} ${qbo.Id}, which the import did not bring in. Neither was changed.`,
        details: {
          holder: kind,
          heavyAv: documentRecordSide(same),
          quickBooks: documentSide(qbo),
        },
      });
      return skip(`its number is used by another ${kind} in Heavy AV`, same.id);
    }
    try {
      const id = await this.savepoint(trx, async (sp) => {
        const created = await service.createFromQuickBooks(fields, sp);
        await links.upsert(
          {
            recordType: kind,
            recordId: created.id,
            realmId: ctx.realmId,
            ...linkValues(qbo),
            ...totalsOf(qbo),
            snapshot: await snapshotIn(sp, kind, created.id, qbo.CustomerRef?.value ?? ''),
          },
          sp,
        );
        return created.id;
      });
      tally.note(entity, qbo.Id, 'imported', id);
    } catch (err) {
      const reason = refusal(err);
      if (!reason) throw err;
      skip(reason);
    }
  }

  /**
   * The local customer of a document: linked already (imported earlier, or by this page), or brought in
   * now from what was read before the transaction (an inactive customer stays inactive here).
   */
  private async localCustomer(
    trx: Transaction,
    tally: Tally,
    realmId: string,
    doc: Estimate | Invoice,
    referenced: Map<string, Customer>,
  ): Promise<{ id: number } | { reason: string }> {
    const missing = { reason: 'its customer was not found in QuickBooks' };
    const qboId = doc.CustomerRef?.value;
    if (!qboId) return missing;
    const link = await this.deps.links.findByQboId('customer', qboId, realmId, trx);
    if (link) return { id: link.recordId };
    const qbo = referenced.get(qboId);
    if (!qbo) return missing;
    const applied = await this.applyCustomer(trx, tally, realmId, qbo);
    tally.note('Customer', qbo.Id, applied.outcome, applied.localId, applied.reason);
    if (applied.outcome === 'skipped' || applied.localId === null)
      return { reason: `its customer was skipped (${applied.reason ?? 'skipped'})` };
    return { id: applied.localId };
  }
}
