/**
 * The SQLite connection's settings (src/db/index.ts): each one is there for a reason a successor could
 * undo without noticing, so each is checked on a real file database.
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/index.js';

describe('SQLite connection settings', () => {
  let dir: string;
  let db: Knex;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-sqlite-'));
    db = createDb({ databaseUrl: `sqlite:${path.join(dir, 'app.sqlite3')}` });
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const pragma = async (name: string) => Object.values((await db.raw(`PRAGMA ${name}`))[0])[0];

  it('uses WAL, NORMAL sync, foreign keys, a busy timeout, and leaves checkpoints to the worker thread', async () => {
    expect(await pragma('journal_mode')).to.equal('wal');
    expect(await pragma('synchronous')).to.equal(1);
    expect(await pragma('foreign_keys')).to.equal(1);
    expect(await pragma('busy_timeout')).to.equal(5000);
    expect(await pragma('wal_autocheckpoint')).to.equal(0);
  });

  it('gives the disk back after a burst of writes: the WAL is cut to 64 MB once it restarts', async function () {
    this.timeout(30_000);
    expect(await pragma('journal_size_limit')).to.equal(64 * 1024 * 1024);
    await db.schema.createTable('t', (t) => {
      t.increments('id');
      t.text('v');
    });
    const wal = () => statSync(path.join(dir, 'app.sqlite3-wal')).size;
    const row = { v: 'x'.repeat(4000) };
    // Writes back to back (no pause for the checkpointer to catch up) until the WAL is past the limit.
    while (wal() < 80 * 1024 * 1024) await db('t').insert(Array.from({ length: 500 }, () => row));
    // A pause: the checkpointer's next PASSIVE run copies everything, and the next write restarts the WAL.
    const deadline = Date.now() + 10_000;
    while (wal() > 64 * 1024 * 1024 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await db('t').insert({ v: 'y' });
    }
    expect(wal()).to.be.at.most(64 * 1024 * 1024);
  });
});

describe('SQLite file modes', () => {
  it('creates the database, its -wal and -shm owner-only (0600), whatever the umask', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-modes-'));
    const old = process.umask(0o022);
    const file = path.join(dir, 'data', 'app.sqlite3');
    const db = createDb({ databaseUrl: `sqlite:${file}` });
    try {
      await db.schema.createTable('t', (t) => t.increments('id'));
      await db('t').insert({});
      for (const suffix of ['', '-wal', '-shm']) {
        expect(statSync(file + suffix).mode & 0o777, `app.sqlite3${suffix}`).to.equal(0o600);
      }
    } finally {
      process.umask(old);
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tightens a database file an earlier version left world-readable', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-modes-'));
    const file = path.join(dir, 'app.sqlite3');
    const first = createDb({ databaseUrl: `sqlite:${file}` });
    await first.raw('select 1');
    await first.destroy();
    chmodSync(file, 0o644);
    const db = createDb({ databaseUrl: `sqlite:${file}` });
    try {
      await db.raw('select 1');
      expect(statSync(file).mode & 0o777).to.equal(0o600);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes every file the server and the commands create private (umask 077)', async () => {
    const before = process.umask();
    try {
      await import('../../src/private-files.js');
      expect(process.umask()).to.equal(0o077);
    } finally {
      process.umask(before);
    }
  });
});
