/**
 * Durability of the import (decision 012): a real server process importing a large company is killed with
 * SIGKILL mid-import, another one is started, and the import ends with every customer exactly once, linked,
 * and counts that add up to the company (no page counted or written twice).
 */
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import request from 'supertest';
import { createDb } from '../../src/db/index.js';
import { csrfFrom, csrfToken } from '../helpers/app.js';
import { connect, REALM_EMPTY, startWorld, type World } from '../helpers/quickbooks.js';
import { freePort, serving, startServer } from '../helpers/server-process.js';
import { until } from '../helpers/until.js';

const CUSTOMERS = 3500;

/** Customers created "inside QuickBooks" through the emulator's control API, a few at a time. */
async function seedCustomers(w: World, n: number): Promise<void> {
  for (let i = 0; i < n; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, (_, k) =>
        w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
          DisplayName: `Crash Import ${String(i + k + 1).padStart(5, '0')}`,
          CompanyName: `Crash Events ${i + k + 1}`,
        }),
      ),
    );
  }
}

/**
 * The daily CDC sweep has just run. Without a watermark the sweep starts from the connection time less five
 * minutes of skew, which covers customers seeded a moment before connecting: under load it brought some of
 * them in before the import's first page (found by the job's counts: 1,000 "already linked"), and what the
 * import did could no longer be told from what the sweep did.
 */
async function sweptJustNow(w: World): Promise<void> {
  const now = new Date().toISOString();
  await w.t.container
    .db('qbo_cdc_watermarks')
    .insert({ realm_id: REALM_EMPTY, changed_since: now, last_run_at: now });
}

describe('QuickBooks import survives a crash', function () {
  this.timeout(180_000);
  let w: World;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await w?.close();
  });

  it('SIGKILL mid-import, restart: every customer exactly once, linked, and complete counts', async () => {
    w = await startWorld();
    await seedCustomers(w, CUSTOMERS);
    await sweptJustNow(w);
    await connect(w, { realmId: REALM_EMPTY });
    // Slow reads: a page takes long enough for the kill to land between two of them (or inside one).
    await w.control('POST', '/config', { latencyMs: 400 });
    const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    const res = await w.admin
      .post('/admin/settings/quickbooks/import')
      .type('form')
      .send({ _csrf, customers: 'on' });
    expect(res.status).to.equal(303);
    // The test's own app steps aside (its runner stops, the import stays unfinished in the database).
    await w.t.container.close();
    const db = createDb({ databaseUrl: w.t.config.databaseUrl });
    const job = async () => db('qbo_imports').orderBy('id', 'desc').first();
    try {
      const handedOver = Number((await job()).position);
      child = startServer(w, await freePort());
      // At least one page committed by the server, and the import not over: kill it.
      await until(async () => Number((await job()).position) > handedOver, 60_000, 'a page committed');
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      const killed = await job();
      expect(killed.status, 'killed mid-import').to.equal('running');
      expect(Number(killed.position)).to.be.below(CUSTOMERS);

      const port = await freePort();
      child = startServer(w, port);
      await serving(port);
      const done = await until(
        async () => {
          const row = await job();
          return row.status !== 'running' ? row : undefined;
        },
        120_000,
        'the import to finish after the restart',
      );
      expect(done.status, done.error).to.equal('finished');
      expect(Number(done.imported)).to.equal(CUSTOMERS);
      expect(Number(done.linked) + Number(done.skipped)).to.equal(0);

      const names = (await db('customers').select('display_name')).map(
        (r: { display_name: string }) => r.display_name,
      );
      expect(names.length).to.equal(CUSTOMERS);
      expect(new Set(names).size).to.equal(CUSTOMERS);
      const links = await db('qbo_links')
        .where({ record_type: 'customer', realm_id: REALM_EMPTY })
        .select('qbo_id');
      expect(new Set(links.map((l: { qbo_id: string }) => l.qbo_id)).size).to.equal(CUSTOMERS);
      const events = Number(
        (await db('sync_events').where({ operation: 'import' }).count({ n: '*' }).first())?.n,
      );
      expect(events, 'one history entry per customer').to.equal(CUSTOMERS);
      const writes = (await w.ledger()).filter((e) => e.path.startsWith('/v3/') && e.method !== 'GET');
      expect(writes).to.deep.equal([]);
    } finally {
      await db.destroy();
    }
  });

  it('a disconnect made through another server process stops the import on the one running it', async () => {
    w = await startWorld();
    await seedCustomers(w, CUSTOMERS);
    await sweptJustNow(w);
    await w.t.container.close();
    const world = w;
    const db = createDb({ databaseUrl: w.t.config.databaseUrl });
    const servers: ChildProcess[] = [];
    const signedIn = async () => {
      const port = await freePort();
      const proc = startServer(world, port, { APP_BASE_URL: 'http://localhost:3000' });
      servers.push(proc);
      await serving(port);
      const agent = request.agent(`http://127.0.0.1:${port}`);
      const login = await agent.get('/admin/login');
      await agent
        .post('/admin/login')
        .type('form')
        .send({
          email: 'admin@example.com',
          password: 'correct horse battery staple',
          _csrf: csrfFrom(login.text),
        });
      return agent;
    };
    const post = async (agent: request.Agent, path: string, fields: Record<string, string> = {}) => {
      const card = await agent.get('/admin/settings/quickbooks');
      return agent
        .post(path)
        .type('form')
        .send({ _csrf: csrfFrom(card.text), ...fields });
    };
    try {
      const a = await signedIn();
      const b = await signedIn();
      expect((await connect(world, { agent: a, realmId: REALM_EMPTY })).status).to.equal(303);
      await world.control('POST', '/config', { latencyMs: 400 });
      expect((await post(a, '/admin/settings/quickbooks/import', { customers: 'on' })).status).to.equal(303);
      const job = async () => db('qbo_imports').orderBy('id', 'desc').first();
      await until(async () => Number((await job())?.position) > 1, 60_000, 'a page committed');
      // From here Intuit holds every read until the disconnect ends it: on a loaded machine a 400 ms
      // latency let the whole import finish before the disconnect got its turn.
      await world.control('POST', '/config', { latencyMs: 60_000 });

      const off = await post(b, '/admin/settings/quickbooks/disconnect');
      expect(off.status).to.equal(303);
      const answeredAt = Date.now();
      const stopped = await until(async () => {
        const row = await job();
        return row.status !== 'running' ? row : undefined;
      }, 10_000);
      expect(stopped.status).to.equal('stopped');
      await new Promise((r) => setTimeout(r, 2000));
      const late = (await world.ledger()).filter(
        (e) => e.path.startsWith('/v3/') && Date.parse(e.time) > answeredAt,
      );
      expect(late, 'no call after the disconnect answered').to.deep.equal([]);
      // What committed is whole: every customer brought in is linked, once, and the counts say so.
      const final = await job();
      const customers = Number((await db('customers').count({ n: '*' }).first())?.n);
      // The job's row in the message: these counts are what tell the import's work from another writer's.
      const counts = JSON.stringify({ ...final, customers });
      expect(customers, counts).to.equal(Number(final.imported));
      expect(customers, counts).to.equal(Number(final.position) - 1);
      expect(customers).to.be.below(CUSTOMERS);
    } finally {
      for (const proc of servers) proc.kill('SIGKILL');
      await db.destroy();
    }
  });
});
