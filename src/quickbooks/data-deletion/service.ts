/**
 * Data deletion (capability 12): file a request while no company is connected, process it once in one
 * transaction, and keep a receipt in the audit log. Used by the admin pages and by `npm run qbo:purge`.
 * Nothing here talks to Intuit: a purge only deletes Heavy AV's own copy.
 */
import type { AuditEntry, AuditRepository } from '../../audit/audit-repository.js';
import type { Actor } from '../../auth/actor.js';
import { nowIso } from '../../db/index.js';
import type { Transactor } from '../../db/transaction.js';
import { ConflictError, NotFoundError } from '../../http/errors.js';
import type { CachedDataCounts, CachedDataRepository, CachedDataSummary } from './cached-data-repository.js';
import type { DeletionRequest, DeletionRequestsRepository } from './requests-repository.js';

export const DISCONNECT_HREF = '/admin/settings/quickbooks/disconnect';

/** What a purge keeps, in the receipt's words. */
export const KEPT = [
  'customers',
  'estimates',
  'invoices and estimate/invoice lines',
  'users',
  'the audit log (including this receipt)',
];

export class CompanyConnectedError extends ConflictError {
  constructor(readonly company: { realmId: string; companyName: string | null }) {
    super(
      `Heavy AV is still connected to QuickBooks (${company.companyName ?? company.realmId}). ` +
        'Cached QuickBooks data can only be deleted after you disconnect: disconnect first, then file or process the request.',
    );
  }
}

export class DeletionRequestNotFoundError extends NotFoundError {
  constructor(id: number) {
    super(`There is no deletion request #${id}.`);
  }
}

/** Who processes: an admin in the UI, or the operator at the command line (no user). */
export interface Processor {
  label: string;
  user?: Actor;
}

export interface Receipt {
  receiptId: number;
  requestId: number;
  requestedAt: string;
  requestedBy: string | null;
  processedAt: string;
  processedBy: string;
  realmIds: string[];
  deleted: CachedDataCounts;
  kept: string[];
}

export interface ProcessOutcome {
  request: DeletionRequest;
  receipt: Receipt;
  /** True when the request had been processed before: nothing was deleted this time. */
  alreadyProcessed: boolean;
}

export interface DataDeletionDeps {
  transaction: Transactor;
  cached: CachedDataRepository;
  requests: DeletionRequestsRepository;
  audit: AuditRepository;
}

function toReceipt(entry: AuditEntry): Receipt {
  const d = (entry.details ?? {}) as Partial<Receipt>;
  return {
    receiptId: entry.id,
    requestId: Number(d.requestId),
    requestedAt: String(d.requestedAt ?? ''),
    requestedBy: d.requestedBy ?? null,
    processedAt: String(d.processedAt ?? entry.at),
    processedBy: String(d.processedBy ?? entry.actorEmail ?? ''),
    realmIds: d.realmIds ?? [],
    deleted: d.deleted as CachedDataCounts,
    kept: d.kept ?? KEPT,
  };
}

export class DataDeletionService {
  constructor(private readonly deps: DataDeletionDeps) {}

  async overview(): Promise<{
    summary: CachedDataSummary;
    live?: { realmId: string; companyName: string | null };
    requests: DeletionRequest[];
  }> {
    return {
      summary: await this.deps.cached.summary(),
      live: await this.deps.cached.liveConnection(),
      requests: await this.deps.requests.list(),
    };
  }

  /** Files a request (or returns the one already waiting). Refused while a company is connected. */
  async file(actor: Actor, note: string | null): Promise<{ request: DeletionRequest; created: boolean }> {
    return this.deps.transaction(async (trx) => {
      await this.deps.cached.lockConnections(trx);
      const live = await this.deps.cached.liveConnection(trx);
      if (live) throw new CompanyConnectedError(live);
      const waiting = await this.deps.requests.firstPending(trx);
      if (waiting) return { request: waiting, created: false };
      const request = await this.deps.requests.create({ user: actor, note }, trx);
      await this.deps.audit.record(
        {
          action: 'quickbooks.data_deletion_requested',
          summary: `Requested deletion of the cached QuickBooks data (request #${request.id})`,
          actor,
          details: { requestId: request.id, ...(note ? { note } : {}) },
        },
        trx,
      );
      return { request, created: true };
    });
  }

  async request(id: number): Promise<DeletionRequest> {
    const request = await this.deps.requests.find(id);
    if (!request) throw new DeletionRequestNotFoundError(id);
    return request;
  }

  /** The request and, once processed, its receipt. */
  async receipt(id: number): Promise<{ request: DeletionRequest; receipt?: Receipt }> {
    const request = await this.request(id);
    const entry = request.receiptAuditId ? await this.deps.audit.find(request.receiptAuditId) : undefined;
    return { request, receipt: entry ? toReceipt(entry) : undefined };
  }

  /**
   * Processes a request in one transaction: deletes every kind of cached QuickBooks data, records the
   * receipt in the audit log and points the request at it. A processed request is never processed again:
   * the second call returns the first receipt and changes nothing.
   */
  async process(id: number, by: Processor): Promise<ProcessOutcome> {
    const outcome = await this.deps.transaction(async (trx) => {
      await this.deps.cached.lockConnections(trx);
      const request = await this.deps.requests.find(id, trx);
      if (!request) throw new DeletionRequestNotFoundError(id);
      if (request.status !== 'pending') return undefined;
      const live = await this.deps.cached.liveConnection(trx);
      if (live) throw new CompanyConnectedError(live);
      const processedAt = nowIso();
      if (!(await this.deps.requests.claim(id, by.label, processedAt, trx))) return undefined;
      const realmIds = await this.deps.cached.realmIds(trx);
      const deleted = await this.deps.cached.purge(trx);
      const details = {
        requestId: id,
        requestedAt: request.requestedAt,
        requestedBy: request.requestedByEmail,
        processedAt,
        processedBy: by.label,
        realmIds,
        deleted,
        kept: KEPT,
      };
      const entry = await this.deps.audit.record(
        {
          action: 'quickbooks.data_deleted',
          summary: `Deleted the cached QuickBooks data for request #${id}: ${deleted.links + deleted.archivedLinks} QuickBooks ids, ${deleted.syncEvents} sync events, ${deleted.webhookInboxEvents} webhook events`,
          actor: by.user ?? null,
          details,
        },
        trx,
      );
      await this.deps.requests.setReceipt(id, entry.id, trx);
      return {
        request: {
          ...request,
          status: 'processed' as const,
          processedAt,
          processedBy: by.label,
          receiptAuditId: entry.id,
        },
        receipt: toReceipt(entry),
        alreadyProcessed: false,
      };
    });
    if (outcome) return outcome;
    const { request, receipt } = await this.receipt(id);
    if (!receipt) throw new ConflictError(`Deletion request #${id} is marked processed but has no receipt.`);
    return { request, receipt, alreadyProcessed: true };
  }
}
