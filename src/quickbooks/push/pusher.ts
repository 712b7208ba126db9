/**
 * Pushes claimed outbox items to one QuickBooks company, up to 30 in one batch request.
 *
 * Never a duplicate: an unlinked record is first looked up in QuickBooks (customer DisplayName, document
 * DocNumber) and linked if it exists; creates carry a `requestid` derived from what they send, so a retry
 * of the same request (after a crash or a lost answer) gets Intuit's original answer instead of a second
 * record. Updates carry the stored SyncToken; a 5010 (stale) is healed by re-reading and retrying.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { RecordType } from '../../records/hooks.js';
import { faultsOf, type QboClient } from '../intuit/client.js';
import { QuickBooksError, QuickBooksStaleObjectError, QuickBooksValidationError } from '../intuit/errors.js';
import {
  customerPayload,
  documentPayload,
  payloadHash,
  QBO_ENTITY,
  qboString,
} from '../mapping/to-quickbooks.js';
import type { SyncEventInput, SyncEventsRepository } from '../sync/events-repository.js';
import type { Link, LinksRepository, LinkWrite } from '../sync/links-repository.js';
import type { OutboxItem, OutboxRepository } from './outbox-repository.js';
import type { RecordsReader } from './records-reader.js';

export const BATCH_LIMIT = 30;

interface Op {
  type: RecordType;
  recordId: number;
  outboxId?: number;
  runId?: number | null;
  payload: Record<string, unknown>;
  hash: string;
  link?: Pick<Link, 'qboId' | 'syncToken' | 'payloadHash'>;
  /** Found in QuickBooks by name/number rather than by a link. */
  adopted?: boolean;
}

export interface PusherDeps {
  client: QboClient;
  links: LinksRepository;
  events: SyncEventsRepository;
  outbox: OutboxRepository;
  reader: RecordsReader;
  logger: Logger;
  owner: string;
  /** Whether to send single calls instead of a batch that would wait for the batch window. */
  preferSingles?: (realmId: string, n: number) => boolean;
  /** Back-off for work that failed for a reason a retry can fix (throttle, outage). */
  retryDelayMs?: (attempts: number) => number;
}

function shortHash(text: string, length = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

export class Pusher {
  private readonly ensuring = new Map<string, Promise<void>>();

  constructor(private readonly deps: PusherDeps) {}

  private retryDelay(attempts: number): number {
    return this.deps.retryDelayMs?.(attempts) ?? Math.min(30_000 * 2 ** attempts, 60 * 60 * 1000);
  }

  /**
   * Pushes up to 30 claimed items. Items of one call share a type group order: customers first. False when
   * the company turned out to be disconnected (or revoked): the items went back to the queue, and pushing
   * more for that company is pointless until it is connected again.
   */
  async push(realmId: string, items: OutboxItem[], token: string, signal?: AbortSignal): Promise<boolean> {
    return this.withToken(token).pushClaimed(realmId, items, signal);
  }

  /** The same pusher acting for one claim (its outbox calls match that claim's token). */
  private withToken(token: string): Pusher {
    const copy = Object.create(this) as Pusher;
    (copy as any).deps = { ...this.deps, owner: token };
    return copy;
  }

  private async pushClaimed(realmId: string, items: OutboxItem[], signal?: AbortSignal): Promise<boolean> {
    const done: number[] = [];
    const deferred: number[] = [];
    const events: SyncEventInput[] = [];
    try {
      const ops = await this.buildOps(realmId, items, done, deferred, events, signal);
      await this.execute(realmId, ops, events, done, signal);
      await this.deps.outbox.complete(done, this.deps.owner);
      await this.deps.outbox.retryLater(deferred, this.deps.owner, this.retryDelay(0), {
        code: 'customer_missing',
        message: 'The customer is not in QuickBooks yet.',
      });
      return true;
    } catch (err) {
      const pending = items.map((i) => i.id).filter((id) => !done.includes(id) && !deferred.includes(id));
      await this.deps.outbox.complete(done, this.deps.owner);
      if (
        err instanceof QuickBooksError &&
        ['quickbooks_not_connected', 'quickbooks_revoked'].includes(err.code)
      ) {
        // Disconnected meanwhile: the work stays queued for a reconnect to the same company.
        await this.deps.outbox.release(realmId, this.deps.owner);
        return false;
      }
      if (!(err instanceof QuickBooksError)) {
        await this.deps.outbox.release(realmId, this.deps.owner);
        throw err;
      }
      const attempts = Math.max(0, ...items.map((i) => i.attempts));
      await this.deps.outbox.retryLater(pending, this.deps.owner, this.retryDelay(attempts), {
        code: err.code,
        message: err.message,
      });
      for (const item of items.filter((i) => pending.includes(i.id))) {
        events.push(
          this.event(realmId, item.recordType, item.recordId, item.runId, 'push', 'retry', { err }),
        );
      }
      return true;
    } finally {
      await this.deps.events.record(events);
    }
  }

  private event(
    realmId: string,
    type: RecordType,
    localId: number,
    runId: number | null | undefined,
    operation: string,
    result: SyncEventInput['result'],
    extra: { qboId?: string; err?: QuickBooksError; intuitTid?: string | null; message?: string } = {},
  ): SyncEventInput {
    return {
      runId: runId ?? null,
      realmId,
      direction: 'push',
      entity: type,
      localId,
      qboId: extra.qboId ?? null,
      operation,
      result,
      errorCode: extra.err ? (extra.err.faultCode ?? extra.err.code) : null,
      errorMessage: extra.message ?? extra.err?.message ?? null,
      intuitTid: extra.intuitTid ?? extra.err?.intuitTid ?? null,
    };
  }

  private async buildOps(
    realmId: string,
    items: OutboxItem[],
    done: number[],
    deferred: number[],
    events: SyncEventInput[],
    signal?: AbortSignal,
  ): Promise<Op[]> {
    const ids = (t: RecordType) => items.filter((i) => i.recordType === t).map((i) => i.recordId);
    const customers = await this.deps.reader.customers(ids('customer'));
    const docs = {
      estimate: await this.deps.reader.documents('estimate', ids('estimate')),
      invoice: await this.deps.reader.documents('invoice', ids('invoice')),
    };
    const customerIds = [...docs.estimate.values(), ...docs.invoice.values()].map((d) => d.customerId);
    await this.ensureCustomers(realmId, [...new Set(customerIds)], signal);
    const customerLinks = await this.deps.links.findMany('customer', [...new Set(customerIds)], realmId);

    const ops: Op[] = [];
    for (const item of items) {
      const base = { type: item.recordType, recordId: item.recordId, outboxId: item.id, runId: item.runId };
      if (item.recordType === 'customer') {
        const c = customers.get(item.recordId);
        if (!c) {
          done.push(item.id);
          continue;
        }
        const payload = customerPayload(c);
        ops.push({ ...base, payload, hash: payloadHash(payload) });
        continue;
      }
      const d = docs[item.recordType].get(item.recordId);
      const customerLink = d && customerLinks.get(d.customerId);
      if (d?.status !== 'open' || !customerLink) {
        // Gone, voided/deleted in QuickBooks (kept as QuickBooks left it), or its customer could not be
        // pushed (that failure is recorded on the customer).
        if (d && d.status === 'open' && !customerLink) {
          deferred.push(item.id);
          events.push(
            this.event(realmId, item.recordType, item.recordId, item.runId, 'create', 'retry', {
              message: 'customer not in QuickBooks yet',
            }),
          );
          continue;
        }
        done.push(item.id);
        continue;
      }
      const payload = documentPayload(item.recordType, d, customerLink.qboId);
      ops.push({ ...base, payload, hash: payloadHash(payload) });
    }
    await this.attachLinks(realmId, ops, signal);
    return ops;
  }

  /** Links from the database, else an existing QuickBooks record with the same name or number. */
  private async attachLinks(realmId: string, ops: Op[], signal?: AbortSignal): Promise<void> {
    for (const type of ['customer', 'estimate', 'invoice'] as const) {
      const ofType = ops.filter((o) => o.type === type);
      if (!ofType.length) continue;
      const links = await this.deps.links.findMany(
        type,
        ofType.map((o) => o.recordId),
        realmId,
      );
      for (const op of ofType) op.link = links.get(op.recordId);
      const unlinked = ofType.filter((o) => !o.link);
      if (!unlinked.length) continue;
      const field = type === 'customer' ? 'DisplayName' : 'DocNumber';
      const keys = unlinked.map((o) => String(o.payload[field]));
      const sql = `select * from ${QBO_ENTITY[type]} where ${field} in (${keys.map(qboString).join(', ')}) maxresults 1000`;
      const found: any[] = (await this.deps.client.query(realmId, sql, signal))[QBO_ENTITY[type]] ?? [];
      const byKey = new Map(found.map((e) => [String(e[field]).toLowerCase(), e]));
      for (const op of unlinked) {
        const existing = byKey.get(String(op.payload[field]).toLowerCase());
        if (existing)
          op.link = { qboId: String(existing.Id), syncToken: String(existing.SyncToken), payloadHash: null };
        if (existing) op.adopted = true;
      }
    }
  }

  /** Documents need their customer in the same company first. */
  private async ensureCustomers(realmId: string, customerIds: number[], signal?: AbortSignal): Promise<void> {
    const linked = await this.deps.links.findMany('customer', customerIds, realmId);
    const missing = customerIds.filter((id) => !linked.has(id));
    if (!missing.length) return;
    const key = `${realmId}:${missing.sort((a, b) => a - b).join(',')}`;
    const running = this.ensuring.get(key);
    if (running) return running;
    const job = (async () => {
      const snapshots = await this.deps.reader.customers(missing);
      const ops: Op[] = [...snapshots.values()].map((c) => {
        const payload = customerPayload(c);
        return { type: 'customer' as const, recordId: c.id, payload, hash: payloadHash(payload) };
      });
      await this.attachLinks(realmId, ops, signal);
      const events: SyncEventInput[] = [];
      for (let i = 0; i < ops.length; i += BATCH_LIMIT)
        await this.execute(realmId, ops.slice(i, i + BATCH_LIMIT), events, [], signal);
      await this.deps.events.record(events);
    })().finally(() => this.ensuring.delete(key));
    this.ensuring.set(key, job);
    return job;
  }

  /** Sends the ops that changed in one batch request and applies the per-item answers. */
  private async execute(
    realmId: string,
    ops: Op[],
    events: SyncEventInput[],
    done: number[],
    signal?: AbortSignal,
  ): Promise<void> {
    const toSend: Op[] = [];
    for (const op of ops) {
      if (op.link && !op.adopted && op.link.payloadHash === op.hash) {
        if (op.outboxId) done.push(op.outboxId);
        events.push(
          this.event(realmId, op.type, op.recordId, op.runId, 'update', 'skipped', {
            qboId: op.link.qboId,
            message: 'unchanged',
          }),
        );
      } else toSend.push(op);
    }
    if (!toSend.length) return;
    const items = toSend.map((op, i) => {
      const entity = QBO_ENTITY[op.type];
      if (!op.link) return { bId: String(i), operation: 'create', [entity]: op.payload };
      return {
        bId: String(i),
        operation: 'update',
        [entity]: { ...op.payload, Id: op.link.qboId, SyncToken: op.link.syncToken, sparse: true },
      };
    });
    // The same batch sent again (a retry after a lost answer) carries the same requestid: Intuit answers
    // with the original result instead of writing twice.
    const transient: Op[] = [];
    let res: { intuitTid: string | null };
    let answers: Map<string, any>;
    if (this.deps.preferSingles?.(realmId, items.length)) {
      ({ res, answers } = await this.sendSingles(realmId, toSend, items, transient, signal));
    } else {
      const requestId = `hav-${shortHash(JSON.stringify([realmId, items]), 32)}`;
      const batch = await this.deps.client.request({
        realmId,
        method: 'POST',
        path: 'batch',
        body: { BatchItemRequest: items },
        requestId,
        signal,
      });
      res = batch;
      answers = new Map<string, any>(
        (batch.body?.BatchItemResponse ?? []).map((a: any) => [String(a.bId), a]),
      );
    }
    const linked: LinkWrite[] = [];
    for (const [i, op] of toSend.entries()) {
      if (transient.includes(op)) continue;
      const answer = answers.get(String(i));
      const entity = answer?.[QBO_ENTITY[op.type]];
      const operation = op.adopted ? 'link' : op.link ? 'update' : 'create';
      if (entity?.Id) {
        linked.push(this.linkOf(realmId, op, entity));
        if (op.outboxId) done.push(op.outboxId);
        events.push(
          this.event(realmId, op.type, op.recordId, op.runId, operation, 'ok', {
            qboId: String(entity.Id),
            intuitTid: res.intuitTid,
          }),
        );
        continue;
      }
      const faults = faultsOf(answer ?? {});
      if (op.link && faults.some((f) => f.code === '5010')) {
        await this.healStale(realmId, op, events, done, signal);
        continue;
      }
      const f = faults[0];
      const message = f ? `${f.message}${f.detail ? ` (${f.detail})` : ''}` : 'no answer for this item';
      if (op.outboxId) {
        await this.deps.outbox.fail(op.outboxId, this.deps.owner, { code: f?.code ?? 'unknown', message });
      }
      events.push({
        ...this.event(realmId, op.type, op.recordId, op.runId, operation, 'failed', {
          message,
          intuitTid: res.intuitTid,
        }),
        errorCode: f?.code ?? 'unknown',
      });
    }
    // Links are written before the outbox items are completed (by the caller). A crash in between leaves
    // the items pending: the retry either re-sends the identical batch (Intuit answers from its requestid
    // record) or, batched differently, finds the records by number/name and links them.
    await this.deps.links.upsertMany(linked);
    const retry = transient.map((op) => op.outboxId).filter((id): id is number => id !== undefined);
    if (retry.length) {
      await this.deps.outbox.retryLater(retry, this.deps.owner, this.retryDelay(0), {
        code: 'quickbooks_unavailable',
        message: 'QuickBooks did not answer; will retry.',
      });
    }
  }

  /**
   * The batch window is full but the per-minute budget is not: the same writes as single calls, each with
   * its own requestid, answered in the shape of batch items so that one code path applies the answers.
   */
  private async sendSingles(
    realmId: string,
    ops: Op[],
    items: Record<string, any>[],
    transient: Op[],
    signal?: AbortSignal,
  ): Promise<{ res: { intuitTid: string | null }; answers: Map<string, any> }> {
    const answers = new Map<string, any>();
    let intuitTid: string | null = null;
    await Promise.all(
      items.map(async (item, i) => {
        const op = ops[i];
        const entity = QBO_ENTITY[op.type];
        const body = item[entity];
        try {
          const single = await this.deps.client.request({
            realmId,
            method: 'POST',
            path: op.type,
            body,
            requestId: `hav-s-${shortHash(JSON.stringify([realmId, entity, body]), 30)}`,
            signal,
          });
          intuitTid = single.intuitTid;
          answers.set(String(i), { bId: String(i), [entity]: single.body?.[entity] });
        } catch (err) {
          if (err instanceof QuickBooksStaleObjectError) {
            answers.set(String(i), {
              bId: String(i),
              Fault: { Error: [{ code: '5010', Message: err.message }] },
            });
          } else if (err instanceof QuickBooksValidationError) {
            answers.set(String(i), {
              bId: String(i),
              Fault: {
                Error: err.faults.map((f) => ({ code: f.code, Message: f.message, Detail: f.detail })),
              },
            });
          } else if (
            err instanceof QuickBooksError &&
            !['quickbooks_not_connected', 'quickbooks_revoked'].includes(err.code)
          ) {
            transient.push(op);
          } else throw err;
        }
      }),
    );
    return { res: { intuitTid }, answers };
  }

  /** 5010: someone changed the record in QuickBooks. Re-read, re-apply our change, retry once. */
  private async healStale(
    realmId: string,
    op: Op,
    events: SyncEventInput[],
    done: number[],
    signal?: AbortSignal,
  ): Promise<void> {
    const entity = QBO_ENTITY[op.type];
    const path = `${op.type}/${op.link!.qboId}`;
    const current = (await this.deps.client.request({ realmId, method: 'GET', path, signal })).body?.[entity];
    try {
      const res = await this.deps.client.request({
        realmId,
        method: 'POST',
        path: op.type,
        body: { ...op.payload, Id: op.link!.qboId, SyncToken: String(current?.SyncToken), sparse: true },
        signal,
      });
      await this.linked(realmId, op, res.body[entity]);
      if (op.outboxId) done.push(op.outboxId);
      events.push(
        this.event(realmId, op.type, op.recordId, op.runId, 'update', 'ok', {
          qboId: op.link!.qboId,
          intuitTid: res.intuitTid,
          message: 'stale SyncToken healed',
        }),
      );
    } catch (err) {
      if (!(err instanceof QuickBooksStaleObjectError)) throw err;
      // Changed again in the meantime: leave it for the next round.
      if (op.outboxId)
        await this.deps.outbox.retryLater([op.outboxId], this.deps.owner, 1000, {
          code: '5010',
          message: err.message,
        });
      events.push(this.event(realmId, op.type, op.recordId, op.runId, 'update', 'retry', { err }));
    }
  }

  private linkOf(realmId: string, op: Op, entity: any): LinkWrite {
    return {
      recordType: op.type,
      recordId: op.recordId,
      realmId,
      qboId: String(entity.Id),
      syncToken: String(entity.SyncToken),
      payloadHash: op.hash,
      qboUpdatedAt: entity.MetaData?.LastUpdatedTime ?? null,
    };
  }

  private async linked(realmId: string, op: Op, entity: any): Promise<void> {
    await this.deps.links.upsert(this.linkOf(realmId, op, entity));
  }
}
