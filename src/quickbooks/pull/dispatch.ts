/**
 * The dispatch table (STYLE.md 8): what a change in QuickBooks does to Heavy AV, keyed by entity and
 * operation. Events the table does not know (other entities, Emailed, …) are acknowledged and ignored.
 * The webhook worker and the CDC sweep both go through here.
 */
import type { DocumentStatus } from '../../documents/types.js';
import type { Entities, SyncedName } from '../intuit/types.js';
import type { InboundSync, Outcome } from './inbound-sync.js';

export interface InboundEventContext {
  realmId: string;
  /** QuickBooks' entity name: 'Customer', 'Estimate', 'Invoice', … */
  entity: string;
  operation: string;
  entityId: string;
  /** Merge: the entity merged into entityId. */
  deletedId?: string;
  /**
   * The entity as QuickBooks has it now (fetched by the worker, or from the CDC answer); undefined if gone.
   * The handler names the type it expects: the event's own `entity`.
   */
  load<E extends SyncedName>(entity: E): Promise<Entities[E] | undefined>;
}

export type InboundHandler = (sync: InboundSync, ctx: InboundEventContext) => Promise<Outcome>;

const customer: InboundHandler = (sync, ctx) => sync.upsertCustomer(ctx);
const estimate: InboundHandler = (sync, ctx) => sync.upsertDocument('estimate', ctx);
const invoice: InboundHandler = (sync, ctx) => sync.upsertDocument('invoice', ctx);
const mark =
  (kind: 'estimate' | 'invoice', status: DocumentStatus): InboundHandler =>
  (sync, ctx) =>
    sync.markDocument(kind, status, ctx);

export const DISPATCH: Readonly<Record<string, InboundHandler>> = {
  'Customer.Create': customer,
  'Customer.Update': customer,
  // QuickBooks never deletes a customer (it makes it inactive); should a Delete come, keep ours, inactive.
  'Customer.Delete': (sync, ctx) => sync.deactivateCustomer(ctx),
  'Customer.Merge': (sync, ctx) => sync.merge('customer', ctx),
  'Estimate.Create': estimate,
  'Estimate.Update': estimate,
  'Estimate.Delete': mark('estimate', 'deleted_in_quickbooks'),
  'Estimate.Void': mark('estimate', 'voided'),
  'Estimate.Merge': (sync, ctx) => sync.merge('estimate', ctx),
  'Invoice.Create': invoice,
  'Invoice.Update': invoice,
  'Invoice.Delete': mark('invoice', 'deleted_in_quickbooks'),
  'Invoice.Void': mark('invoice', 'voided'),
  'Invoice.Merge': (sync, ctx) => sync.merge('invoice', ctx),
};

export async function dispatch(sync: InboundSync, ctx: InboundEventContext): Promise<Outcome> {
  const handler = DISPATCH[`${ctx.entity}.${ctx.operation}`];
  if (!handler) {
    return {
      operation: ctx.operation.toLowerCase(),
      result: 'skipped',
      qboId: ctx.entityId,
      note: 'ignored',
    };
  }
  return handler(sync, ctx);
}
