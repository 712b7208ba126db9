/**
 * Two Heavy AV instances on one database (SQLite file, or PostgreSQL with DATABASE_URL=postgres://…) and
 * one Intuit: two containers in this process, and a real server process where dying matters. Whatever
 * must happen once (a token refresh, a push, a daily sweep) happens once; whatever one instance holds when
 * it dies goes to the other; a session made on one is good on the other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { expect } from 'chai';
import type { Response } from 'supertest';
import request from 'supertest';
import { type Container, createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';
import { CDC_ENTITIES } from '../../src/quickbooks/pull/cdc-sweep.js';
import type { OutboxRepository } from '../../src/quickbooks/push/outbox-repository.js';
import { csrfFrom, TEST_SECRETS, testConfig } from '../helpers/app.js';
import { connect, REALM_A, REALM_EMPTY, startWorld, type World } from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';
import { until } from '../helpers/until.js';

const TOKEN_PATH = '/oauth2/v1/tokens/bearer';
const LEASE_SECONDS = 2;
const QUICKBOOKS = { timeoutMs: 3000, throttleBackoffMs: 200, refreshMarginMs: 200 };
// Two instances together can exceed Intuit's 10 concurrent requests (each limiter counts only its own):
// the 429s that follow are retried after a short back-off here instead of the production half minute.
const SYNC = { retryDelayMs: () => 100, pollMs: 100 };

/** The first instance is the world's app; this starts the second on the same database and emulator. */
async function secondInstance(w: World): Promise<Container> {
  const config = testConfig(w.t.database.url, {
    INTUIT_EMULATOR_URL: w.emulator.url,
    SYNC_LEASE_SECONDS: String(LEASE_SECONDS),
  });
  return createContainer(config, createLogger('silent'), { quickbooks: QUICKBOOKS, sync: SYNC });
}

async function twoInstances(emulatorConfig: Record<string, unknown> = {}) {
  const w = await startWorld({
    emulatorConfig,
    quickbooks: QUICKBOOKS,
    sync: SYNC,
    env: { SYNC_LEASE_SECONDS: String(LEASE_SECONDS) },
  });
  return { w, a: w.t.container, b: await secondInstance(w) };
}

async function count(c: Container, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const row = await c.db(table).where(where).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Queues pushes the way staff make them: records written through the services while connected. */
async function seedRecords(c: Container, customers: number, invoices: number, prefix: string) {
  for (let i = 0; i < customers; i++)
    await makeCustomer({ container: c } as never, `${prefix} Customer ${i + 1}`);
  const made = await c.db('customers').where('display_name', 'like', `${prefix} Customer %`).orderBy('id');
  for (let i = 0; i < invoices; i++) {
    await c.invoices.create({
      customerId: String(made[i % made.length].id),
      docNumber: `${prefix}-${i + 1}`,
      txnDate: '2026-11-20',
      closingDate: '',
      memo: '',
      lines: [{ description: 'Line array', quantity: '2', unitPrice: '150.00' }],
    });
  }
}

/** Counts, per outbox item, how many claims handed it out (through this instance's repository). */
function countClaims(outbox: OutboxRepository, counts: Map<number, number>): () => number {
  const claim = outbox.claim.bind(outbox);
  let items = 0;
  outbox.claim = async (...args) => {
    const result = await claim(...args);
    for (const item of result.items) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
    items += result.items.length;
    return result;
  };
  return () => items;
}

async function expectInQuickBooksOnce(
  w: World,
  c: Container,
  prefix: string,
  customers: number,
  invoices: number,
) {
  const qboInvoices: any[] = await w.control('GET', `/companies/${REALM_EMPTY}/entities/Invoice`);
  const numbers = qboInvoices.map((i) => i.DocNumber).filter((n: string) => n.startsWith(`${prefix}-`));
  expect(numbers, 'invoices in QuickBooks').to.have.length(invoices);
  expect(new Set(numbers).size, 'distinct DocNumbers').to.equal(invoices);
  const qboCustomers: any[] = await w.control('GET', `/companies/${REALM_EMPTY}/entities/Customer`);
  const names = qboCustomers.map((x) => x.DisplayName).filter((n: string) => n.startsWith(`${prefix} `));
  expect(names, 'customers in QuickBooks').to.have.length(customers);
  expect(new Set(names).size).to.equal(customers);
  expect(
    await count(c, 'qbo_links', { realm_id: REALM_EMPTY, state: 'linked', record_type: 'invoice' }),
  ).to.equal(invoices);
  expect(
    await count(c, 'qbo_links', { realm_id: REALM_EMPTY, state: 'linked', record_type: 'customer' }),
  ).to.equal(customers);
  expect(await count(c, 'qbo_outbox', { status: 'pending' }), 'nothing left queued').to.equal(0);
  expect(await count(c, 'qbo_outbox', { status: 'failed' }), 'nothing failed').to.equal(0);
}

function sessionCookie(res: Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const sid = cookies.find((c) => c.startsWith('heavyav.sid='));
  if (!sid) throw new Error(`no session cookie in the answer (${res.status})`);
  return sid.split(';')[0];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('several instances on one database', function () {
  this.timeout(120_000);
  let w: World | undefined;
  let b: Container | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    await b?.close();
    b = undefined;
    await w?.close();
    w = undefined;
  });

  it('20 concurrent API calls spread over both instances with a 2-second access token cause one refresh', async () => {
    let a: Container;
    ({ w, a, b } = await twoInstances({ accessTokenTtlSeconds: 2 }));
    await connect(w);
    await new Promise((r) => setTimeout(r, 2100));
    await w.control('DELETE', '/ledger');
    const clients = [a.quickbooks.client, b.quickbooks.client];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => clients[i % 2].companyInfo(REALM_A)),
    );
    expect(results.every((r) => r.CompanyName === 'Heavy AV Demo Productions')).to.equal(true);
    const ledger = await w.ledger();
    expect(ledger.filter((e) => e.path === TOKEN_PATH && e.method === 'POST')).to.have.length(1);
    const api = ledger.filter((e) => e.path.includes('/companyinfo/'));
    expect(api.map((e) => e.status)).to.deep.equal(Array(20).fill(200));
  });

  it('1,000 queued pushes drained by both instances at once reach QuickBooks exactly once each', async () => {
    let a: Container;
    ({ w, a, b } = await twoInstances());
    // Bulk pushes of new invoices need a blank slate: the empty company.
    await connect(w, { realmId: REALM_EMPTY });
    await seedRecords(a, 100, 900, 'MI');
    expect(await count(a, 'qbo_outbox', { status: 'pending' })).to.equal(1000);

    const claims = new Map<number, number>();
    const byA = countClaims(a.sync.outbox, claims);
    const byB = countClaims(b.sync.outbox, claims);
    const deadline = Date.now() + 90_000;
    // A drain ends when nothing is due; items backing off after a 429 are due again shortly after.
    while ((await count(a, 'qbo_outbox', { status: 'pending' })) > 0) {
      if (Date.now() > deadline) throw new Error('the queue did not drain');
      await Promise.all([a.sync.worker.drain(), b.sync.worker.drain()]);
      await new Promise((r) => setTimeout(r, 50));
    }

    expect(byA(), 'instance A pushed some').to.be.above(0);
    expect(byB(), 'instance B pushed some').to.be.above(0);
    // An item never sent back for a retry was handed out by exactly one claim of exactly one instance.
    const untouched = await a.db('qbo_outbox').where({ attempts: 0 }).pluck('id');
    expect(untouched.length).to.be.above(0);
    const twice = untouched.filter((id: number | string) => claims.get(Number(id)) !== 1);
    expect(twice, 'items claimed more than once').to.deep.equal([]);
    await expectInQuickBooksOnce(w, a, 'MI', 100, 900);
  });

  it('work claimed by an instance that never finishes goes to the other when its lease runs out', async () => {
    let a: Container;
    ({ w, a, b } = await twoInstances());
    // Bulk pushes of new invoices need a blank slate: the empty company.
    await connect(w, { realmId: REALM_EMPTY });
    await seedRecords(a, 5, 0, 'LZ');
    await b.sync.worker.drain();
    await seedRecords(a, 0, 60, 'LZ');
    // a.sync.worker.drain() would claim like this and then push; this instance "dies" in between.
    const held = await a.sync.outbox.claim(REALM_EMPTY, a.quickbooks.locks.owner, 30, LEASE_SECONDS * 1000);
    const claimedAt = Date.now();
    expect(held.items).to.have.length(30);

    await b.sync.worker.drain();
    const stillHeld = await b.db('qbo_outbox').whereIn(
      'id',
      held.items.map((i) => i.id),
    );
    expect(stillHeld.every((r: any) => r.status === 'pending' && r.claimed_by === held.token)).to.equal(true);
    expect(await count(b, 'qbo_outbox', { status: 'pending' })).to.equal(30);

    b.sync.worker.start();
    await until(async () => (await count(b!, 'qbo_outbox', { status: 'pending' })) === 0, 15_000, 'drained');
    const took = Date.now() - claimedAt;
    expect(took, 'not taken before the lease ran out').to.be.at.least(LEASE_SECONDS * 1000 - 100);
    expect(took, 'taken over within lease + 3 s').to.be.below(LEASE_SECONDS * 1000 + 3000);
    await expectInQuickBooksOnce(w, a, 'LZ', 5, 60);
  });

  it('an import page slower than the lease stays with the instance running it (the lease is renewed meanwhile)', async () => {
    let a: Container;
    ({ w, a, b } = await twoInstances());
    await connect(w, { realmId: REALM_A });
    const queries = async () =>
      (await w!.ledger()).filter((e) => e.method === 'GET' && e.path === `/v3/company/${REALM_A}/query`)
        .length;
    const before = await queries();
    // The count and the page each take longer than the whole lease (2 s), within the client's 3 s timeout.
    await w.control('POST', '/faults', {
      match: { method: 'GET', path: `^/v3/company/${REALM_A}/query$` },
      times: 2,
      respond: { delayMs: 2500 },
    });
    const admin = w.admin;
    const page = await admin.get('/admin/settings/quickbooks');
    const res = await admin
      .post('/admin/settings/quickbooks/import')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), customers: 'on', documentsSince: '' });
    expect(res.status).to.equal(303);
    // The other instance looks for an import nobody runs, again and again while the slow page is read.
    const lookUntil = Date.now() + 5500;
    while (Date.now() < lookUntil) {
      await b.imports.check();
      const lease = await b
        .db('locks')
        .where({ name: `qbo-import:${REALM_A}` })
        .first();
      if (lease) expect(lease.owner, 'the other instance never takes it').to.equal(a.quickbooks.locks.owner);
      await new Promise((r) => setTimeout(r, 300));
    }
    const done = await until(
      async () => {
        const row = await a.db('qbo_imports').orderBy('id', 'desc').first();
        return row && row.status !== 'running' ? row : undefined;
      },
      30_000,
      'the import to end',
    );
    expect(done.status, done.error).to.equal('finished');
    expect(Number(done.imported)).to.equal(31);
    // The count and one page: no page read twice.
    expect((await queries()) - before).to.equal(2);
  });

  it('a server process SIGKILLed in the middle of a push gives its work to the other instance within lease + margin', async () => {
    let a: Container;
    ({ w, a, b } = await twoInstances({ latencyMs: 300 }));
    // Bulk pushes of new invoices need a blank slate: the empty company.
    await connect(w, { realmId: REALM_EMPTY });
    // More invoices than the child's lanes take in one round, so it always holds some when killed.
    await seedRecords(a, 10, 600, 'KL');
    const world = w;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: String(await freePort()),
        DATABASE_URL: w.t.config.databaseUrl,
        INTUIT_EMULATOR_URL: w.emulator.url,
        SYNC_LEASE_SECONDS: String(LEASE_SECONDS),
        ...TEST_SECRETS,
      },
      stdio: 'ignore',
    });
    const mine = `${child.pid}-%`;
    const heldByChild = async () =>
      Number(
        (
          await a
            .db('qbo_outbox')
            .where({ status: 'pending', record_type: 'invoice' })
            .where('claimed_by', 'like', mine)
            .count<{ n: number | string }[]>({ n: '*' })
            .first()
        )?.n ?? 0,
      );
    // Killed once it has pushed something and holds invoices it has not finished (its lanes hold invoices
    // back to back from then on; while customers go first, they wait unheld).
    await until(
      async () =>
        (await world.ledger()).some((e) => e.path.endsWith('/batch') && e.status === 200) &&
        (await heldByChild()) > 0,
      60_000,
      'the child to push and hold work',
    );
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const killedAt = Date.now();
    expect(await heldByChild(), 'work held by the dead process').to.be.above(0);
    await w.control('POST', '/config', { latencyMs: 0 });

    b.sync.worker.start();
    await until(async () => (await count(b!, 'qbo_outbox', { status: 'pending' })) === 0, 30_000, 'drained');
    expect(Date.now() - killedAt, 'finished within lease + 5 s').to.be.below(LEASE_SECONDS * 1000 + 5000);
    await expectInQuickBooksOnce(w, a, 'KL', 10, 600);
  });

  it('a session signed in through one instance is valid on the other, and a sign-out on either ends it', async () => {
    ({ w, b } = await twoInstances());
    const appA = w.t.app;
    const appB = b.app;
    const login = await request(appA).get('/admin/login');
    const signedIn = await request(appA)
      .post('/admin/login')
      .set('Cookie', sessionCookie(login))
      .type('form')
      .send({
        email: 'admin@example.com',
        password: 'correct horse battery staple',
        _csrf: csrfFrom(login.text),
      });
    expect(signedIn.status).to.equal(303);
    const cookie = sessionCookie(signedIn);

    const anonymous = await request(appB).get('/admin/settings/quickbooks');
    expect(anonymous.status, 'B without the cookie').to.be.oneOf([302, 303]);
    const card = await request(appB).get('/admin/settings/quickbooks').set('Cookie', cookie);
    expect(card.status, 'B with the cookie from A').to.equal(200);
    expect(card.text).to.contain('Connect to QuickBooks');

    // The CSRF secret lives in the session too: a form rendered by B posts fine to A.
    const out = await request(appA)
      .post('/admin/logout')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfFrom(card.text) });
    expect(out.status).to.equal(303);
    const after = await request(appB).get('/admin/settings/quickbooks').set('Cookie', cookie);
    expect(after.status, 'B after sign-out on A').to.be.oneOf([302, 303]);
    expect(after.headers.location).to.match(/\/admin\/login/);
  });

  it('the daily CDC sweep runs once per period across instances', async () => {
    let a: Container;
    ({ w, a, b } = await twoInstances());
    await connect(w);
    await w.control('DELETE', '/ledger');
    // One sweep asks once per entity (one page each here) and records one run.
    const sweeps = async () => {
      const calls = (await w!.ledger()).filter((e) => e.path.endsWith('/cdc')).length;
      const runs = await count(a, 'sync_runs', { kind: 'cdc' });
      expect(calls).to.equal(runs * CDC_ENTITIES.length);
      return runs;
    };

    const first = await Promise.all([a.inbound.cdc.runIfDue(), b.inbound.cdc.runIfDue()]);
    expect(first.filter(Boolean), 'one instance swept').to.have.length(1);
    expect(await sweeps()).to.equal(1);

    const again = await Promise.all([a.inbound.cdc.runIfDue(), b.inbound.cdc.runIfDue()]);
    expect(again.filter(Boolean), 'not due again within the period').to.have.length(0);
    expect(await sweeps()).to.equal(1);

    // A day later (the last run moved back a day): due again, and again swept by one instance only.
    const dayAgo = new Date(Date.now() - 86_400_000 - 1000).toISOString();
    await a.db('qbo_cdc_watermarks').where({ realm_id: REALM_A }).update({ last_run_at: dayAgo });
    const next = await Promise.all([a.inbound.cdc.runIfDue(), b.inbound.cdc.runIfDue()]);
    expect(next.filter(Boolean)).to.have.length(1);
    expect(await sweeps()).to.equal(2);
  });

  it('the keep-alive refresh of an old refresh token runs once across instances', async () => {
    let a: Container;
    ({ w, a, b } = await twoInstances());
    await connect(w);
    const monthAgo = new Date(Date.now() - 31 * 86_400_000).toISOString();
    await a.db('qbo_connections').where({ realm_id: REALM_A }).update({ refresh_token_issued_at: monthAgo });
    await w.control('DELETE', '/ledger');
    const refreshes = async () =>
      (await w!.ledger()).filter((e) => e.path === TOKEN_PATH && e.method === 'POST').length;

    const ran = await Promise.all([a.quickbooks.keepAlive.runOnce(), b.quickbooks.keepAlive.runOnce()]);
    expect(ran.filter(Boolean), 'one instance refreshed').to.have.length(1);
    expect(await refreshes()).to.equal(1);

    const again = await Promise.all([a.quickbooks.keepAlive.runOnce(), b.quickbooks.keepAlive.runOnce()]);
    expect(again.filter(Boolean), 'the token is young again for both').to.have.length(0);
    expect(await refreshes()).to.equal(1);
  });
});
