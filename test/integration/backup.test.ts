/**
 * Backups (capability 21): the snapshot and its verification, names and retention, the daily backup taken
 * once across instances, the backup before migrations, and the commands' answers (including PostgreSQL).
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { backupFileName, listBackups, parseBackupFileName, pruneBackups } from '../../src/backup/files.js';
import { backupBeforeMigrations, pendingMigrations } from '../../src/backup/pre-migrate.js';
import { liveServers, startPresence } from '../../src/backup/presence.js';
import { DAILY_LEASE, dailyBackups } from '../../src/backup/schedule.js';
import { backupSqlite } from '../../src/backup/snapshot.js';
import { openSqlite } from '../../src/backup/sqlite.js';
import { BackupVerificationError, verifyDatabaseFile } from '../../src/backup/verify.js';
import { createDb, sqliteFileOf } from '../../src/db/index.js';
import { createLogger } from '../../src/logger.js';
import { migratedSqlite, runCommand, tempDir } from '../helpers/backups.js';
import { freePort } from '../helpers/server-process.js';

const logger = createLogger('silent');

async function seed(db: Knex, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await db('customers').insert({
      display_name: `Backup Customer ${i}`,
      display_name_key: `backup customer ${i}`,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
  }
}

describe('backups', function () {
  this.timeout(60_000);
  let url: string;
  let db: Knex;
  let dir: string;
  beforeEach(async () => {
    url = await migratedSqlite();
    db = createDb({ databaseUrl: url });
    dir = path.join(tempDir('backups'), 'nested', 'backups');
  });
  afterEach(async () => db?.destroy());

  it('writes a verified snapshot 0600 in a 0700 folder, with the counts of every table, under a name that sorts by time', async () => {
    await seed(db, 25);
    const result = await backupSqlite({ sourceFile: sqliteFileOf(url), dir, keepDays: 14, reason: 'manual' });
    expect(path.dirname(result.file)).to.equal(dir);
    expect(path.basename(result.file)).to.match(
      /^heavy-av-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-manual\.sqlite3$/,
    );
    expect(statSync(result.file).mode & 0o777).to.equal(0o600);
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    expect(result.counts.customers).to.equal(25);
    expect(result.counts.knex_migrations).to.be.above(0);
    // A single self-contained file: readable alone, same rows.
    const copy = openSqlite(result.file, { readonly: true });
    try {
      expect(copy.pragma('journal_mode', { simple: true })).to.equal('delete');
      expect(copy.prepare('SELECT count(*) FROM customers').pluck().get()).to.equal(25);
    } finally {
      copy.close();
    }
    expect(verifyDatabaseFile(result.file).counts).to.deep.equal(result.counts);
    // Nothing else (no partial file) was left in the folder.
    expect(listBackups(dir).map((b) => b.file)).to.deep.equal([result.file]);
  });

  it('names sort by time and parse back; retention deletes only our files older than the limit, never the newest', () => {
    const day = 86_400_000;
    const now = new Date('2026-12-01T12:00:00.000Z');
    const names = [40, 20, 15, 13, 1].map((d) =>
      backupFileName(new Date(now.getTime() - d * day), d === 15 ? 'pre-migrate' : 'daily'),
    );
    expect([...names].sort()).to.deep.equal(names);
    expect(parseBackupFileName(names[2])).to.deep.equal({
      takenAt: new Date(now.getTime() - 15 * day),
      reason: 'pre-migrate',
    });
    const folder = tempDir('retention');
    for (const n of [...names, 'notes.txt', 'heavy-av.sqlite3']) writeFileSync(path.join(folder, n), 'x');
    const pruned = pruneBackups(folder, 14, now).map((f) => path.basename(f));
    expect(pruned).to.deep.equal(names.slice(0, 3));
    expect(listBackups(folder).map((b) => path.basename(b.file))).to.deep.equal(names.slice(3));
    // Everything old: the newest stays all the same.
    expect(pruneBackups(folder, 14, new Date(now.getTime() + 365 * day))).to.have.length(1);
    expect(listBackups(folder).map((b) => path.basename(b.file))).to.deep.equal([names[4]]);
    expect(statSync(path.join(folder, 'notes.txt')).isFile()).to.equal(true);
  });

  it('verification refuses a file that is not SQLite, not Heavy AV, corrupt, or whose counts differ', async () => {
    const folder = tempDir('bad');
    const text = path.join(folder, 'text.sqlite3');
    writeFileSync(text, 'hello, not a database');
    expect(() => verifyDatabaseFile(text)).to.throw(BackupVerificationError, /not an SQLite database/);

    const other = path.join(folder, 'other.sqlite3');
    const conn = openSqlite(other, { create: true });
    conn.exec('CREATE TABLE t (x)');
    conn.close();
    expect(() => verifyDatabaseFile(other)).to.throw(BackupVerificationError, /no knex_migrations table/);

    await seed(db, 300);
    const good = await backupSqlite({ sourceFile: sqliteFileOf(url), dir, keepDays: 14, reason: 'manual' });
    expect(() => verifyDatabaseFile(good.file, { ...good.counts, customers: 299 })).to.throw(
      BackupVerificationError,
      /customers 300 \(source 299\)/,
    );
    // Scribble over the last pages (customers' data and index): SQLite's own check must notice.
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const size = statSync(good.file).size;
    const fd = openSync(good.file, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, size - 8192);
    closeSync(fd);
    expect(() => verifyDatabaseFile(good.file)).to.throw(BackupVerificationError);
  });

  it('the daily backup is taken once across two instances, not again the same day, again the next day', async () => {
    await seed(db, 3);
    const other = createDb({ databaseUrl: url });
    try {
      let clock = Date.parse('2026-12-01T03:00:00.000Z');
      const config = { databaseUrl: url, backup: { dir, keepDays: 14 } };
      const a = dailyBackups(config, db, logger, { now: () => clock });
      const b = dailyBackups(config, other, logger, { now: () => clock });
      const first = await Promise.all([a.runOnce(), b.runOnce()]);
      expect(first.filter(Boolean)).to.have.length(1);
      expect(listBackups(dir)).to.have.length(1);
      expect(listBackups(dir)[0].reason).to.equal('daily');

      clock += 3 * 3_600_000;
      expect(await Promise.all([a.runOnce(), b.runOnce()])).to.deep.equal([undefined, undefined]);
      clock += 21 * 3_600_000;
      const next = await Promise.all([b.runOnce(), a.runOnce()]);
      expect(next.filter(Boolean)).to.have.length(1);
      expect(listBackups(dir)).to.have.length(2);
    } finally {
      await other.destroy();
    }
  });

  it('a failed daily backup gives the day back: the next check tries again', async () => {
    const blocked = path.join(tempDir('blocked'), 'a-file');
    writeFileSync(blocked, 'not a folder');
    const clock = Date.parse('2026-12-01T03:00:00.000Z');
    const failing = dailyBackups({ databaseUrl: url, backup: { dir: blocked, keepDays: 14 } }, db, logger, {
      now: () => clock,
    });
    expect(await failing.runOnce()).to.equal(undefined);
    expect(await db('locks').where({ name: DAILY_LEASE }).first()).to.equal(undefined);
    const working = dailyBackups({ databaseUrl: url, backup: { dir, keepDays: 14 } }, db, logger, {
      now: () => clock,
    });
    expect(await working.runOnce()).to.not.equal(undefined);
  });

  it('backs up before migrations only when some are pending on a database that has data', async () => {
    const config = { databaseUrl: url, backup: { dir, keepDays: 14 } };
    expect(await backupBeforeMigrations(config), 'nothing pending').to.equal(undefined);
    const fresh = { databaseUrl: `sqlite:${path.join(tempDir('new'), 'x.sqlite3')}`, backup: config.backup };
    expect(await backupBeforeMigrations(fresh), 'no database yet').to.equal(undefined);

    await seed(db, 4);
    const [, rolledBack] = await db.migrate.down();
    expect(rolledBack).to.have.length(1);
    const taken = await backupBeforeMigrations(config);
    expect(taken?.pending).to.deep.equal(rolledBack);
    expect(path.basename(taken!.file)).to.match(/-pre-migrate\.sqlite3$/);
    expect(taken!.counts.customers).to.equal(4);
  });

  it('npm run migrate backs up first when it has migrations to apply', async () => {
    await seed(db, 2);
    await db.migrate.down();
    const out = await runCommand('src/cli/migrate.ts', [], { DATABASE_URL: url, BACKUP_DIR: dir });
    expect(out.code, out.stderr).to.equal(0);
    const [backup] = listBackups(dir);
    expect(out.stdout).to.contain(`Backed up the database before migrating: ${backup.file}`);
    expect(out.stdout).to.match(/Applied: /);
  });

  it('npm run backup prints the verified file; on PostgreSQL both commands explain pg_dump/pg_restore and change nothing', async () => {
    await seed(db, 7);
    const out = await runCommand('src/cli/backup.ts', [], { DATABASE_URL: url, BACKUP_DIR: dir });
    expect(out.code, out.stderr).to.equal(0);
    const [backup] = listBackups(dir);
    expect(out.stdout).to.contain(`Backup written and verified: ${backup.file}`);
    expect(out.stdout).to.match(/integrity ok/);

    const pg = { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', BACKUP_DIR: dir };
    const pgBackup = await runCommand('src/cli/backup.ts', [], pg);
    expect(pgBackup.code, pgBackup.stderr).to.equal(0);
    expect(pgBackup.stdout).to.contain('pg_dump --format=custom').and.contain('pg_restore');
    const pgRestore = await runCommand('src/cli/restore.ts', [backup.file], pg);
    expect(pgRestore.code, pgRestore.stderr).to.equal(0);
    expect(pgRestore.stdout).to.contain('nothing was restored').and.contain('pg_restore');
    expect(listBackups(dir)).to.have.length(1);
  });

  it('npm run restore: refuses a bad file or a live server mark (nothing changes); otherwise keeps the old database aside and migrates the restored one', async () => {
    await seed(db, 5);
    await db.migrate.down();
    const older = await backupSqlite({ sourceFile: sqliteFileOf(url), dir, keepDays: 14, reason: 'manual' });
    await db.migrate.latest();
    await db('customers')
      .where('display_name', 'Backup Customer 0')
      .update({ display_name: 'Changed later' });
    const target = sqliteFileOf(url);
    const folder = path.dirname(target);
    const asideFiles = () => readdirSync(folder).filter((f) => f.includes('.before-restore-'));

    const junk = path.join(tempDir('junk'), 'junk.sqlite3');
    writeFileSync(junk, 'not a backup');
    const bad = await runCommand('src/cli/restore.ts', [junk], { DATABASE_URL: url });
    expect(bad.code).to.equal(65);
    expect(bad.stderr).to.contain('Not restored, nothing changed').and.contain('not an SQLite database');
    const usage = await runCommand('src/cli/restore.ts', [], { DATABASE_URL: url });
    expect(usage.code).to.equal(64);

    const future = new Date(Date.now() + 20_000).toISOString();
    await db('locks').insert({ name: 'server:otherhost/4242/abcd', owner: 'x', expires_at: future });
    const busy = await runCommand('src/cli/restore.ts', [older.file], { DATABASE_URL: url });
    expect(busy.code).to.equal(75);
    expect(busy.stderr).to.contain('otherhost/4242/abcd');
    expect(asideFiles()).to.deep.equal([]);
    expect(await db('customers').where({ display_name: 'Changed later' }).first()).to.not.equal(undefined);

    // A mark that has run out is a server that died: no longer in the way.
    await db('locks').update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    await db.destroy();
    const ok = await runCommand('src/cli/restore.ts', [older.file], { DATABASE_URL: url });
    expect(ok.code, ok.stderr).to.equal(0);
    const [aside] = asideFiles();
    expect(aside).to.match(/^heavy-av\.sqlite3\.before-restore-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(ok.stdout).to.contain(`kept at ${path.join(folder, aside)}`);
    expect(ok.stdout).to.match(/Migrations applied: \d+_/);
    expect(statSync(target).mode & 0o777).to.equal(0o600);
    expect(statSync(path.join(folder, aside)).mode & 0o777).to.equal(0o600);

    db = createDb({ databaseUrl: url });
    expect(await db('customers').where({ display_name: 'Backup Customer 0' }).first()).to.not.equal(
      undefined,
    );
    expect(await db('customers').where({ display_name: 'Changed later' }).first()).to.equal(undefined);
    expect(await db.migrate.list().then(([, pending]) => pending)).to.deep.equal([]);
    const keptAside = createDb({ databaseUrl: `sqlite:${path.join(folder, aside)}` });
    try {
      expect(await keptAside('customers').where({ display_name: 'Changed later' }).first()).to.not.equal(
        undefined,
      );
    } finally {
      await keptAside.destroy();
    }
  });

  it("a serving process keeps a live mark in the database, renews it, clears dead servers' marks and removes its own on stop", async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    await db('locks').insert({ name: 'server:gone/1/dead', owner: 'x', expires_at: past });
    const presence = await startPresence(db, logger, { intervalMs: 50, ttlMs: 1000 });
    const marks = async () => db('locks').where('name', 'like', 'server:%').select('name', 'expires_at');
    const [mark] = await marks();
    expect((await marks()).map((m: { name: string }) => m.name)).to.deep.equal([presence.name]);
    expect(presence.name).to.match(new RegExp(`^server:[^/]+/${process.pid}/[0-9a-f]{8}$`));
    await new Promise((r) => setTimeout(r, 200));
    const [renewed] = await marks();
    expect(renewed.expires_at > mark.expires_at, 'renewed').to.equal(true);
    const conn = openSqlite(sqliteFileOf(url), { readonly: true });
    try {
      expect(liveServers(conn).map((s) => s.who)).to.deep.equal([presence.name.slice('server:'.length)]);
    } finally {
      conn.close();
    }
    await presence.stop();
    expect(await marks()).to.deep.equal([]);
  });

  it('a server that cannot back up before migrating stops with a clear line and migrates nothing', async () => {
    await seed(db, 1);
    const [, rolledBack] = await db.migrate.down();
    const blocked = path.join(tempDir('blocked'), 'a-file');
    writeFileSync(blocked, 'not a folder');
    const port = String(await freePort());
    const out = await runCommand('src/server.ts', [], {
      DATABASE_URL: url,
      BACKUP_DIR: blocked,
      PORT: port,
      // An emulator URL, so the server starts none of its own on PORT+1 (a port nobody checked was free).
      INTUIT_EMULATOR_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'fatal',
    });
    expect(out.code).to.equal(1);
    expect(out.stdout + out.stderr).to.contain('Could not back up the database before applying migrations');
    expect((await pendingMigrations(sqliteFileOf(url))).pending).to.deep.equal(rolledBack);
  });
});
