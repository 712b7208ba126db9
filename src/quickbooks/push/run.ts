/**
 * One push of claimed outbox items (or of the customers a document needs): what it is pushing, and what it
 * has found out so far. Plan, send and apply write into it; the pusher settles it at the end (outbox items
 * completed or deferred, sync events recorded). One object per push instead of lists threaded through
 * every method.
 */
import type { RecordType } from '../../records/hooks.js';
import type { QuickBooksError } from '../intuit/errors.js';
import type { SinglesTicket } from '../intuit/limiter.js';
import type { Draft } from '../intuit/types.js';
import type { DocumentPayload } from '../mapping/to-quickbooks.js';
import type { SyncEventInput } from '../sync/events-repository.js';
import type { Link } from '../sync/links-repository.js';

/** One record to push. */
export interface Op {
  type: RecordType;
  recordId: number;
  /** Absent for a customer pushed because a document needs it (no outbox item of its own). */
  outboxId?: number;
  runId?: number | null;
  payload: Draft<'Customer'> | DocumentPayload;
  /** Of the payload: stored on the link, so that an unchanged record is not sent again. */
  hash: string;
  link?: Pick<Link, 'qboId' | 'syncToken' | 'payloadHash' | 'snapshot'>;
  /**
   * A link from before snapshots whose QuickBooks lines Heavy AV cannot model: this update leaves `Line`
   * out (never rewrite lines blindly).
   */
  keepLines?: boolean;
  /** Part of the requestid (the outbox item's; decision 009). */
  requestKey?: string | null;
  /** A document's create carries it in PrivateNote: the proof, read back later, that it is ours. */
  marker?: string;
  /** Create without DocNumber (an admin let QuickBooks number it). */
  noDocNumber?: boolean;
}

export interface EventDetails {
  qboId?: string;
  intuitTid?: string | null;
  message?: string;
  /** Intuit's Fault code, or ours. */
  errorCode?: string;
}

/** What the history says of a typed error: Intuit's Fault code (else ours), message, intuit_tid. */
export function errorDetails(err: QuickBooksError): EventDetails {
  return { errorCode: err.faultCode ?? err.code, message: err.message, intuitTid: err.intuitTid };
}

export class PushRun {
  /** Outbox items finished: pushed, unchanged or gone (one QuickBooks refused is failed in the outbox). */
  readonly done: number[] = [];
  /** Documents waiting for their customer: retried soon, not counted as failures. */
  readonly deferred: number[] = [];
  /** Items that cannot be sent as they are (e.g. no item chosen): failed with a message naming the fix. */
  readonly failures: { outboxId: number; code: string; message: string }[] = [];
  /** Items of records in an open conflict: held until an admin resolves it. */
  readonly parked: number[] = [];
  readonly events: SyncEventInput[] = [];

  constructor(
    readonly realmId: string,
    /** The claim token: outbox calls of this push only touch the items it claimed. */
    readonly owner: string,
    readonly signal?: AbortSignal,
    /** Items the limiter said to send as single calls (the batch lane is queuing up): see send.ts. */
    readonly singles?: SinglesTicket,
  ) {}

  finished(op: Pick<Op, 'outboxId'>): void {
    if (op.outboxId !== undefined) this.done.push(op.outboxId);
  }

  defer(outboxId: number): void {
    this.deferred.push(outboxId);
  }

  /** Fails the item before anything is sent (settled by the pusher) and records it for the history. */
  fail(op: Pick<Op, 'type' | 'recordId' | 'outboxId' | 'runId'>, code: string, message: string): void {
    if (op.outboxId !== undefined) this.failures.push({ outboxId: op.outboxId, code, message });
    this.record(op, 'push', 'failed', { errorCode: code, message });
  }

  park(outboxId: number): void {
    this.parked.push(outboxId);
  }

  /** The items neither finished, deferred, failed nor parked: what a failure of the whole push puts back. */
  unsettled(ids: number[]): number[] {
    const failed = this.failures.map((f) => f.outboxId);
    return ids.filter(
      (id) =>
        !this.done.includes(id) &&
        !this.deferred.includes(id) &&
        !failed.includes(id) &&
        !this.parked.includes(id),
    );
  }

  /** Records a sync event of this push for the history. */
  record(
    op: { type: RecordType; recordId: number; runId?: number | null },
    operation: string,
    result: SyncEventInput['result'],
    details: EventDetails = {},
  ): void {
    this.events.push({
      runId: op.runId ?? null,
      realmId: this.realmId,
      direction: 'push',
      entity: op.type,
      localId: op.recordId,
      qboId: details.qboId ?? null,
      operation,
      result,
      errorCode: details.errorCode ?? null,
      errorMessage: details.message ?? null,
      intuitTid: details.intuitTid ?? null,
    });
  }
}
