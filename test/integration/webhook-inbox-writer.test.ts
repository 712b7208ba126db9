/**
 * The inbox writer, on the database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL): deliveries
 * staged together (group commit) and unpacked into the inbox (decision 016); events stored together keep
 * every column (a Merge's two ids, an event without a time), a key repeated is stored once, and an equal
 * event after the first was processed re-arms the row (docs/decisions/006, inbox-writer.ts).
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/index.js';
import type { InboundEvent } from '../../src/quickbooks/pull/events.js';
import { InboxRepository } from '../../src/quickbooks/pull/inbox-repository.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { classic, cloudEvent } from '../helpers/webhooks.js';

const REALM = '9130350000000001';
const OTHER_REALM = '9130350000000002';

function event(key: string, fields: Partial<InboundEvent> = {}): InboundEvent {
  return {
    key,
    realmId: REALM,
    entity: 'Customer',
    entityId: '7',
    operation: 'Update',
    occurredAt: '2026-12-01T10:00:00.000Z',
    format: 'cloudevents',
    ...fields,
  };
}

describe('webhook inbox writer', () => {
  let database: TestDatabase;
  let db: Knex;
  let inbox: InboxRepository;
  beforeEach(async () => {
    database = await freshDatabase();
    db = createDb({ databaseUrl: database.url });
    inbox = new InboxRepository(db);
  });
  afterEach(async () => {
    await db.destroy();
    await database.drop();
  });

  it('stores deliveries sent together in one group with every column, a repeated key once', async () => {
    const now = '2026-12-01T10:00:01.000Z';
    // Not awaited one by one: the three land in one group (one transaction).
    await Promise.all([
      inbox.insert(
        [event('a', { operation: 'Merge', entityId: '7', deletedId: '8' }), event('b', { occurredAt: null })],
        now,
      ),
      inbox.insert([event('a', { operation: 'Merge', entityId: '7', deletedId: '8' })], now),
      inbox.insert([event('c', { format: 'classic', entity: 'Invoice', entityId: '12' })], now),
    ]);
    const rows = await inbox.list();
    expect(rows.map((r) => r.eventKey)).to.have.members(['a', 'b', 'c']);
    const byKey = new Map(rows.map((r) => [r.eventKey, r]));
    expect(byKey.get('a')).to.include({
      operation: 'Merge',
      entityId: '7',
      deletedId: '8',
      status: 'pending',
    });
    expect(byKey.get('b')).to.include({ occurredAt: null, receivedAt: now, nextAttemptAt: now, attempts: 0 });
    expect(byKey.get('c')).to.include({ format: 'classic', entity: 'Invoice', entityId: '12' });
  });

  it('an equal event after the first was processed has the row processed again; one still waiting is left alone', async () => {
    await inbox.insert([event('done'), event('waiting')], '2026-12-01T10:00:01.000Z');
    const [done] = await inbox.list();
    await inbox.finish(done, 'done');
    await inbox.insert([event('done'), event('waiting')], '2026-12-01T10:00:05.000Z');
    const byKey = new Map((await inbox.list()).map((r) => [r.eventKey, r]));
    expect(byKey.size).to.equal(2);
    expect(byKey.get('done')).to.include({
      status: 'pending',
      processedAt: null,
      receivedAt: '2026-12-01T10:00:05.000Z',
    });
    expect(byKey.get('waiting')).to.include({ status: 'pending', receivedAt: '2026-12-01T10:00:01.000Z' });
  });

  describe('staged deliveries', () => {
    const staged = async () => Number((await db('webhook_deliveries').count({ n: '*' }).first())?.n);

    it('stages deliveries sent together in one group, each as it arrived, and unpacks them into the inbox', async () => {
      const first = [cloudEvent(REALM, 'Customer', '7', 'updated', 'e-1'), cloudEvent(REALM, 'Invoice', '9')];
      const second = classic(REALM, [{ name: 'Estimate', id: '4', operation: 'Create' }]);
      const now = '2026-12-01T10:00:01.000Z';
      await Promise.all([
        inbox.stage({ realmId: REALM, body: JSON.stringify(first), eventCount: 2 }, now),
        inbox.stage({ realmId: REALM, body: JSON.stringify(second), eventCount: 1 }, now),
      ]);
      expect(await db('webhook_deliveries').orderBy('id').pluck('body')).to.deep.equal([
        JSON.stringify(first),
        JSON.stringify(second),
      ]);
      expect(await inbox.list(), 'nothing in the inbox before the unpack').to.deep.equal([]);
      expect(await inbox.staged()).to.deep.equal({ events: 3, oldest: now });

      expect(await inbox.unpack()).to.deep.equal({ deliveries: 2, unreadable: 0 });
      expect(await staged(), 'unpacked deliveries are deleted').to.equal(0);
      const rows = await inbox.list();
      expect(
        rows.map((r) => `${r.format} ${r.entity}.${r.operation} ${r.entityId} ${r.receivedAt}`),
      ).to.deep.equal([
        `cloudevents Customer.Update 7 ${now}`,
        `cloudevents Invoice.Update 9 ${now}`,
        `classic Estimate.Create 4 ${now}`,
      ]);
      expect(await inbox.unpack(), 'nothing left').to.deep.equal({ deliveries: 0, unreadable: 0 });
    });

    it('counts staged events as waiting in the pull under way', async () => {
      await inbox.insert([event('first')], '2026-12-01T10:00:00.000Z');
      const [first] = await inbox.list();
      await inbox.finish(first, 'done');
      const body = JSON.stringify([cloudEvent(REALM, 'Customer', '8'), cloudEvent(REALM, 'Invoice', '9')]);
      await inbox.stage({ realmId: REALM, body, eventCount: 2 }, '2026-12-01T10:00:05.000Z');
      // Nothing pending in the inbox itself: the staged delivery alone makes a pull under way.
      expect(await inbox.waveCounts(REALM)).to.deep.equal({ total: 2, done: 0, failed: 0 });
      expect((await inbox.countByStatus()).pending).to.equal(2);
      await inbox.unpack();
      expect(await inbox.waveCounts(REALM)).to.deep.equal({ total: 2, done: 0, failed: 0 });
    });

    it("a company switch drops the earlier company's staged events too, and leaves the new one's waiting", async () => {
      await inbox.stage({
        realmId: OTHER_REALM,
        body: JSON.stringify([cloudEvent(OTHER_REALM, 'Customer', '1')]),
        eventCount: 1,
      });
      await inbox.stage({
        realmId: REALM,
        body: JSON.stringify([cloudEvent(REALM, 'Customer', '2')]),
        eventCount: 1,
      });
      expect(await inbox.dropPending([OTHER_REALM])).to.equal(1);
      expect(await staged()).to.equal(0);
      expect((await inbox.list()).map((r) => [r.realmId, r.status])).to.deep.equal([
        [OTHER_REALM, 'dropped'],
        [REALM, 'pending'],
      ]);
    });

    it('stages a group bigger than one statement takes, every delivery once', async () => {
      const bodies = Array.from({ length: 2500 }, (_, i) =>
        JSON.stringify([cloudEvent(REALM, 'Customer', String(i + 1))]),
      );
      // Not awaited one by one: they land in one group.
      await Promise.all(bodies.map((body) => inbox.stage({ realmId: REALM, body, eventCount: 1 })));
      expect(await db('webhook_deliveries').orderBy('id').pluck('body')).to.deep.equal(bodies);
    });

    it('unpacks only the events of the company a delivery was staged for', async () => {
      const mixed = [cloudEvent(REALM, 'Customer', '1'), cloudEvent(OTHER_REALM, 'Customer', '2')];
      await inbox.stage({ realmId: REALM, body: JSON.stringify(mixed), eventCount: 1 });
      await inbox.unpack();
      expect((await inbox.list()).map((r) => [r.realmId, r.entityId])).to.deep.equal([[REALM, '1']]);
    });

    it('a redelivery staged twice is one inbox row', async () => {
      const body = JSON.stringify([cloudEvent(REALM, 'Customer', '1', 'updated', 'same')]);
      await inbox.stage({ realmId: REALM, body, eventCount: 1 });
      await inbox.stage({ realmId: REALM, body, eventCount: 1 });
      await inbox.unpack();
      expect(await inbox.list()).to.have.length(1);
    });

    it('moves the oldest deliveries first, at most `limit` per unpack', async () => {
      for (let i = 1; i <= 5; i++)
        await inbox.stage({
          realmId: REALM,
          body: JSON.stringify([cloudEvent(REALM, 'Customer', String(i))]),
          eventCount: 1,
        });
      expect((await inbox.unpack(2)).deliveries).to.equal(2);
      expect((await inbox.list()).map((r) => r.entityId)).to.deep.equal(['1', '2']);
      expect(await staged()).to.equal(3);
      expect((await inbox.unpack(10)).deliveries).to.equal(3);
      expect((await inbox.list()).map((r) => r.entityId)).to.deep.equal(['1', '2', '3', '4', '5']);
    });

    it('two unpacks at once move each delivery once', async () => {
      for (let i = 1; i <= 40; i++)
        await inbox.stage({
          realmId: REALM,
          body: JSON.stringify([cloudEvent(REALM, 'Customer', String(i))]),
          eventCount: 1,
        });
      // A second connection pool on the same database, as a second instance has.
      const otherDb = createDb({ databaseUrl: database.url });
      const other = new InboxRepository(otherDb);
      try {
        const results = await Promise.all([
          inbox.unpack(15),
          other.unpack(15),
          inbox.unpack(15),
          other.unpack(15),
        ]);
        expect(results.reduce((n, r) => n + r.deliveries, 0)).to.equal(40);
      } finally {
        await otherDb.destroy();
      }
      const ids = (await inbox.list()).map((r) => Number(r.entityId)).sort((a, b) => a - b);
      expect(ids).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await staged()).to.equal(0);
    });

    it('a staged body that no longer parses is dropped and reported, not left to block the others', async () => {
      await db('webhook_deliveries').insert({
        realm_id: REALM,
        received_at: '2026-12-01T10:00:00.000Z',
        event_count: 1,
        body: '{"neither": "format"}',
      });
      await inbox.stage({
        realmId: REALM,
        body: JSON.stringify([cloudEvent(REALM, 'Customer', '3')]),
        eventCount: 1,
      });
      expect(await inbox.unpack()).to.deep.equal({ deliveries: 2, unreadable: 1 });
      expect((await inbox.list()).map((r) => r.entityId)).to.deep.equal(['3']);
      expect(await staged()).to.equal(0);
    });
  });
});
