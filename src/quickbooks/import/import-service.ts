/**
 * "Bring in from QuickBooks" (capability 19): an admin's choice starts an import (nothing is imported
 * otherwise), the card follows it, and the connection's life stops or resumes it. The work itself is the
 * runner's (`runner.ts`).
 */
import type { Transactor } from '../../db/transaction.js';
import type { Logger } from '../../logger.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import type { ConnectionLifecycle } from '../connection/lifecycle.js';
import type { ImportsRepository, QboImport } from './imports-repository.js';
import { firstPhase, phasesOf, type WorkPhase } from './phases.js';
import type { ImportRunner } from './runner.js';

/** A request the service refuses, with the sentence the card shows. */
export class ImportRequestError extends Error {}

const NOUN: Record<WorkPhase, string> = {
  customers: 'customers',
  estimates: 'estimates',
  invoices: 'invoices',
};

export interface ImportPhaseProgress {
  phase: WorkPhase;
  /** "1,200 of 5,000 customers" */
  text: string;
  done: number;
  total: number | null;
}

export interface ImportCard {
  /** Never imported into this company: the card offers the import up front. */
  firstTime: boolean;
  latest?: {
    status: QboImport['status'];
    customers: boolean;
    documentsSince: string | null;
    phases: ImportPhaseProgress[];
    imported: number;
    linked: number;
    skipped: number;
    reasons: { reason: string; count: number }[];
    error: string | null;
    startedAt: string;
    finishedAt: string | null;
  };
}

const number = (n: number) => n.toLocaleString('en-US');

/** A real calendar day written YYYY-MM-DD ("2026-02-30" is not one). */
export function parseDay(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value ? value : undefined;
}

function progressOf(job: QboImport): ImportPhaseProgress[] {
  const phases = phasesOf(job);
  const at = job.phase === 'done' ? phases.length : phases.indexOf(job.phase);
  return phases.map((phase, i) => {
    const total = job.totals[phase] ?? null;
    const read = i < at ? (total ?? 0) : i === at ? job.position - 1 : 0;
    const done = total === null ? read : Math.min(read, total);
    const text =
      total === null ? `${NOUN[phase]}: not started` : `${number(done)} of ${number(total)} ${NOUN[phase]}`;
    return { phase, text, done, total };
  });
}

export interface ImportServiceDeps {
  imports: ImportsRepository;
  runner: ImportRunner;
  connections: ConnectionsRepository;
  transaction: Transactor;
  logger: Logger;
}

export class ImportService {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: ImportServiceDeps,
    private readonly options: { checkEveryMs?: number } = {},
  ) {}

  /** Starts an import of the connected company; returns what the card says. */
  async request(input: {
    customers: unknown;
    documentsSince: unknown;
    userId: number | null;
  }): Promise<string> {
    const customers = input.customers === 'on';
    const raw = typeof input.documentsSince === 'string' ? input.documentsSince.trim() : '';
    const documentsSince = raw ? parseDay(raw) : null;
    if (documentsSince === undefined) {
      throw new ImportRequestError(
        `"${raw.slice(0, 20)}" is not a date: write it as YYYY-MM-DD (e.g. 2026-01-31). Nothing was imported.`,
      );
    }
    if (!customers && !documentsSince) {
      throw new ImportRequestError(
        'Choose what to bring in: the active customers, and/or estimates and invoices since a date.',
      );
    }
    const { imports, connections, transaction } = this.deps;
    const job = await transaction(async (trx) => {
      const connection = await connections.active(trx);
      if (!connection) throw new ImportRequestError('Connect to QuickBooks first.');
      if (await imports.running(connection.realmId, trx)) {
        throw new ImportRequestError('An import is already running: its progress shows below.');
      }
      const choice = { customers, documentsSince };
      return imports.create(
        {
          realmId: connection.realmId,
          generation: connection.generation,
          ...choice,
          phase: firstPhase(choice),
          userId: input.userId,
        },
        trx,
      );
    });
    await this.deps.runner.resume(job.realmId);
    const what = [
      customers ? 'active customers' : '',
      documentsSince ? `estimates and invoices since ${documentsSince}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `Bringing in ${what} from QuickBooks; the progress shows below.`;
  }

  async card(): Promise<ImportCard | undefined> {
    const connection = await this.deps.connections.active();
    if (!connection) return undefined;
    const job = await this.deps.imports.latest(connection.realmId);
    if (!job) return { firstTime: true };
    return {
      firstTime: false,
      latest: {
        status: job.status,
        customers: job.customers,
        documentsSince: job.documentsSince,
        phases: progressOf(job),
        imported: job.imported,
        linked: job.linked,
        skipped: job.skipped,
        reasons: Object.entries(job.skipReasons)
          .map(([reason, count]) => ({ reason, count }))
          .sort((a, b) => b.count - a.count),
        error: job.error,
        startedAt: job.createdAt,
        finishedAt: job.finishedAt,
      },
    };
  }

  /**
   * A connect or reconnect (a new generation) ends imports of the earlier one; a disconnect stops the
   * import here and for good; a resume (this instance saw the company connected, e.g. after a restart)
   * continues an unfinished import of the current generation.
   */
  lifecycle(): Partial<ConnectionLifecycle> {
    const { imports, connections, runner } = this.deps;
    return {
      connected: async (realmId) => {
        const current = await connections.findByRealm(realmId);
        if (current) await imports.stopOlderThan(realmId, current.generation);
      },
      stopping: async (realmId) => {
        await runner.stop(realmId);
        const current = await connections.findByRealm(realmId);
        // A reconnect seen late: the new generation's import (if any) goes on.
        await imports.stopOlderThan(realmId, current?.status === 'connected' ? current.generation : null);
      },
      resumed: async (realmId) => {
        await runner.resume(realmId);
      },
    };
  }

  /** Looks every few seconds for an import no process runs (its process died and its lease expired). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.checkEveryMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.deps.runner.stopAll();
  }

  async check(): Promise<void> {
    try {
      const connection = await this.deps.connections.active();
      if (connection) await this.deps.runner.resume(connection.realmId);
    } catch (err) {
      this.deps.logger.warn({ err }, 'QuickBooks import check failed');
    }
  }
}
