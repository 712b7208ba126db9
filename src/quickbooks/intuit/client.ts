/**
 * The one QuickBooks client (STYLE.md 7 and 17): callers say `read('Invoice', id)`, `find('Customer',
 * { DisplayName })`, `batch(ops)`, `changedSince(...)` and get typed entities and typed per-item results.
 * Paths, query text, requestids and Fault JSON stay in this folder; every call goes through the chain of
 * `http.ts` (gate, record, faults, limiter, token, transport).
 */
import { createHash } from 'node:crypto';
import { isDisconnected, QuickBooksError, QuickBooksValidationError } from './errors.js';
import { faultsOf, faultsOfError, OBJECT_NOT_FOUND } from './faults.js';
import { type CallRecord, type QboClientDeps, QboHttp, type QboRequest, type QboResponse } from './http.js';
import { changedIn, companyInfoIn, entitiesIn, entityIn, isObject, parseEntity, textOf } from './parse.js';
import { type Conditions, selectWhere } from './query.js';
import type {
  BatchAnswer,
  Changed,
  CompanyInfo,
  Draft,
  Entities,
  EntityName,
  ItemResult,
  Update,
  WriteOp,
} from './types.js';

export { MINOR_VERSION } from './http.js';
export type { CallRecord, QboClientDeps };

/** Intuit takes at most 30 items in one batch request. */
export const BATCH_LIMIT = 30;

export interface CallOptions {
  signal?: AbortSignal;
}
export interface WriteOptions extends CallOptions {
  /**
   * Carry a requestid derived from what is sent: the same write sent again (a retry after a lost answer)
   * gets Intuit's first answer instead of a second record.
   */
  idempotent?: boolean;
}

/** A write's answer: the entity as QuickBooks now has it, and Intuit's transaction id for the log. */
export interface Written<E extends EntityName> {
  entity: Entities[E];
  intuitTid: string | null;
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** An entity's path below the company: `customer`, `invoice/12`. */
function pathOf(entity: EntityName, id?: string): string {
  const base = entity.toLowerCase();
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
}

/** What a write sends: an update carries `sparse: true` unless it replaces the whole entity. */
function wireBody(op: WriteOp): Record<string, unknown> {
  if (op.operation === 'create') return { ...op.body };
  return op.sparse === false ? { ...op.body } : { ...op.body, sparse: true };
}

export class QboClient {
  private readonly http: QboHttp;

  constructor(deps: QboClientDeps) {
    this.http = new QboHttp(deps);
  }

  /** Stops every call for the company (see QboHttp.close): nothing reaches Intuit for it afterwards. */
  close(realmId: string): Promise<void> {
    return this.http.close(realmId);
  }

  reopen(realmId: string): void {
    this.http.reopen(realmId);
  }

  private request(req: QboRequest): Promise<QboResponse> {
    return this.http.request(req);
  }

  /** CompanyInfo; `accessToken` only for the first call right after the code exchange. */
  async companyInfo(
    realmId: string,
    options: CallOptions & { accessToken?: string } = {},
  ): Promise<CompanyInfo> {
    const res = await this.request({ realmId, method: 'GET', path: `companyinfo/${realmId}`, ...options });
    return companyInfoIn(res.body);
  }

  /** The entity as QuickBooks has it now; undefined when QuickBooks has none with that id (Fault 610). */
  async read<E extends EntityName>(
    realmId: string,
    entity: E,
    id: string,
    options: CallOptions = {},
  ): Promise<Entities[E] | undefined> {
    try {
      const res = await this.request({ realmId, method: 'GET', path: pathOf(entity, id), ...options });
      return entityIn(entity, res.body);
    } catch (err) {
      if (err instanceof QuickBooksValidationError && err.faults.some((f) => f.code === OBJECT_NOT_FOUND))
        return undefined;
      throw err;
    }
  }

  /** The entities matching every condition (`=` for a value, `in` for a list); at most 1,000. */
  async find<E extends EntityName>(
    realmId: string,
    entity: E,
    where: Conditions<E>,
    options: CallOptions = {},
  ): Promise<Entities[E][]> {
    const query = selectWhere(entity, where);
    if (query === undefined) return [];
    const res = await this.request({ realmId, method: 'GET', path: 'query', query: { query }, ...options });
    const page = isObject(res.body) ? res.body.QueryResponse : undefined;
    return entitiesIn(entity, isObject(page) ? page[entity] : undefined);
  }

  findByIds<E extends EntityName>(
    realmId: string,
    entity: E,
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<Entities[E][]> {
    // Every entity has an Id; the cast only tells the compiler so for the generic E.
    return this.find(realmId, entity, { Id: ids } as Conditions<E>, options);
  }

  create<E extends EntityName>(
    realmId: string,
    entity: E,
    body: Draft<E>,
    options: WriteOptions = {},
  ): Promise<Written<E>> {
    return this.write(realmId, { bId: '0', operation: 'create', entity, body }, options);
  }

  /** An update: sparse (only the fields sent change; a sent `Line` replaces all lines) unless `full`. */
  update<E extends EntityName>(
    realmId: string,
    entity: E,
    body: Update<E>,
    options: WriteOptions & { full?: boolean } = {},
  ): Promise<Written<E>> {
    const op: WriteOp<E> = { bId: '0', operation: 'update', entity, body, sparse: !options.full };
    return this.write(realmId, op, options);
  }

  private async write<E extends EntityName>(
    realmId: string,
    op: WriteOp<E>,
    options: WriteOptions,
  ): Promise<Written<E>> {
    const body = wireBody(op);
    const requestId = options.idempotent
      ? `hav-s-${shortHash(JSON.stringify([realmId, op.entity, body]), 30)}`
      : undefined;
    const res = await this.request({
      realmId,
      method: 'POST',
      path: pathOf(op.entity),
      body,
      requestId,
      signal: options.signal,
    });
    return { entity: entityIn(op.entity, res.body), intuitTid: res.intuitTid };
  }

  /**
   * Up to 30 writes in one request, answered per item. The request carries a requestid derived from its
   * content: the same batch sent again gets Intuit's original answer instead of writing twice.
   */
  async batch(realmId: string, ops: readonly WriteOp[], options: CallOptions = {}): Promise<BatchAnswer> {
    if (ops.length > BATCH_LIMIT) throw new RangeError(`A batch takes at most ${BATCH_LIMIT} items.`);
    const items = ops.map((op) => ({ bId: op.bId, operation: op.operation, [op.entity]: wireBody(op) }));
    const res = await this.request({
      realmId,
      method: 'POST',
      path: 'batch',
      body: { BatchItemRequest: items },
      requestId: `hav-${shortHash(JSON.stringify([realmId, items]), 32)}`,
      signal: options.signal,
    });
    const answers = isObject(res.body) ? res.body.BatchItemResponse : undefined;
    const results = new Map<string, ItemResult>();
    for (const answer of Array.isArray(answers) ? answers : []) {
      const bId = isObject(answer) ? textOf(answer.bId) : undefined;
      const op = ops.find((o) => o.bId === bId);
      if (bId !== undefined && op && isObject(answer)) results.set(bId, itemResult(op.entity, answer));
    }
    return { intuitTid: res.intuitTid, results };
  }

  /**
   * The same writes as single calls, each idempotent, answered like batch items: for when the batch window
   * is full but the per-minute budget is not. A write that got no answer (throttled, outage) is
   * `unanswered`; a company found disconnected (or revoked) fails the whole call.
   */
  async writeEach(realmId: string, ops: readonly WriteOp[], options: CallOptions = {}): Promise<BatchAnswer> {
    const results = new Map<string, ItemResult>();
    let intuitTid: string | null = null;
    await Promise.all(
      ops.map(async (op) => {
        try {
          const written = await this.write(realmId, op, { ...options, idempotent: true });
          intuitTid = written.intuitTid;
          results.set(op.bId, { kind: 'entity', entity: written.entity });
        } catch (err) {
          results.set(op.bId, singleFailure(err));
        }
      }),
    );
    return { intuitTid, results };
  }

  /** Entities of one type changed since `since` (CDC: at most 30 days back, at most 1,000 a page). */
  async changedSince<E extends EntityName>(
    realmId: string,
    entity: E,
    since: Date,
    options: CallOptions = {},
  ): Promise<Changed<E>[]> {
    const res = await this.request({
      realmId,
      method: 'GET',
      path: 'cdc',
      query: { entities: entity, changedSince: since.toISOString() },
      ...options,
    });
    const cdc =
      isObject(res.body) && Array.isArray(res.body.CDCResponse) ? res.body.CDCResponse[0] : undefined;
    const pages = isObject(cdc) && Array.isArray(cdc.QueryResponse) ? cdc.QueryResponse : [];
    return pages.flatMap((page: unknown) => {
      const list = isObject(page) ? page[entity] : undefined;
      return Array.isArray(list) ? list.flatMap((v: unknown) => changedIn(entity, v) ?? []) : [];
    });
  }
}

/** A batch item's answer: the entity written, else its Fault (none: "no answer for this item"). */
function itemResult(name: EntityName, answer: Record<string, unknown>): ItemResult {
  const entity = parseEntity(name, answer[name]);
  return entity ? { kind: 'entity', entity } : { kind: 'fault', faults: faultsOf(answer) };
}

/** A single call that failed, as a batch item would have answered; a lost connection fails them all. */
function singleFailure(err: unknown): ItemResult {
  const faults = faultsOfError(err);
  if (faults) return { kind: 'fault', faults };
  if (err instanceof QuickBooksError && !isDisconnected(err))
    return { kind: 'unanswered', code: err.code, message: err.message };
  throw err;
}
