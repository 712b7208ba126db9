/**
 * Pushes claimed outbox items to one QuickBooks company, up to 30 in one batch request: plan (`plan.ts`),
 * send (`send.ts`), apply (`apply.ts`), all writing into one `PushRun`, settled here.
 *
 * Never a duplicate, never an adoption without proof (decision 009): an unlinked record is created
 * directly; writes carry a `requestid` derived from what they send and the item's request key, so a retry
 * of the same request (after a crash or a lost answer) gets Intuit's original answer instead of a second
 * record, and a retry after a refusal is a new request. A create that finds its number or name taken is
 * settled in `proof.ts` (linked when the marker proves it ours, else a conflict). Updates carry the
 * stored SyncToken; a 5010 (stale) is healed by re-reading and retrying.
 */
import type { Logger } from '../../logger.js';
import type { RecordType } from '../../records/hooks.js';
import type { ConflictsRepository } from '../conflicts/conflicts-repository.js';
import { BATCH_LIMIT, type QboClient } from '../intuit/client.js';
import { isDisconnected, QuickBooksError } from '../intuit/errors.js';
import type { SinglesTicket } from '../intuit/limiter.js';
import type { LineSetup } from '../mapping/to-quickbooks.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { Installation } from '../sync/installation.js';
import type { LinksRepository } from '../sync/links-repository.js';
import { Applier } from './apply.js';
import type { OutboxItem, OutboxRepository } from './outbox-repository.js';
import { customerOp, isUnchanged, Planner } from './plan.js';
import type { RecordsReader } from './records-reader.js';
import { errorDetails, type Op, PushRun } from './run.js';
import { send } from './send.js';

export { BATCH_LIMIT };

export interface PusherDeps {
  client: QboClient;
  links: LinksRepository;
  events: SyncEventsRepository;
  outbox: OutboxRepository;
  reader: RecordsReader;
  /** The company's items and tax defaults for lines. */
  lineSetup(realmId: string, signal?: AbortSignal): Promise<LineSetup>;
  conflicts: ConflictsRepository;
  installation: Installation;
  logger: Logger;
  owner: string;
  /** A document created without DocNumber takes the number QuickBooks gave it. */
  numberFromQuickBooks?(type: 'estimate' | 'invoice', id: number, docNumber: string): Promise<void>;
  /** Back-off for work that failed for a reason a retry can fix (throttle, outage). */
  retryDelayMs?: (attempts: number) => number;
}

export class Pusher {
  /** Customers being pushed because documents need them, per company and set: concurrent pushes share. */
  private readonly ensuring = new Map<string, Promise<void>>();
  private readonly planner: Planner;
  private readonly applier: Applier;

  constructor(private readonly deps: PusherDeps) {
    this.planner = new Planner(deps);
    this.applier = new Applier({ ...deps, retryDelay: (attempts) => this.retryDelay(attempts) });
  }

  /**
   * What a push of the record would send now, as a link keeps it (its hash and snapshot): a link written
   * with it sends nothing until the record changes, and then only what changed. Nulls when nothing would be sent.
   */
  async currentState(
    realmId: string,
    recordType: RecordType,
    recordId: number,
  ): Promise<{ payloadHash: string | null; snapshot: string | null }> {
    const op = await this.planner.current(realmId, recordType, recordId);
    return { payloadHash: op?.hash ?? null, snapshot: op ? JSON.stringify(op.payload) : null };
  }

  private retryDelay(attempts: number): number {
    return this.deps.retryDelayMs?.(attempts) ?? Math.min(30_000 * 2 ** attempts, 60 * 60 * 1000);
  }

  /**
   * Pushes up to 30 items claimed with `token` (customers come first in their own claims). False when the
   * company turned out to be disconnected (or revoked): the items went back to the queue, and pushing
   * more for that company is pointless until it is connected again.
   */
  async push(
    realmId: string,
    items: OutboxItem[],
    token: string,
    signal?: AbortSignal,
    singles?: SinglesTicket,
  ): Promise<boolean> {
    const run = new PushRun(realmId, token, signal, singles);
    try {
      const ops = await this.planner.plan(run, items, (ids) => this.ensureCustomers(run, ids));
      await this.execute(run, ops);
      await this.settle(run);
      return true;
    } catch (err) {
      return await this.recover(run, items, err);
    } finally {
      run.singles?.release();
      await this.deps.events.record(run.events);
    }
  }

  private async settle(run: PushRun): Promise<void> {
    await this.deps.outbox.complete(run.done, run.owner);
    await this.failAll(run);
    await this.deps.outbox.retryLater(run.deferred, run.owner, this.retryDelay(0), {
      code: 'customer_missing',
      message: "Waiting for its customer to reach QuickBooks (see the customer's page).",
    });
    await this.deps.outbox.conflict(run.parked, run.owner, {
      code: 'conflict',
      message: 'Held: the record is in a conflict an admin must resolve.',
    });
  }

  /** Items that could not be sent as they are (no item chosen…): failed, with the fix in the message. */
  private async failAll(run: PushRun): Promise<void> {
    for (const f of run.failures) await this.deps.outbox.fail(f.outboxId, run.owner, f);
  }

  /** The push failed as a whole: what it finished stays finished, the rest goes back to the queue. */
  private async recover(run: PushRun, items: OutboxItem[], err: unknown): Promise<boolean> {
    const pending = run.unsettled(items.map((i) => i.id));
    await this.deps.outbox.complete(run.done, run.owner);
    await this.failAll(run);
    if (isDisconnected(err)) {
      // Disconnected meanwhile: the work stays queued for a reconnect to the same company.
      await this.deps.outbox.release(run.realmId, run.owner);
      return false;
    }
    if (!(err instanceof QuickBooksError)) {
      await this.deps.outbox.release(run.realmId, run.owner);
      throw err;
    }
    const attempts = Math.max(0, ...items.map((i) => i.attempts));
    await this.deps.outbox.retryLater(pending, run.owner, this.retryDelay(attempts), {
      code: err.code,
      message: err.message,
    });
    for (const item of items.filter((i) => pending.includes(i.id))) {
      const op = { type: item.recordType, recordId: item.recordId, runId: item.runId };
      run.record(op, 'push', 'retry', errorDetails(err));
    }
    return true;
  }

  /** Documents need their customer in the same company first. */
  private async ensureCustomers(run: PushRun, customerIds: number[]): Promise<void> {
    const linked = await this.deps.links.findMany('customer', customerIds, run.realmId);
    const unlinked = customerIds.filter((id) => !linked.has(id));
    // A customer in conflict waits for an admin: pushing it again would only meet the same answer.
    const held = await this.deps.conflicts.openAmong('customer', unlinked, run.realmId);
    const missing = unlinked.filter((id) => !held.has(id));
    if (!missing.length) return;
    const key = `${run.realmId}:${missing.sort((a, b) => a - b).join(',')}`;
    const running = this.ensuring.get(key);
    if (running) return running;
    const job = this.pushCustomers(new PushRun(run.realmId, run.owner, run.signal), missing).finally(() =>
      this.ensuring.delete(key),
    );
    this.ensuring.set(key, job);
    return job;
  }

  /** Customers without outbox items of their own (a document needs them), in batches of 30. */
  private async pushCustomers(run: PushRun, customerIds: number[]): Promise<void> {
    const snapshots = await this.deps.reader.customers(customerIds);
    const ops = [...snapshots.values()].map(customerOp);
    await this.planner.attachLinks(run, ops);
    for (let i = 0; i < ops.length; i += BATCH_LIMIT) await this.execute(run, ops.slice(i, i + BATCH_LIMIT));
    await this.deps.events.record(run.events);
  }

  /** Skips what did not change since the last push, sends the rest in one request, applies the answers. */
  private async execute(run: PushRun, ops: Op[]): Promise<void> {
    const toSend: Op[] = [];
    for (const op of ops) {
      if (!isUnchanged(op)) toSend.push(op);
      else {
        run.finished(op);
        run.record(op, 'update', 'skipped', { qboId: op.link?.qboId, message: 'unchanged' });
      }
    }
    if (!toSend.length) return;
    const answer = await send(this.deps.client, run, toSend);
    await this.applier.apply(run, toSend, answer);
  }
}
