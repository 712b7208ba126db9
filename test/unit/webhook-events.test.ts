/**
 * Webhook bodies → inbox events, at the edges: what QuickBooks calls each entity and operation, which
 * events are dropped (ids that do not fit the inbox, types that are not QuickBooks'), and the dedupe key.
 * The plain cases with Intuit's own samples are in webhook-signature.test.ts.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseDelivery } from '../../src/quickbooks/pull/events.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/qbo/webhooks/${name}`, import.meta.url), 'utf8'));

function cloudEvent(fields: Record<string, unknown>) {
  return {
    specversion: '1.0',
    id: 'ev-1',
    type: 'qbo.customer.updated.v1',
    time: '2026-11-28T10:00:00.000Z',
    intuitaccountid: '9130',
    intuitentityid: '58',
    ...fields,
  };
}

function classic(entity: Record<string, unknown>, realmId: unknown = '9130') {
  return { eventNotifications: [{ realmId, dataChangeEvent: { entities: [entity] } }] };
}

describe('webhook events: entity and operation names', () => {
  const types: [string, string][] = [
    ['qbo.customer.created.v1', 'Customer.Create'],
    ['qbo.estimate.updated.v1', 'Estimate.Update'],
    ['qbo.invoice.deleted.v1', 'Invoice.Delete'],
    ['qbo.invoice.voided.v1', 'Invoice.Void'],
    ['qbo.customer.merged.v1', 'Customer.Merge'],
    ['qbo.invoice.emailed.v1', 'Invoice.Emailed'],
    ['QBO.Invoice.Updated.V1', 'Invoice.Update'],
    ['qbo.invoice.updated.v12', 'Invoice.Update'],
    // Entities and operations Heavy AV does not handle keep a readable name (the dispatch ignores them).
    ['qbo.payment.created.v1', 'Payment.Create'],
    ['qbo.invoice.restored.v1', 'Invoice.Restored'],
    ['qbo.invoice.somethingverymuchlonger.v1', 'Invoice.Somethingverymuc'],
  ];
  for (const [type, expected] of types) {
    it(`${type} → ${expected}`, () => {
      const [event] = parseDelivery([cloudEvent({ type })]);
      expect(`${event.entity}.${event.operation}`).to.equal(expected);
    });
  }

  const operations: [string, string][] = [
    ['Create', 'Create'],
    ['Update', 'Update'],
    ['Delete', 'Delete'],
    ['Void', 'Void'],
    ['Merge', 'Merge'],
    ['Emailed', 'Emailed'],
    ['update', 'Update'],
    ['DELETE', 'Delete'],
  ];
  for (const [operation, expected] of operations) {
    it(`classic operation ${operation} → ${expected}`, () => {
      const [event] = parseDelivery(classic({ name: 'invoice', id: '58', operation }));
      expect(event).to.include({ entity: 'Invoice', operation: expected, format: 'classic' });
    });
  }
});

describe('webhook events: what is dropped (and the rest of the delivery kept)', () => {
  const dropped: [string, Record<string, unknown>][] = [
    ['a type that is not QuickBooks’', { type: 'com.intuit.customer.created' }],
    ['a type without a version', { type: 'qbo.customer.created' }],
    ['a type without an entity', { type: 'qbo..created.v1' }],
    ['an entity name over 32 characters', { type: `qbo.${'x'.repeat(33)}.created.v1` }],
    ['no event id', { id: undefined }],
    ['a blank event id', { id: '  ' }],
    ['an event id over 200 characters', { id: 'i'.repeat(201) }],
    ['no company', { intuitaccountid: undefined }],
    ['no entity id', { intuitentityid: undefined }],
    ['an entity id over 32 characters', { intuitentityid: '9'.repeat(33) }],
    ['an entity id that is an object', { intuitentityid: { id: 58 } }],
    ['a company id that is not a finite number', { intuitaccountid: Number.POSITIVE_INFINITY }],
  ];
  for (const [name, fields] of dropped) {
    it(`CloudEvents: ${name}`, () => {
      const events = parseDelivery([cloudEvent(fields), cloudEvent({ id: 'ev-ok' })]);
      expect(events.map((e) => e.key)).to.deep.equal(['ce:2026-11-28T10:00:00.000Z|ev-ok']);
    });
  }

  const droppedClassic: [string, Record<string, unknown>, unknown][] = [
    ['no operation', { name: 'Customer', id: '58' }, '9130'],
    ['no entity name', { id: '58', operation: 'Update' }, '9130'],
    [
      'an entity id over 32 characters',
      { name: 'Customer', id: '9'.repeat(33), operation: 'Update' },
      '9130',
    ],
    ['no company', { name: 'Customer', id: '58', operation: 'Update' }, null],
    ['a company id over 32 characters', { name: 'Customer', id: '58', operation: 'Update' }, '1'.repeat(33)],
  ];
  for (const [name, entity, realmId] of droppedClassic) {
    it(`classic: ${name}`, () => expect(parseDelivery(classic(entity, realmId))).to.deep.equal([]));
  }

  it('accepts numeric ids and trims spaces', () => {
    const [event] = parseDelivery([cloudEvent({ intuitaccountid: 9130, intuitentityid: ' 58 ' })]);
    expect(event).to.include({ realmId: '9130', entityId: '58' });
  });

  it('keeps a merged-away id only when it fits', () => {
    const [kept] = parseDelivery([cloudEvent({ type: 'qbo.customer.merged.v1', data: { deletedId: '9' } })]);
    const [cut] = parseDelivery([
      cloudEvent({ type: 'qbo.customer.merged.v1', data: { deletedid: 'x'.repeat(33) } }),
    ]);
    const [classicMerge] = parseDelivery(
      classic({ name: 'Customer', id: '58', operation: 'Merge', deletedId: '9' }),
    );
    expect(kept.deletedId).to.equal('9');
    expect(cut).to.not.have.property('deletedId');
    expect(classicMerge.deletedId).to.equal('9');
  });
});

describe('webhook events: keys and times', () => {
  it('classic: a time with a compact offset (Java SDK sample) is keyed in UTC', () => {
    const [event] = parseDelivery(fixture('classic-sample.java-sdk.json'));
    expect(event.key).to.equal('classic:2015-10-05T21:42:19.000Z|1185883450|Customer|1|Create');
    expect(event.occurredAt).to.equal('2015-10-05T14:42:19-0700');
  });

  it('CloudEvents: nanoseconds (the .NET SDK sample) are kept in the occurrence time', () => {
    const [event] = parseDelivery(fixture('cloudevents-sample-with-data.dotnet-sdk.json'));
    expect(event).to.include({
      entity: 'Class',
      operation: 'Create',
      occurredAt: '2025-10-07T19:59:07.034359333Z',
      key: 'ce:2025-10-07T19:59:07.034Z|d1a3aedd-9670-41bf-a4f9-c148a1cc4e03',
    });
  });

  it('classic without lastUpdated: keyed without a time, no occurrence time', () => {
    const [event] = parseDelivery(classic({ name: 'Invoice', id: '58', operation: 'Void' }));
    expect(event.key).to.equal('classic:|9130|Invoice|58|Void');
    expect(event.occurredAt).to.equal(null);
  });

  it('the same change in the same company is one key; another company, entity or operation another', () => {
    const key = (entity: Record<string, unknown>, realm = '9130') =>
      parseDelivery(classic(entity, realm))[0].key;
    const change = {
      name: 'Customer',
      id: '58',
      operation: 'Update',
      lastUpdated: '2026-11-28T10:00:00.000Z',
    };
    const keys = [
      key(change),
      key(change, '9131'),
      key({ ...change, id: '59' }),
      key({ ...change, operation: 'Delete' }),
      key({ ...change, lastUpdated: '2026-11-28T10:00:01.000Z' }),
    ];
    expect(key(change)).to.equal(keys[0]);
    expect(new Set(keys).size).to.equal(keys.length);
  });

  it('keys fit the inbox column (255 characters) even with a 200-character event id and a long time', () => {
    const [event] = parseDelivery([
      cloudEvent({ id: 'i'.repeat(200), time: `not a time ${'t'.repeat(100)}` }),
    ]);
    expect(event.key.length).to.be.at.most(255);
    expect(event.occurredAt?.length).to.be.at.most(40);
  });
});
