/**
 * Runs an import page by page: read a page from Intuit (through the one client, so within the company's
 * limiter), apply it and move the position in one transaction (`apply-page.ts`), read the next. Nothing
 * is held but the page in hand, so memory stays flat whatever the company's size.
 *
 * One process runs a company's import at a time (a lease in the database, renewed before every page and
 * every third of its length while a page is read or written, so a slow page or a long wait for Intuit never
 * lets another instance start the same page); a process that dies gives it up when the lease expires, and
 * any instance that sees the company connected picks the import up where its last committed page left it
 * (`resume`, also checked every few seconds). An import belongs to the connection's generation: a
 * disconnect or reconnect stops it for good (decision 012).
 */
import type { Locks } from '../../db/locks.js';
import type { Logger } from '../../logger.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { ImportFilter, QboClient } from '../intuit/client.js';
import { QuickBooksError, QuickBooksThrottledError, QuickBooksUnavailableError } from '../intuit/errors.js';
import type { Customer, Entities, Estimate, Invoice } from '../intuit/types.js';
import type { SyncEventsRepository } from '../sync/events-repository.js';
import type { Installation } from '../sync/installation.js';
import type { LinksRepository } from '../sync/links-repository.js';
import { ImportStoppedError, type PageApplier, type PageContext } from './apply-page.js';
import type { ImportPhase, ImportsRepository, QboImport } from './imports-repository.js';
import { nextPhase, type WorkPhase } from './phases.js';

const ENTITY = { customers: 'Customer', estimates: 'Estimate', invoices: 'Invoice' } as const;

export interface ImportRunnerDeps {
  client: QboClient;
  imports: ImportsRepository;
  applier: PageApplier;
  events: SyncEventsRepository;
  links: LinksRepository;
  installation: Installation;
  connections: ConnectionsRepository;
  locks: Locks;
  logger: Logger;
  /** How long a dead process keeps the import from the others (SYNC_LEASE_SECONDS). */
  leaseMs: number;
}

function filterOf(job: QboImport, phase: WorkPhase): ImportFilter {
  return phase === 'customers' ? { active: true } : { txnDateFrom: job.documentsSince ?? '1900-01-01' };
}

/** Waits `ms`, or less when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class ImportRunner {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Per company, the next page being read while the current one is written. */
  private readonly ahead = new Map<
    string,
    {
      importId: number;
      phase: WorkPhase;
      position: number;
      answer: Promise<{ rows: Entities[(typeof ENTITY)[WorkPhase]][] } | { error: unknown }>;
    }
  >();

  constructor(private readonly deps: ImportRunnerDeps) {}

  private lease(realmId: string): string {
    return `qbo-import:${realmId}`;
  }

  /** Whether this process is running the company's import now. */
  isRunning(realmId: string): boolean {
    return this.running.has(realmId);
  }

  /**
   * Runs the company's unfinished import in the background if it belongs to the current connection and no
   * process holds it. An import of an earlier generation is stopped (its connection ended).
   */
  async resume(realmId: string): Promise<void> {
    if (this.running.has(realmId)) return;
    const job = await this.deps.imports.running(realmId);
    if (!job) return;
    const connection = await this.deps.connections.active();
    if (!connection || connection.realmId !== realmId) return;
    if (job.generation !== connection.generation) {
      await this.deps.imports.stopOlderThan(realmId, connection.generation);
      if (job.runId !== null) await this.deps.events.finishRun(job.runId, 'stopped');
      return;
    }
    if (!(await this.deps.locks.tryAcquire(this.lease(realmId), this.deps.leaseMs))) return;
    if (this.running.has(realmId)) return;
    const abort = new AbortController();
    const heartbeat = this.heartbeat(realmId);
    const done = this.run(job.id, abort.signal)
      .catch((err) => this.deps.logger.error({ err, realmId }, 'QuickBooks import failed'))
      .finally(async () => {
        // Stopped (and its last renewal landed) before the release, so no renewal takes the lease back.
        await heartbeat.stop();
        this.running.delete(realmId);
        this.ahead.delete(realmId);
        await this.deps.locks.release(this.lease(realmId)).catch(() => undefined);
      });
    this.running.set(realmId, { abort, done });
  }

  /**
   * Renews the lease every third of its length while the import runs here: a page (read, then written in
   * one transaction) or a back-off can outlast the lease, and another instance would then start the same
   * page (the position's conditional advance kept the result whole, but the work was done twice). A renewal
   * that finds the lease taken changes nothing here: the loop's own check before the next page stops.
   */
  private heartbeat(realmId: string): { stop(): Promise<void> } {
    const { locks, leaseMs, logger } = this.deps;
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        renewing = locks
          .tryAcquire(this.lease(realmId), leaseMs)
          .catch((err) => logger.warn({ err, realmId }, 'QuickBooks import could not renew its lease'));
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await renewing;
      },
    };
  }

  /** Stops this process's work on the company's import and waits until no page is being applied. */
  async stop(realmId: string): Promise<void> {
    const current = this.running.get(realmId);
    if (!current) return;
    current.abort.abort();
    await current.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((realmId) => this.stop(realmId)));
  }

  private async run(importId: number, signal: AbortSignal): Promise<void> {
    const { imports, events, logger } = this.deps;
    let job = await imports.find(importId);
    if (job?.status !== 'running') return;
    if (job.runId === null) {
      const run = await events.startRun({ realmId: job.realmId, kind: 'import' });
      await imports.setRun(job.id, run.id);
      job = { ...job, runId: run.id };
    }
    const installationId = await this.deps.installation.id();
    let backoffMs = 1000;
    while (!signal.aborted && job.status === 'running') {
      if (job.phase === 'done') {
        await imports.finish(job.id, 'finished');
        if (job.runId !== null) await events.finishRun(job.runId);
        logger.info({ realmId: job.realmId, importId: job.id }, 'QuickBooks import finished');
        return;
      }
      // Renewed every page: held as long as this process makes progress.
      if (!(await this.deps.locks.tryAcquire(this.lease(job.realmId), this.deps.leaseMs))) return;
      try {
        await this.page(job, job.phase, installationId, signal);
        backoffMs = 1000;
      } catch (err) {
        if (signal.aborted || err instanceof ImportStoppedError) return;
        if (err instanceof QuickBooksThrottledError || err instanceof QuickBooksUnavailableError) {
          // Intuit is busy or away: the same page again, later.
          logger.warn({ err, realmId: job.realmId }, 'QuickBooks import waits and tries the page again');
          await pause(backoffMs, signal);
          backoffMs = Math.min(backoffMs * 2, 60_000);
        } else if (err instanceof QuickBooksError && !(await this.stillConnected(job))) {
          return; // disconnected or revoked: the lifecycle stops the import
        } else {
          await imports.finish(job.id, 'failed', err instanceof Error ? err.message : String(err));
          if (job.runId !== null) await events.finishRun(job.runId, 'stopped');
          throw err;
        }
      }
      job = (await imports.find(job.id)) ?? job;
    }
  }

  private async stillConnected(job: QboImport): Promise<boolean> {
    const connection = await this.deps.connections.active();
    return connection?.realmId === job.realmId && connection.generation === job.generation;
  }

  /** Reads one page of the phase and applies it with the position after it. */
  private async page(
    job: QboImport,
    phase: Exclude<ImportPhase, 'done'>,
    installationId: string,
    signal: AbortSignal,
  ): Promise<void> {
    const { client, imports, applier } = this.deps;
    const filter = filterOf(job, phase);
    const entity = ENTITY[phase];
    if (job.totals[phase] === undefined) {
      await imports.setTotal(
        job.id,
        phase,
        await client.importCount(job.realmId, entity, filter, { signal }),
      );
    }
    const rows = await this.read(job, phase, job.position, signal);
    // A short page is the phase's last (Intuit answers at most 1,000).
    const next =
      rows.length < 1000
        ? { phase: nextPhase(job, phase), position: 1 }
        : { phase, position: job.position + rows.length };
    // The next page is read while this one is written (at most two pages held): the import waits for
    // Intuit or for the database, not for both in turn.
    if (next.phase === phase) this.readAhead(job, phase, next.position, signal);
    const ctx: PageContext = {
      importId: job.id,
      realmId: job.realmId,
      runId: job.runId,
      installationId,
      from: { phase, position: job.position },
      next,
    };
    if (signal.aborted) return;
    if (phase === 'customers') {
      await applier.customers(ctx, rows as Customer[]);
      return;
    }
    const docs = rows as (Estimate | Invoice)[];
    const referenced = await this.referencedCustomers(job.realmId, docs, signal);
    if (signal.aborted) return;
    await applier.documents(phase === 'estimates' ? 'estimate' : 'invoice', ctx, docs, referenced);
  }

  /** A page: the one read ahead for this position if there is one, else read now. */
  private async read(
    job: QboImport,
    phase: WorkPhase,
    position: number,
    signal: AbortSignal,
  ): Promise<Entities[(typeof ENTITY)[WorkPhase]][]> {
    const ahead = this.ahead.get(job.realmId);
    this.ahead.delete(job.realmId);
    if (ahead && ahead.importId === job.id && ahead.phase === phase && ahead.position === position) {
      const answer = await ahead.answer;
      if ('error' in answer) throw answer.error;
      return answer.rows;
    }
    return this.deps.client.importPage(job.realmId, ENTITY[phase], filterOf(job, phase), position, {
      signal,
    });
  }

  private readAhead(job: QboImport, phase: WorkPhase, position: number, signal: AbortSignal): void {
    const answer = this.deps.client
      .importPage(job.realmId, ENTITY[phase], filterOf(job, phase), position, { signal })
      .then(
        (rows) => ({ rows }),
        // Kept, not thrown: the error is the next page's, handled when that page is read.
        (error: unknown) => ({ error }),
      );
    this.ahead.set(job.realmId, { importId: job.id, phase, position, answer });
  }

  /** The customers a page of documents names that are not linked yet, read from Intuit (inactive included). */
  private async referencedCustomers(
    realmId: string,
    docs: { CustomerRef?: { value?: string } }[],
    signal: AbortSignal,
  ): Promise<Map<string, Customer>> {
    const ids = [...new Set(docs.map((d) => d.CustomerRef?.value).filter((v): v is string => !!v))];
    const missing: string[] = [];
    for (const id of ids) {
      if (!(await this.deps.links.findByQboId('customer', id, realmId))) missing.push(id);
    }
    const found = new Map<string, Customer>();
    for (let i = 0; i < missing.length; i += 1000) {
      const slice = missing.slice(i, i + 1000);
      for (const c of await this.deps.client.customersByIds(realmId, slice, { signal })) found.set(c.Id, c);
    }
    return found;
  }
}
