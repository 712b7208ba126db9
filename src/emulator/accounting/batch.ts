import { isObject } from '../config.js';
import { entityName } from '../model.js';
import type { Books } from './entities.js';
import { faults, QboFault } from './faults.js';
import { runQuery } from './query.js';

export const BATCH_MAX_ITEMS = 30;
/** Intuit's batch schema limits a bId to 10 characters. */
export const BID_MAX = 10;

/**
 * `POST /batch`: each item is handled on its own and answers on its own (its own Fault possible), as in
 * fixtures/qbo/batch/response.qbo_api.json. Only the envelope itself can fail the whole request.
 */
export function runBatch(books: Books, body: unknown): Record<string, unknown>[] {
  const items = isObject(body) ? body.BatchItemRequest : undefined;
  if (!Array.isArray(items) || items.length === 0) throw faults.requiredParam('BatchItemRequest');
  if (items.length > BATCH_MAX_ITEMS) {
    throw faults.invalidProperty(
      `BatchItemRequest has ${items.length} items; the maximum number of batch items is ${BATCH_MAX_ITEMS}`,
    );
  }
  for (const item of items) {
    const bId = isObject(item) ? item.bId : undefined;
    if (bId === undefined || bId === null || String(bId) === '') throw faults.requiredParam('bId');
    if (String(bId).length > BID_MAX) throw faults.stringLength('bId', BID_MAX, String(bId));
  }
  return items.map((item) => {
    const bId = isObject(item) ? item.bId : undefined;
    try {
      return { ...runItem(books, item), bId };
    } catch (err) {
      if (err instanceof QboFault) return { Fault: err.toFault(), bId };
      throw err;
    }
  });
}

function runItem(books: Books, item: unknown): Record<string, unknown> {
  if (!isObject(item)) throw faults.invalidProperty('BatchItemRequest entries must be objects');
  if (typeof item.Query === 'string') return { QueryResponse: runQuery(books.company, item.Query) };
  const key = Object.keys(item).find((k) => k !== 'bId' && k !== 'operation' && k !== 'optionsData');
  const name = key ? entityName(key) : undefined;
  if (!key || !name || !isObject(item[key])) {
    throw faults.unsupportedOperation(`Unsupported batch item: ${key ?? '(no entity)'}`);
  }
  const entity = item[key];
  const op = String(item.operation ?? 'create').toLowerCase();
  // Intuit voids in a batch with operation "update" + optionsData "void"; "void" is accepted as well.
  const isVoid =
    op === 'void' || (op === 'update' && String(item.optionsData ?? '').toLowerCase() === 'void');
  if (isVoid) return { [name]: books.void(name, entity) };
  if (op === 'create') return { [name]: books.create(name, entity) };
  if (op === 'update') {
    if (entity.Id === undefined) throw faults.requiredParam('Id');
    return { [name]: books.update(name, entity) };
  }
  if (op === 'delete') return { [name]: books.delete(name, entity) };
  throw faults.unsupportedOperation(`Unsupported batch operation: ${op}`);
}
