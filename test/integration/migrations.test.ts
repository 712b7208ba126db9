/**
 * Every migration goes up, all the way down and up again on the database the suite runs on (SQLite, or
 * PostgreSQL with DATABASE_URL=postgres://…), so a down() that only works on one engine is caught here.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/index.js';
import { createDb, dialectOf, migrateLatest } from '../../src/db/index.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';

/** Every table the migrations create (knex's own bookkeeping tables are not among them). */
const TABLES = [
  'users',
  'sessions',
  'customers',
  'estimates',
  'estimate_lines',
  'invoices',
  'invoice_lines',
  'qbo_connections',
  'qbo_oauth_states',
  'audit_log',
  'locks',
  'qbo_links',
  'qbo_outbox',
  'sync_runs',
  'sync_events',
  'webhook_inbox',
  'webhook_deliveries',
  'webhook_stats',
  'qbo_cdc_watermarks',
  'qbo_deletion_requests',
  'login_attempts',
  'first_run_claims',
  'alerts',
  'alert_deliveries',
  'qbo_conflicts',
  'qbo_installation',
];

async function existing(db: Knex): Promise<string[]> {
  const found: string[] = [];
  for (const table of TABLES) if (await db.schema.hasTable(table)) found.push(table);
  return found;
}

async function appliedCount(db: Knex): Promise<number> {
  const row = await db('knex_migrations').count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

describe('migrations', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let db: Knex;

  beforeEach(async () => {
    database = await freshDatabase();
    db = createDb({ databaseUrl: database.url });
  });
  afterEach(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('run up, down to zero and up again, creating and dropping every table', async () => {
    const all = (await migrationSource.getMigrations([])) as string[];
    await db.migrate.latest();
    expect(await appliedCount(db)).to.equal(all.length);
    expect(await existing(db)).to.deep.equal(TABLES);

    await db.migrate.rollback(undefined, true);
    expect(await appliedCount(db), 'no migration left applied').to.equal(0);
    expect(await existing(db), 'every table dropped').to.deep.equal([]);

    const [, applied] = await db.migrate.latest();
    expect(applied).to.deep.equal(all);
    expect(await existing(db)).to.deep.equal(TABLES);
  });

  it('leave a usable schema after the round trip (a user can be written and read)', async () => {
    await db.migrate.rollback(undefined, true);
    await db.migrate.latest();
    const now = new Date().toISOString();
    await db('users').insert({
      email: 'round@example.com',
      password_hash: 'x',
      role: 'admin',
      created_at: now,
      updated_at: now,
    });
    expect(await db('users').where({ email: 'round@example.com' })).to.have.length(1);
  });

  it('go down one at a time, each down() undoing exactly its up()', async () => {
    const all = (await migrationSource.getMigrations([])) as string[];
    for (let left = all.length; left > 0; left--) {
      await db.migrate.down();
      expect(await appliedCount(db)).to.equal(left - 1);
    }
    expect(await existing(db)).to.deep.equal([]);
    for (let done = 1; done <= all.length; done++) {
      await db.migrate.up();
      expect(await appliedCount(db)).to.equal(done);
    }
    expect(await existing(db)).to.deep.equal(TABLES);
  });

  it('keep staged webhook deliveries through the change of their key (SQLite: rowid, no AUTOINCREMENT)', async () => {
    await db.migrate.latest();
    const name = '20261204010001_webhook_deliveries_rowid';
    await db.migrate.down({ name });
    const row = (n: number) => ({
      realm_id: '9130',
      received_at: `2026-12-04T00:00:0${n}.000Z`,
      event_count: n,
      body: `[${n}]`,
    });
    await db('webhook_deliveries').insert([row(1), row(2)]);
    const sqliteKey = async () =>
      String((await db('sqlite_master').where({ name: 'webhook_deliveries' }).first('sql')).sql);
    const sqlite = dialectOf(db) === 'sqlite';
    if (sqlite) expect(await sqliteKey()).to.match(/autoincrement/i);

    await db.migrate.up({ name });
    if (sqlite) expect(await sqliteKey()).to.not.match(/autoincrement/i);
    await db('webhook_deliveries').insert(row(3));
    const ids = async () =>
      (await db('webhook_deliveries').orderBy('id').select('id', 'body')).map(
        (r) => `${Number(r.id)} ${r.body}`,
      );
    expect(await ids()).to.deep.equal(['1 [1]', '2 [2]', '3 [3]']);

    await db.migrate.down({ name });
    if (sqlite) expect(await sqliteKey()).to.match(/autoincrement/i);
    expect(await ids()).to.deep.equal(['1 [1]', '2 [2]', '3 [3]']);
  });

  it('two instances starting at once on an empty database both start: one migrates, the other waits', async () => {
    await db.migrate.rollback(undefined, true);
    await db.schema.dropTable('knex_migrations_lock');
    await db.schema.dropTable('knex_migrations');
    const other = createDb({ databaseUrl: database.url });
    try {
      const results = await Promise.all([migrateLatest(db), migrateLatest(other)]);
      const all = (await migrationSource.getMigrations([])) as string[];
      expect(results.map((r) => r.length).sort((x, y) => x - y)).to.deep.equal([0, all.length]);
      expect(await appliedCount(db)).to.equal(all.length);
      expect(await existing(db)).to.deep.equal(TABLES);
    } finally {
      await other.destroy();
    }
  });
});
