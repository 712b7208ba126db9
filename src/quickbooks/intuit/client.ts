/**
 * The one QuickBooks client (STYLE.md 7 and 17): callers say `read('Invoice', id)`, `find('Customer',
 * { DisplayName })`, `batch(ops)`, `changedSince(...)` and get typed entities and typed per-item results.
 * Paths, query text, requestids and Fault JSON stay in this folder; every call goes through the chain of
 * `http.ts` (gate, record, faults, limiter, token, transport).
 */
import { QuickBooksValidationError } from './errors.js';
import { OBJECT_NOT_FOUND } from './faults.js';
import { type CallRecord, type QboClientDeps, QboHttp, type QboRequest, type QboResponse } from './http.js';
import { changesIn, companyInfoIn, entityIn, preferencesIn, queryPageIn, totalCountIn } from './parse.js';
import {
  type Conditions,
  countImport,
  type ImportFilter,
  selectAnyCustomers,
  selectByName,
  selectImportPage,
  selectWhere,
} from './query.js';
import type {
  BatchAnswer,
  Changed,
  CompanyInfo,
  Draft,
  Entities,
  EntityName,
  ItemResult,
  NameHolder,
  Preferences,
  Update,
  WriteOp,
} from './types.js';
import { BATCH_LIMIT, batchItems, batchResults, requestIdOf, singleFailure, wireBody } from './writes.js';

export { MINOR_VERSION } from './http.js';
export type { ImportFilter } from './query.js';
export { BATCH_LIMIT } from './writes.js';
export type { CallRecord, QboClientDeps };

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

/** The ops' request keys, when any has one (without keys, requestids stay what they always were). */
function keysOf(ops: readonly WriteOp[]): (string | null)[][] {
  return ops.some((o) => o.requestKey) ? [ops.map((o) => o.requestKey ?? null)] : [];
}

/** An entity's path below the company: `customer`, `invoice/12`. */
function pathOf(entity: EntityName, id?: string): string {
  const base = entity.toLowerCase();
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
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

  /** The company's Preferences (read-only here): the home currency is `CurrencyPrefs.HomeCurrency.value`. */
  async preferences(realmId: string, options: CallOptions = {}): Promise<Preferences> {
    const res = await this.request({ realmId, method: 'GET', path: 'preferences', ...options });
    return preferencesIn(res.body);
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
    return queryPageIn(entity, res.body);
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

  /** One page (at most 1,000) of an import, from `startPosition` (1-based), in Id order. */
  async importPage<E extends 'Customer' | 'Estimate' | 'Invoice'>(
    realmId: string,
    entity: E,
    filter: ImportFilter,
    startPosition: number,
    options: CallOptions = {},
  ): Promise<Entities[E][]> {
    const query = selectImportPage(entity, filter, startPosition);
    const res = await this.request({ realmId, method: 'GET', path: 'query', query: { query }, ...options });
    return queryPageIn(entity, res.body);
  }

  /** How many entities an import will read (`select count(*)`), for its progress. */
  async importCount(
    realmId: string,
    entity: 'Customer' | 'Estimate' | 'Invoice',
    filter: ImportFilter,
    options: CallOptions = {},
  ): Promise<number> {
    const query = countImport(entity, filter);
    const res = await this.request({ realmId, method: 'GET', path: 'query', query: { query }, ...options });
    return totalCountIn(res.body);
  }

  /** Customers by id, inactive ones included (at most 1,000 ids). */
  async customersByIds(
    realmId: string,
    ids: readonly string[],
    options: CallOptions = {},
  ): Promise<Entities['Customer'][]> {
    const query = selectAnyCustomers(ids);
    if (query === undefined) return [];
    const res = await this.request({ realmId, method: 'GET', path: 'query', query: { query }, ...options });
    return queryPageIn('Customer', res.body);
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
      ? requestIdOf('hav-s-', [realmId, op.entity, body, ...keysOf([op])], 30)
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
  async batch<E extends EntityName>(
    realmId: string,
    ops: readonly WriteOp<E>[],
    options: CallOptions = {},
  ): Promise<BatchAnswer<E>> {
    if (ops.length > BATCH_LIMIT) throw new RangeError(`A batch takes at most ${BATCH_LIMIT} items.`);
    const items = batchItems(ops);
    const res = await this.request({
      realmId,
      method: 'POST',
      path: 'batch',
      body: { BatchItemRequest: items },
      requestId: requestIdOf('hav-', [realmId, items, ...keysOf(ops)], 32),
      signal: options.signal,
    });
    return { intuitTid: res.intuitTid, results: batchResults(ops, res.body) };
  }

  /**
   * The same writes as single calls, each idempotent, answered like batch items: for when the batch window
   * is full but the per-minute budget is not. A write that got no answer (throttled, outage) is
   * `unanswered`; a company found disconnected (or revoked) fails the whole call.
   */
  async writeEach<E extends EntityName>(
    realmId: string,
    ops: readonly WriteOp<E>[],
    options: CallOptions = {},
  ): Promise<BatchAnswer<E>> {
    const results = new Map<string, ItemResult<E>>();
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

  /**
   * Who holds a display name in QuickBooks (Customer, Vendor and Employee share one namespace, inactive
   * ones included): the customers (active or not), vendors and employees with that name.
   */
  async nameHolders(
    realmId: string,
    displayName: string,
    options: CallOptions = {},
  ): Promise<{ customers: Entities['Customer'][]; vendors: NameHolder[]; employees: NameHolder[] }> {
    const run = async <E extends 'Customer' | 'Vendor' | 'Employee'>(entity: E) => {
      const query = selectByName(entity, displayName);
      const res = await this.request({ realmId, method: 'GET', path: 'query', query: { query }, ...options });
      return queryPageIn(entity, res.body);
    };
    const [customers, vendors, employees] = await Promise.all([
      run('Customer'),
      run('Vendor'),
      run('Employee'),
    ]);
    return { customers, vendors, employees };
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
    return changesIn(entity, res.body);
  }
}
