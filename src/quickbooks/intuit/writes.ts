/**
 * Writes on the wire: their bodies, the batch envelope, requestids derived from content, and the answers
 * per item (a batch item's own, or a single call's read as one).
 */
import { createHash } from 'node:crypto';
import { isDisconnected, QuickBooksError } from './errors.js';
import { faultsOf, faultsOfError } from './faults.js';
import { isObject, parseEntity, textOf } from './parse.js';
import type { EntityName, ItemResult, WriteOp } from './types.js';

/** Intuit takes at most 30 items in one batch request. */
export const BATCH_LIMIT = 30;

/**
 * A requestid (at most 50 characters) derived from what is sent: the same write sent again (a retry after
 * a lost answer, a crash) carries the same id, and Intuit answers it from its record of the first.
 */
export function requestIdOf(prefix: 'hav-' | 'hav-s-', content: unknown, length: 32 | 30): string {
  return `${prefix}${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, length)}`;
}

/** What a write sends: an update carries `sparse: true` unless it replaces the whole entity. */
export function wireBody(op: WriteOp): Record<string, unknown> {
  if (op.operation === 'create') return { ...op.body };
  return op.sparse === false ? { ...op.body } : { ...op.body, sparse: true };
}

/** `BatchItemRequest` items: `{"bId": "0", "operation": "create", "Invoice": {...}}`. */
export function batchItems(ops: readonly WriteOp[]): Record<string, unknown>[] {
  return ops.map((op) => ({ bId: op.bId, operation: op.operation, [op.entity]: wireBody(op) }));
}

/** A batch item's answer: the entity written, else its Fault (none: "no answer for this item"). */
function itemResult<E extends EntityName>(name: E, answer: Record<string, unknown>): ItemResult<E> {
  const entity = parseEntity(name, answer[name]);
  return entity ? { kind: 'entity', entity } : { kind: 'fault', faults: faultsOf(answer) };
}

/** The answers of `BatchItemResponse`, per bId of `ops`; a bId without an answer is absent. */
export function batchResults<E extends EntityName>(
  ops: readonly WriteOp<E>[],
  body: unknown,
): Map<string, ItemResult<E>> {
  const answers = isObject(body) ? body.BatchItemResponse : undefined;
  const results = new Map<string, ItemResult<E>>();
  for (const answer of Array.isArray(answers) ? answers : []) {
    if (!isObject(answer)) continue;
    const bId = textOf(answer.bId);
    const op = ops.find((o) => o.bId === bId);
    if (bId !== undefined && op) results.set(bId, itemResult(op.entity, answer));
  }
  return results;
}

/** A single call that failed, as a batch item would have answered; a lost connection fails them all. */
export function singleFailure(err: unknown): Extract<ItemResult, { kind: 'fault' | 'unanswered' }> {
  const faults = faultsOfError(err);
  if (faults) return { kind: 'fault', faults };
  if (err instanceof QuickBooksError && !isDisconnected(err)) {
    return { kind: 'unanswered', code: err.code, message: err.message };
  }
  throw err;
}
