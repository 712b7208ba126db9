/**
 * Apply: QuickBooks' per-item answers to Heavy AV. A written entity becomes (or refreshes) the record's
 * link; a 5010 (someone changed the record in QuickBooks since we read it) is healed by re-reading it and
 * sending our change again once; a number or name already taken (6140, 6240) goes to `proof.ts`, which
 * links only what it can prove is the same record and makes the rest a conflict; any other refusal fails
 * the outbox item with Intuit's Fault code, visible in the history; a write that got no answer is tried
 * again later.
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
import { DUPLICATE_DOC_NUMBER, DUPLICATE_NAME, Proof, type ProofDeps, type Taken } from './proof.js';
import { errorDetails, type Op, type PushRun } from './run.js';

export interface ApplierDeps extends ProofDeps {
  client: QboClient;
  links: LinksRepository;
  outbox: OutboxRepository;
  /** Back-off for work that failed for a reason a retry can fix. */
  retryDelay(attempts: number): number;
  /** A document created without DocNumber takes the number QuickBooks gave it. */
  numberFromQuickBooks?(type: 'estimate' | 'invoice', id: number, docNumber: string): Promise<void>;
}

function operationOf(op: Op): string {
  return op.link ? 'update' : 'create';
}

function hasCode(faults: FaultItem[] | undefined, code: string): boolean {
  return (faults ?? []).some((f) => f.code === code);
}

export class Applier {
  private readonly proof: Proof;

  constructor(private readonly deps: ApplierDeps) {
    this.proof = new Proof(deps);
  }

  /** Applies the answers to `ops` (answered under their index as bId). */
  async apply(run: PushRun, ops: Op[], answer: BatchAnswer): Promise<void> {
    const linked: LinkWrite[] = [];
    const unanswered: number[] = [];
    const numbers: Taken[] = [];
    const names: Taken[] = [];
    for (const [i, op] of ops.entries()) {
      const result = answer.results.get(String(i));
      const faults = result?.kind === 'fault' ? result.faults : [];
      if (result?.kind === 'unanswered') {
        if (op.outboxId !== undefined) unanswered.push(op.outboxId);
      } else if (result?.kind === 'entity') {
        linked.push(linkOf(run.realmId, op, result.entity));
        await this.numbered(op, result.entity);
        run.finished(op);
        run.record(op, operationOf(op), 'ok', { qboId: result.entity.Id, intuitTid: answer.intuitTid });
      } else if (op.link && isStale(faults)) {
        await this.heal(run, op, op.link);
      } else if (!op.link && op.type !== 'customer' && hasCode(faults, DUPLICATE_DOC_NUMBER)) {
        numbers.push({ op, faults });
      } else if (!op.link && op.type === 'customer' && hasCode(faults, DUPLICATE_NAME)) {
        names.push({ op, faults });
      } else {
        await this.refused(run, op, faults, answer.intuitTid);
      }
    }
    // Links are written before the outbox items are completed (by the pusher). A crash in between leaves
    // the items pending: the retry either re-sends the identical batch (Intuit answers from its requestid
    // record) or, batched differently, gets "number/name taken" and proves the records its own.
    await this.deps.links.upsertMany(linked);
    await this.proof.numbersTaken(run, numbers);
    await this.proof.namesTaken(run, names);
    await this.deps.outbox.retryLater(unanswered, run.owner, this.deps.retryDelay(0), {
      code: 'quickbooks_unavailable',
      message: 'QuickBooks did not answer; will retry.',
    });
  }

  /** Created without DocNumber: the record takes QuickBooks' number. */
  private async numbered(op: Op, entity: SyncedEntity): Promise<void> {
    if (!op.noDocNumber || op.link || op.type === 'customer') return;
    const docNumber = 'DocNumber' in entity ? entity.DocNumber : undefined;
    if (docNumber) await this.deps.numberFromQuickBooks?.(op.type, op.recordId, docNumber);
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
