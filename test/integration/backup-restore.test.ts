/**
 * Done-when 2 of issue 22, with real processes: a server pushing to the emulator and taking webhooks while
 * `npm run backup` snapshots its database; `npm run restore` refuses while that server runs; restored into
 * a fresh directory, the copy passes SQLite's checks, holds every row committed before the snapshot (and
 * is an exact prefix of the live database: no holes), and a server started on it serves it.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { listBackups } from '../../src/backup/files.js';
import { verifyDatabaseFile } from '../../src/backup/verify.js';
import { createDb, sqliteFileOf } from '../../src/db/index.js';
import { parseDelivery } from '../../src/quickbooks/pull/events.js';
import { signatureOf } from '../../src/quickbooks/pull/signature.js';
import { runCommand, tempDir } from '../helpers/backups.js';
import { type HttpSession, signInOverHttp } from '../helpers/http-session.js';
import { isPostgresRun } from '../helpers/pg.js';
import { connect, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';
import { freePort, serving, startServer } from '../helpers/server-process.js';
import { cloudEvent, VERIFIER } from '../helpers/webhooks.js';

const ADMIN = ['admin@example.com', 'correct horse battery staple'] as const;

interface Load {
  /** Display names of customers whose creation the server acknowledged (303), in order. */
  created: string[];
  /** QuickBooks ids whose webhook delivery the server acknowledged (200). */
  delivered: string[];
  stop(): Promise<void>;
}

/** Staff creating customers (each pushed to QuickBooks) and QuickBooks announcing its own, until stopped. */
function writeLoad(w: World, base: string, session: HttpSession): Load {
  const created: string[] = [];
  const delivered: string[] = [];
  let running = true;
  const creating = (async () => {
    for (let i = 0; running; i++) {
      const displayName = `Load Customer ${i}`;
      const res = await session.postForm('/admin/customers', { displayName }, '/admin/customers/new');
      if (res.status !== 303) throw new Error(`create answered ${res.status}`);
      created.push(displayName);
    }
  })();
  const announcing = (async () => {
    for (let i = 0; running; i++) {
      const made = await w.control('POST', `/companies/${REALM_A}/entities/Customer`, {
        DisplayName: `From QuickBooks ${i}`,
      });
      const body = JSON.stringify([cloudEvent(REALM_A, 'Customer', String(made.Id), 'created')]);
      const res = await fetch(`${base}/webhooks/quickbooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'intuit-signature': signatureOf(body, VERIFIER),
        },
        body,
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      delivered.push(String(made.Id));
    }
  })();
  return {
    created,
    delivered,
    async stop() {
      running = false;
      await Promise.all([creating, announcing]);
    },
  };
}

async function ids(db: Knex, table: string): Promise<number[]> {
  return (await db(table).select('id').orderBy('id')).map((r: { id: number }) => Number(r.id));
}

describe('backup under load, restore into a fresh directory', function () {
  this.timeout(180_000);
  let w: World | undefined;
  let child: ChildProcess | undefined;
  const opened: Knex[] = [];
  before(function () {
    if (isPostgresRun()) this.skip();
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    for (const db of opened) await db.destroy();
    await w?.close();
  });

  it('a consistent, complete snapshot while a real server writes; restore refuses while it runs; the restored copy serves', async () => {
    w = await startWorld();
    await connect(w);
    const live = w.t.config.databaseUrl;
    const backupDir = tempDir('backups');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = startServer(w, port, { BACKUP_DIR: backupDir });
    await serving(port);
    const session = await signInOverHttp(base, ...ADMIN);

    const load = writeLoad(w, base, session);
    while (load.created.length < 20 || load.delivered.length < 20)
      await new Promise((r) => setTimeout(r, 50));
    // Everything acknowledged before the command starts is committed, so it must be in the snapshot.
    const createdBefore = [...load.created];
    const deliveredBefore = [...load.delivered];
    const backup = await runCommand('src/cli/backup.ts', [], { DATABASE_URL: live, BACKUP_DIR: backupDir });
    const atBackupEnd = load.created.length;
    while (load.created.length < atBackupEnd + 10) await new Promise((r) => setTimeout(r, 50));
    expect(backup.code, backup.stderr).to.equal(0);
    const [file] = listBackups(backupDir);
    expect(backup.stdout).to.contain(`Backup written and verified: ${file.file}`);

    // Restore over the live database while its server runs: refused, nothing touched.
    const refused = await runCommand('src/cli/restore.ts', [file.file], { DATABASE_URL: live });
    expect(refused.code, refused.stdout).to.equal(75);
    expect(refused.stderr).to.match(/A Heavy AV server is using .*Stop it first/);
    const liveDir = path.dirname(sqliteFileOf(live));
    expect(readdirSync(liveDir).filter((f) => f.includes('before-restore'))).to.deep.equal([]);

    await load.stop();
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = undefined;
    expect(load.created.length, 'writes went on during the backup').to.be.above(createdBefore.length + 10);
    const pushed = (await w.control('GET', `/companies/${REALM_A}/entities/Customer`)) as {
      DisplayName: string;
    }[];
    expect(
      pushed.filter((c) => c.DisplayName.startsWith('Load Customer ')),
      'the server pushed',
    ).to.not.be.empty;

    const freshDir = tempDir('restored');
    const restoredUrl = `sqlite:${path.join(freshDir, 'heavy-av.sqlite3')}`;
    const restored = await runCommand('src/cli/restore.ts', [file.file], { DATABASE_URL: restoredUrl });
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.contain('There was no database there before.');
    expect(restored.stdout).to.contain('Migrations: up to date.');

    const target = sqliteFileOf(restoredUrl);
    expect(verifyDatabaseFile(target).counts.customers).to.be.at.least(createdBefore.length);
    const copy = createDb({ databaseUrl: restoredUrl });
    const source = createDb({ databaseUrl: live });
    opened.push(copy, source);
    const names = new Set((await copy('customers').select('display_name')).map((c: any) => c.display_name));
    expect(
      createdBefore.filter((n) => !names.has(n)),
      'acknowledged creations missing',
    ).to.deep.equal([]);
    // Acknowledged events are in the inbox, or in a delivery staged and not yet unpacked (decision 016).
    const stored = new Set([
      ...(await copy('webhook_inbox').select('entity_id')).map((r: any) => r.entity_id),
      ...(await copy('webhook_deliveries').select('body')).flatMap((r: any) =>
        parseDelivery(JSON.parse(r.body)).map((e) => e.entityId),
      ),
    ]);
    expect(
      deliveredBefore.filter((id) => !stored.has(id)),
      'acknowledged webhooks missing',
    ).to.deep.equal([]);
    // One writer assigns ids in commit order: a consistent snapshot holds exactly the ids up to some point.
    for (const table of ['customers', 'webhook_inbox', 'sync_runs', 'audit_log']) {
      const restoredIds = await ids(copy, table);
      const liveIds = await ids(source, table);
      const last = restoredIds.at(-1) ?? 0;
      expect(restoredIds, `${table}: a prefix of the live table`).to.deep.equal(
        liveIds.filter((id) => id <= last),
      );
    }
    expect((await ids(source, 'customers')).length, 'the live database went further').to.be.above(
      (await ids(copy, 'customers')).length,
    );
    expect(await copy('locks').select(), 'no lease of the old processes survives the restore').to.deep.equal(
      [],
    );

    const restoredPort = await freePort();
    child = startServer(w, restoredPort, { DATABASE_URL: restoredUrl, BACKUP_DIR: backupDir });
    await serving(restoredPort);
    const again = await signInOverHttp(`http://127.0.0.1:${restoredPort}`, ...ADMIN);
    const list = await again.get('/admin/customers?q=Load+Customer+0');
    expect(list.status).to.equal(200);
    expect(await list.text()).to.contain('Load Customer 0');
  });
});
