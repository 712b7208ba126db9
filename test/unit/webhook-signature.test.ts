import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseDelivery, WebhookBodyError } from '../../src/quickbooks/pull/events.js';
import { signatureOf, verifySignature } from '../../src/quickbooks/pull/signature.js';

// Copies of ../shared/fixtures/qbo/webhooks (real payloads from Intuit's SDKs and sample app).
const FIXTURES = new URL('../fixtures/qbo/webhooks', import.meta.url).pathname;
const fixture = (name: string) => readFileSync(`${FIXTURES}/${name}`);

describe('webhook signature (intuit-signature)', () => {
  const body = fixture('cloudevents-sample.intuit-sampleapp-readme.json');

  it('accepts base64(HMAC-SHA256(verifier token, raw bytes))', () => {
    expect(verifySignature(body, signatureOf(body, 'token'), 'token')).to.equal(true);
  });

  it('refuses a missing, empty, wrong, wrong-key or truncated signature', () => {
    const good = signatureOf(body, 'token');
    expect(verifySignature(body, undefined, 'token')).to.equal(false);
    expect(verifySignature(body, '', 'token')).to.equal(false);
    expect(verifySignature(body, signatureOf(body, 'other'), 'token')).to.equal(false);
    expect(verifySignature(body, good.slice(0, 20), 'token')).to.equal(false);
    expect(verifySignature(body, `${good}AAAA`, 'token')).to.equal(false);
    expect(verifySignature(body, ['a'] as unknown, 'token')).to.equal(false);
  });

  it('is computed over the raw bytes: re-serialised JSON does not match', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    expect(reserialised.equals(body)).to.equal(false);
    expect(verifySignature(reserialised, signatureOf(body, 'token'), 'token')).to.equal(false);
  });

  it('fails closed without a verifier token', () => {
    expect(verifySignature(body, signatureOf(body, ''), '')).to.equal(false);
  });
});

describe('webhook bodies (classic and CloudEvents)', () => {
  it('reads a classic delivery with two entities, each keyed by lastUpdated, realm, entity, id, operation', () => {
    const events = parseDelivery(
      JSON.parse(fixture('classic-sample-two-entities.dotnet-sdk.json').toString()),
    );
    expect(events.map((e) => [e.realmId, e.entity, e.entityId, e.operation, e.format])).to.deep.equal([
      ['1269959970', 'Vendor', '40', 'Update', 'classic'],
      ['1269959970', 'Customer', '43', 'Create', 'classic'],
    ]);
    expect(events[1].key).to.equal('classic:2016-10-05T03:07:04.000Z|1269959970|Customer|43|Create');
  });

  it('reads CloudEvents arrays: entity and operation from the type, realm from intuitaccountid, key from time and id', () => {
    const [event] = parseDelivery(
      JSON.parse(fixture('cloudevents-sample.intuit-sampleapp-readme.json').toString()),
    );
    expect(event).to.include({
      key: 'ce:2025-09-10T21:31:25.179Z|88cd52aa-33b6-4351-9aa4-47572edbd068',
      realmId: '310687',
      entity: 'Customer',
      entityId: '1234',
      operation: 'Create',
      format: 'cloudevents',
    });
    const [noData] = parseDelivery(
      JSON.parse(fixture('cloudevents-sample-no-data.dotnet-sdk-pr361.json').toString()),
    );
    expect(noData).to.include({ entity: 'Class', operation: 'Create' });
  });

  it('maps every past-tense operation and keeps the merged-away id', () => {
    const ce = (type: string, data?: unknown) => ({
      specversion: '1.0',
      id: type,
      type,
      intuitentityid: '7',
      intuitaccountid: '1',
      data,
    });
    const events = parseDelivery([
      ce('qbo.invoice.voided.v1'),
      ce('qbo.estimate.deleted.v1'),
      ce('qbo.customer.updated.v1'),
      ce('qbo.customer.merged.v1', { deletedid: '9' }),
    ]);
    expect(events.map((e) => `${e.entity}.${e.operation}`)).to.deep.equal([
      'Invoice.Void',
      'Estimate.Delete',
      'Customer.Update',
      'Customer.Merge',
    ]);
    expect(events[3].deletedId).to.equal('9');
  });

  it('skips unusable events inside a valid envelope, and refuses a body that is neither format', () => {
    // CloudEvents-shaped, but without the company or entity ids: acknowledged, nothing to act on.
    expect(parseDelivery([{ specversion: '1.0', id: 'x', type: 'qbo.customer.updated.v1' }])).to.deep.equal(
      [],
    );
    // An array with anything that is not an event is not a delivery at all.
    expect(() =>
      parseDelivery([{ specversion: '1.0', id: 'x', type: 'qbo.customer.updated.v1' }, 5]),
    ).to.throw(WebhookBodyError);
    expect(() => parseDelivery([{ specversion: '1.0', id: 'x' }])).to.throw(WebhookBodyError);
    expect(() => parseDelivery([])).to.throw(WebhookBodyError);
    // A NUL byte in an id (PostgreSQL cannot store it): the event is unusable, not a failed insert.
    expect(
      parseDelivery([
        {
          specversion: '1.0',
          id: 'a\u0000',
          type: 'qbo.customer.updated.v1',
          intuitaccountid: '1',
          intuitentityid: '2',
        },
      ]),
    ).to.deep.equal([]);
    expect(() => parseDelivery({ hello: 'world' })).to.throw(WebhookBodyError);
    expect(() => parseDelivery('text')).to.throw(WebhookBodyError);
    expect(() => parseDelivery(null)).to.throw(WebhookBodyError);
  });

  it('keys a redelivery like the original, and leads every key with the occurrence time in UTC', () => {
    const event = (id: string, time?: string) => ({
      specversion: '1.0',
      id,
      type: 'qbo.customer.updated.v1',
      intuitaccountid: '310687',
      intuitentityid: '7',
      ...(time === undefined ? {} : { time }),
    });
    const [first] = parseDelivery([event('a-1', '2026-11-28T10:00:00-07:00')]);
    const [again] = parseDelivery([event('a-1', '2026-11-28T10:00:00-07:00')]);
    const [other] = parseDelivery([event('a-2', '2026-11-28T10:00:00-07:00')]);
    expect(first.key).to.equal('ce:2026-11-28T17:00:00.000Z|a-1');
    expect(again.key).to.equal(first.key);
    expect(other.key).to.not.equal(first.key);
    // Without a time (optional in CloudEvents) or with one that does not parse, the id still decides.
    expect(parseDelivery([event('a-3')])[0].key).to.equal('ce:|a-3');
    expect(parseDelivery([event('a-4', 'yesterday')])[0].key).to.equal('ce:yesterday|a-4');
    // Keys sort by when the change happened, whatever the ids.
    const keys = ['2026-11-28T09:00:00Z', '2026-11-28T10:00:00Z', '2026-11-28T11:00:00Z'].map(
      (t, i) => parseDelivery([event(`z${9 - i}`, t)])[0].key,
    );
    expect([...keys].sort()).to.deep.equal(keys);
  });
});
