/**
 * The pull side's dispatch table: entity × operation → what happens to Heavy AV. The applying side is a
 * recorder here (any method called on it is written down), so the table is checked on its own: which
 * action each event leads to, with which arguments, and that unknown events are acknowledged and ignored
 * without touching anything.
 */
import { expect } from 'chai';
import { dispatch, type InboundEventContext } from '../../src/quickbooks/pull/dispatch.js';
import { parseDelivery } from '../../src/quickbooks/pull/events.js';
import type { InboundSync } from '../../src/quickbooks/pull/inbound-sync.js';

const APPLIED = { operation: 'applied', result: 'ok' as const, qboId: '58' };

/** An InboundSync that records every call (method name, then the arguments before the event context). */
function recorder() {
  const calls: { action: unknown[]; ctx: unknown }[] = [];
  const sync = new Proxy(
    {},
    {
      get:
        (_target, name) =>
        (...args: unknown[]) => {
          calls.push({ action: [name, ...args.slice(0, -1)], ctx: args.at(-1) });
          return Promise.resolve(APPLIED);
        },
    },
  ) as InboundSync;
  return { sync, calls };
}

function context(entity: string, operation: string) {
  let loads = 0;
  // The recorder never reads the entity: a bare { Id } stands for whichever type the handler names.
  const load = (async () => {
    loads++;
    return { Id: '58' };
  }) as InboundEventContext['load'];
  const ctx: InboundEventContext = { realmId: '9130', entity, operation, entityId: '58', load };
  return { ctx, loads: () => loads };
}

describe('dispatch (QuickBooks change → Heavy AV action)', () => {
  const table: [string, string, unknown[]][] = [
    ['Customer', 'Create', ['upsertCustomer']],
    ['Customer', 'Update', ['upsertCustomer']],
    // QuickBooks never deletes a customer; should a Delete come, ours is kept, inactive.
    ['Customer', 'Delete', ['deactivateCustomer']],
    ['Customer', 'Merge', ['merge', 'customer']],
    ['Estimate', 'Create', ['upsertDocument', 'estimate']],
    ['Estimate', 'Update', ['upsertDocument', 'estimate']],
    ['Estimate', 'Delete', ['markDocument', 'estimate', 'deleted_in_quickbooks']],
    ['Estimate', 'Void', ['markDocument', 'estimate', 'voided']],
    ['Estimate', 'Merge', ['merge', 'estimate']],
    ['Invoice', 'Create', ['upsertDocument', 'invoice']],
    ['Invoice', 'Update', ['upsertDocument', 'invoice']],
    ['Invoice', 'Delete', ['markDocument', 'invoice', 'deleted_in_quickbooks']],
    ['Invoice', 'Void', ['markDocument', 'invoice', 'voided']],
    ['Invoice', 'Merge', ['merge', 'invoice']],
  ];
  for (const [entity, operation, action] of table) {
    it(`${entity}.${operation} → ${action.join(' ')}`, async () => {
      const { sync, calls } = recorder();
      const { ctx } = context(entity, operation);
      const outcome = await dispatch(sync, ctx);
      expect(calls.map((c) => c.action)).to.deep.equal([action]);
      expect(calls[0].ctx).to.equal(ctx);
      expect(outcome).to.deep.equal(APPLIED);
    });
  }

  const ignored: [string, string][] = [
    ['Vendor', 'Update'],
    ['Payment', 'Create'],
    ['Class', 'Create'],
    ['Invoice', 'Emailed'],
    // Customers cannot be voided in QuickBooks: a Void for one is nothing we know.
    ['Customer', 'Void'],
    ['Estimate', 'Restore'],
    ['', ''],
  ];
  for (const [entity, operation] of ignored) {
    it(`${entity || '(blank)'}.${operation || '(blank)'} → acknowledged and ignored, nothing read or written`, async () => {
      const { sync, calls } = recorder();
      const { ctx, loads } = context(entity, operation);
      const outcome = await dispatch(sync, ctx);
      expect(calls).to.deep.equal([]);
      expect(loads()).to.equal(0);
      expect(outcome).to.include({ result: 'skipped', qboId: '58', note: 'ignored' });
      expect(outcome.operation).to.equal(operation.toLowerCase());
    });
  }

  it('a webhook parsed from Intuit’s lower-case type reaches the table under QuickBooks’ names', async () => {
    const { sync, calls } = recorder();
    // A webhook in lower case is normalised by the parser, then dispatched.
    const [event] = parseDelivery([
      {
        specversion: '1.0',
        id: 'e-1',
        type: 'qbo.invoice.voided.v1',
        intuitaccountid: '9130',
        intuitentityid: '58',
      },
    ]);
    await dispatch(sync, { ...event, load: async () => undefined });
    expect(calls.map((c) => c.action)).to.deep.equal([['markDocument', 'invoice', 'voided']]);
  });

  it('passes the outcome of the action back unchanged (skipped included)', async () => {
    const skipped = {
      operation: 'update',
      result: 'skipped' as const,
      qboId: '58',
      localId: 7,
      note: 'voided',
    };
    const sync = { upsertDocument: async () => skipped } as unknown as InboundSync;
    expect(await dispatch(sync, context('Invoice', 'Update').ctx)).to.equal(skipped);
  });
});
