/**
 * Send: the planned writes as one batch request (creates for unlinked records, sparse updates with the
 * stored SyncToken for linked ones), or as single calls when the push holds a ticket for them (batches
 * are queuing up and the requests a minute they leave over are idle: limiter.ts). Either way the answers
 * come back per item, under the op's index as its bId.
 *
 * A batch refused as a whole (a 400 for the request, not for an item) is split: each write is sent on its
 * own, so each record gets its own answer instead of the whole batch being retried forever (Intuit would
 * replay the stored refusal to the same requestid).
 */
import type { QboClient } from '../intuit/client.js';
import { QuickBooksValidationError } from '../intuit/errors.js';
import type { BatchAnswer, WriteOp } from '../intuit/types.js';
import { QBO_ENTITY } from '../mapping/to-quickbooks.js';
import { updateFields } from './plan.js';
import type { Op, PushRun } from './run.js';

export function writeOf(bId: string, op: Op): WriteOp {
  const entity = QBO_ENTITY[op.type];
  const requestKey = op.requestKey ?? null;
  if (!op.link) {
    const body: Record<string, unknown> = { ...op.payload };
    // The marker goes only into creates, never into the hash: it is QuickBooks' copy that proves, later.
    if (op.marker) body.PrivateNote = op.marker;
    if (op.noDocNumber) delete body.DocNumber;
    return { bId, operation: 'create', entity, body: body as WriteOp['body'], requestKey } as WriteOp;
  }
  // A link re-pointed by a merge has no SyncToken yet: QuickBooks answers 5010, which heals it.
  // Only what differs from what QuickBooks holds (plan.ts updateFields), as a sparse update.
  const body = { ...updateFields(op), Id: op.link.qboId, SyncToken: op.link.syncToken ?? '' };
  return { bId, operation: 'update', entity, body, sparse: true, requestKey };
}

export async function send(client: QboClient, run: PushRun, ops: Op[]): Promise<BatchAnswer> {
  const writes = ops.map((op, i) => writeOf(String(i), op));
  const options = { signal: run.signal };
  if (run.singles?.count) {
    // The calls are on their way to the limiter's queue (each after its token read): the ticket is kept.
    const answer = client.writeEach(run.realmId, writes, options);
    run.singles.release();
    return answer;
  }
  const batch = client.batch(run.realmId, writes, options);
  run.singles?.release();
  try {
    return await batch;
  } catch (err) {
    if (!(err instanceof QuickBooksValidationError)) throw err;
    return client.writeEach(run.realmId, writes, options);
  }
}
