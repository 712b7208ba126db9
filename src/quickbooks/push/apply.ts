/**
 * Apply: QuickBooks' per-item answers to Heavy AV. A written entity becomes (or refreshes) the record's
 * link; a 5010 (someone changed the record in QuickBooks since we read it) is healed by re-reading it and
 * sending our change again once; a refusal fails the outbox item with Intuit's Fault code, visible in the
 * history; a write that got no answer is tried again later.
 */
import type { QboClient } from '../intuit/client.js';
import { QuickBooksStaleObjectError } from '../intuit/errors.js';
import { describeFault, isStale, OBJECT_NOT_FOUND } from '../intuit/faults.js';
import type { BatchAnswer, FaultItem, SyncedEntity } from '../intuit/types.js';
import { qboTotalsOf } from '../mapping/from-quickbooks.js';
import { ITEM_MISSING, QBO_ENTITY, TAX_CODE_MISSING } from '../mapping/to-quickbooks.js';
import type { LinksRepository, LinkWrite } from '../sync/links-repository.js';
import type { OutboxRepository } from './outbox-repository.js';
import { updateFields } from './plan.js';
import { errorDetails, type Op, type PushRun } from './run.js';

export interface ApplierDeps {
  client: QboClient;
  links: LinksRepository;
  outbox: OutboxRepository;
  /** Back-off for work that failed for a reason a retry can fix. */
  retryDelay(attempts: number): number;
}

function operationOf(op: Op): string {
  return op.adopted ? 'link' : op.link ? 'update' : 'create';
}

export class Applier {
  constructor(private readonly deps: ApplierDeps) {}

  /** Applies the answers to `ops` (answered under their index as bId). */
  async apply(run: PushRun, ops: Op[], answer: BatchAnswer): Promise<void> {
    const linked: LinkWrite[] = [];
    const unanswered: number[] = [];
    for (const [i, op] of ops.entries()) {
      const result = answer.results.get(String(i));
      if (result?.kind === 'unanswered') {
        if (op.outboxId !== undefined) unanswered.push(op.outboxId);
      } else if (result?.kind === 'entity') {
        linked.push(linkOf(run.realmId, op, result.entity));
        run.finished(op);
        run.record(op, operationOf(op), 'ok', { qboId: result.entity.Id, intuitTid: answer.intuitTid });
      } else if (op.link && isStale(result?.faults ?? [])) {
        await this.heal(run, op, op.link);
      } else {
        await this.refused(run, op, result?.faults ?? [], answer.intuitTid);
      }
    }
    // Links are written before the outbox items are completed (by the pusher). A crash in between leaves
    // the items pending: the retry either re-sends the identical batch (Intuit answers from its requestid
    // record) or, batched differently, finds the records by number/name and links them.
    await this.deps.links.upsertMany(linked);
    await this.deps.outbox.retryLater(unanswered, run.owner, this.deps.retryDelay(0), {
      code: 'quickbooks_unavailable',
      message: 'QuickBooks did not answer; will retry.',
    });
  }

  /** QuickBooks refused the item: retrying the same data cannot help, so it fails, with Intuit's code. */
  private async refused(run: PushRun, op: Op, faults: FaultItem[], intuitTid: string | null): Promise<void> {
    const code = faults[0]?.code ?? 'unknown';
    const message = withFix(faults[0]);
    if (op.outboxId !== undefined) await this.deps.outbox.fail(op.outboxId, run.owner, { code, message });
    run.record(op, operationOf(op), 'failed', { message, intuitTid, errorCode: code });
  }

  /** 5010: someone changed the record in QuickBooks. Re-read, re-apply our change, retry once. */
  private async heal(run: PushRun, op: Op, link: NonNullable<Op['link']>): Promise<void> {
    const { client } = this.deps;
    const entity = QBO_ENTITY[op.type];
    const options = { signal: run.signal };
    const current = await client.read(run.realmId, entity, link.qboId, options);
    if (!current) {
      const gone = { code: OBJECT_NOT_FOUND, message: 'Object Not Found', detail: 'gone from QuickBooks' };
      return this.refused(run, op, [gone], null);
    }
    try {
      const body = { ...updateFields(op), Id: link.qboId, SyncToken: current.SyncToken };
      const written = await client.update(run.realmId, entity, body, options);
      await this.deps.links.upsert(linkOf(run.realmId, op, written.entity));
      run.finished(op);
      run.record(op, 'update', 'ok', {
        qboId: link.qboId,
        intuitTid: written.intuitTid,
        message: 'stale SyncToken healed',
      });
    } catch (err) {
      if (!(err instanceof QuickBooksStaleObjectError)) throw err;
      // Changed again in the meantime: leave it for the next round.
      if (op.outboxId !== undefined) {
        await this.deps.outbox.retryLater([op.outboxId], run.owner, 1000, {
          code: '5010',
          message: err.message,
        });
      }
      run.record(op, 'update', 'retry', errorDetails(err));
    }
  }
}

/** Intuit's words, and for a refused item or tax code (gone, inactive) what to do about it. */
function withFix(fault: FaultItem | undefined): string {
  const said = describeFault(fault);
  const element = fault?.element ?? '';
  if (fault?.code === '2500' && element.includes('ItemRef')) return `${said} ${ITEM_MISSING}`;
  if (element.includes('TaxCodeRef') || /GST\/HST/.test(said)) return `${said} ${TAX_CODE_MISSING}`;
  return said;
}

function linkOf(realmId: string, op: Op, entity: SyncedEntity): LinkWrite {
  // What QuickBooks now holds in Heavy AV's terms: what was sent, over what it already held.
  const totals =
    op.type === 'customer'
      ? {}
      : (({ totalCents, taxCents }) => ({ qboTotalCents: totalCents, qboTaxCents: taxCents }))(
          qboTotalsOf(entity as Parameters<typeof qboTotalsOf>[0]),
        );
  return {
    recordType: op.type,
    recordId: op.recordId,
    realmId,
    qboId: entity.Id,
    syncToken: entity.SyncToken,
    payloadHash: op.hash,
    qboUpdatedAt: entity.MetaData?.LastUpdatedTime ?? null,
    snapshot: JSON.stringify(op.payload),
    ...totals,
  };
}
