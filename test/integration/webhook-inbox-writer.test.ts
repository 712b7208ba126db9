/**
 * The inbox writer's group commit, on the database the suite runs on (SQLite, or PostgreSQL with
 * DATABASE_URL): deliveries stored together keep every column (a Merge's two ids, an event without a time),
 * a key repeated within one group is stored once, and an equal event after the first was processed
 * re-arms the row (docs/decisions/006, inbox-writer.ts).
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/index.js';
import type { InboundEvent } from '../../src/quickbooks/pull/events.js';
import { InboxRepository } from '../../src/quickbooks/pull/inbox-repository.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

const REALM = '9130350000000001';

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
});
