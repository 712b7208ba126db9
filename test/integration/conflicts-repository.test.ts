/**
 * Conflicts are opened by whichever process meets them (a push in one instance, a pull in another): two at
 * the same moment for the same record must leave exactly one open conflict, the newest facts.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/index.js';
import { ConflictsRepository } from '../../src/quickbooks/conflicts/conflicts-repository.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { isPostgresRun } from '../helpers/pg.js';

describe('conflicts repository', () => {
  let database: TestDatabase;
  let a: Knex;
  let b: Knex;
  beforeEach(async () => {
    database = await freshDatabase();
    // Two connection pools, as two instances have.
    a = createDb({ databaseUrl: database.url });
    b = createDb({ databaseUrl: database.url });
  });
  afterEach(async () => {
    await a.destroy();
    await b.destroy();
    await database.drop();
  });

  const conflict = (message: string) => ({
    realmId: '9130350000000001',
    recordType: 'invoice' as const,
    recordId: 7,
    kind: 'number_taken' as const,
    qboId: '130',
    message,
  });

  it('two processes opening a conflict for one record at once leave exactly one open', async function () {
    // SQLite lets one writer at a time into the database (a transaction that writes first waits for the other), so
    // the race is PostgreSQL's; two pools of better-sqlite3 in one process would only block each other.
    if (!isPostgresRun()) this.skip();
    for (let round = 0; round < 10; round++) {
      await Promise.all([
        new ConflictsRepository(a).open(conflict(`from A, round ${round}`)),
        new ConflictsRepository(b).open(conflict(`from B, round ${round}`)),
      ]);
      const open = await a('qbo_conflicts').where({ record_id: 7, state: 'open' });
      expect(open, `round ${round}`).to.have.length(1);
      expect(open[0].message).to.match(new RegExp(`round ${round}$`));
    }
    const all = await a('qbo_conflicts').where({ record_id: 7 }).count<{ n: string | number }[]>({ n: '*' });
    expect(Number(all[0].n), 'every one kept, the older ones superseded').to.equal(20);
  });

  it('a database refuses a second open conflict for the same record and company', async () => {
    await new ConflictsRepository(a).open(conflict('first'));
    let refused: unknown;
    try {
      await a('qbo_conflicts').insert({
        realm_id: '9130350000000001',
        record_type: 'invoice',
        record_id: 7,
        kind: 'number_taken',
        message: 'a second, written around the repository',
        state: 'open',
        created_at: new Date().toISOString(),
      });
    } catch (err) {
      refused = err;
    }
    expect(refused, 'the unique index').to.be.instanceOf(Error);
  });
});
