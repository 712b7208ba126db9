/**
 * Send: the planned writes as one batch request (creates for unlinked records, sparse updates with the
 * stored SyncToken for linked ones), or as single calls when the batch window is full but the per-minute
 * budget is not. Either way the answers come back per item, under the op's index as its bId.
 */
import type { QboClient } from '../intuit/client.js';
import type { BatchAnswer, WriteOp } from '../intuit/types.js';
import { QBO_ENTITY } from '../mapping/to-quickbooks.js';
import { updateFields } from './plan.js';
import type { Op, PushRun } from './run.js';

export function writeOf(bId: string, op: Op): WriteOp {
  const entity = QBO_ENTITY[op.type];
  if (!op.link) return { bId, operation: 'create', entity, body: op.payload };
  // A link re-pointed by a merge has no SyncToken yet: QuickBooks answers 5010, which heals it.
  // Only what differs from what QuickBooks holds (plan.ts updateFields), as a sparse update.
  const body = { ...updateFields(op), Id: op.link.qboId, SyncToken: op.link.syncToken ?? '' };
  return { bId, operation: 'update', entity, body, sparse: true };
}

export function send(
  client: QboClient,
  run: PushRun,
  ops: Op[],
  preferSingles?: (realmId: string, n: number) => boolean,
): Promise<BatchAnswer> {
  const writes = ops.map((op, i) => writeOf(String(i), op));
  const options = { signal: run.signal };
  if (preferSingles?.(run.realmId, writes.length)) return client.writeEach(run.realmId, writes, options);
  return client.batch(run.realmId, writes, options);
}
