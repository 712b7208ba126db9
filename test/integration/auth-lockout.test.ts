/**
 * Sign-in budgets (issue 17, points 1 and 2): counted in the database before the password is hashed,
 * the same for known and unknown emails, per account and per client address.
 */
import { expect } from 'chai';
import request from 'supertest';
import { createUser, startTestApp, type TestApp } from '../helpers/app.js';

const RIGHT = 'correct horse battery staple';

/** One client (an address, forwarded by the trusted proxy) that keeps a session and its CSRF token. */
async function client(t: TestApp, address = '198.51.100.10') {
  const agent = request.agent(t.app);
  const res = await agent.get('/admin/login').set('X-Forwarded-For', address);
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)![1];
  return (email: string, password: string) =>
    agent.post('/admin/login').set('X-Forwarded-For', address).type('form').send({ email, password, _csrf });
}

describe('POST /admin/login: failed attempts', () => {
  let t: TestApp;
  beforeEach(async () => {
    // TRUST_PROXY: the tests play several client addresses through X-Forwarded-For.
    t = await startTestApp({ env: { TRUST_PROXY: 'loopback' } });
    await createUser(t);
  });
  afterEach(async () => t.close());

  it('refuses the right password after a burst of 30 parallel wrong ones', async () => {
    const login = await client(t);
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login('admin@example.com', `wrong password ${i}`)),
    );
    expect(burst.filter((r) => r.status === 401)).to.have.length(4);
    expect(burst.filter((r) => r.status === 429)).to.have.length(26);
    const right = await login('admin@example.com', RIGHT);
    expect(right.status).to.equal(429);
    expect(right.headers['retry-after']).to.match(/^\d+$/);
    expect(right.text).to.contain('Too many failed sign-in attempts');
  });

  it('answers an unknown email exactly as a known one, attempt by attempt', async () => {
    const known = await client(t, '198.51.100.11');
    const unknown = await client(t, '198.51.100.12');
    for (let i = 1; i <= 6; i++) {
      const a = await known('admin@example.com', `wrong password ${i}`);
      const b = await unknown('nobody@example.com', `wrong password ${i}`);
      expect([a.status, b.status], `attempt ${i}`).to.deep.equal(i < 5 ? [401, 401] : [429, 429]);
      const message = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
      expect(message(b.text)).to.equal(message(a.text));
    }
  });

  it('takes about as long for an unknown email as for a known one, before and during the wait', async () => {
    const known = await client(t, '198.51.100.13');
    const unknown = await client(t, '198.51.100.14');
    const timed = async (send: () => Promise<unknown>) => {
      const start = performance.now();
      await send();
      return performance.now() - start;
    };
    const hashing = { known: [] as number[], unknown: [] as number[] };
    const waiting = { known: 0, unknown: 0 };
    // Interleaved, so that load on the machine falls on both alike.
    for (let i = 1; i <= 12; i++) {
      const k = await timed(() => known('admin@example.com', `wrong password ${i}`));
      const u = await timed(() => unknown('nobody@example.com', `wrong password ${i}`));
      if (i <= 4) {
        hashing.known.push(k);
        hashing.unknown.push(u);
      } else if (i >= 6) {
        waiting.known += k;
        waiting.unknown += u;
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const hash = median(hashing.known);
    // Both paths hash a password: neither is several times faster than the other.
    expect(median(hashing.unknown)).to.be.within(hash / 3, hash * 3);
    // While waiting neither hashes: the gap is far below the 7 hashes one of them would otherwise cost.
    expect(Math.abs(waiting.unknown - waiting.known)).to.be.below(hash * 1.5);
  });

  it('lets the admin in from their own address while a stranger is locked out of the same account', async () => {
    const stranger = await client(t, '203.0.113.66');
    for (let i = 0; i < 8; i++) await stranger('admin@example.com', `guess ${i} xxxxxxxx`);
    expect((await stranger('admin@example.com', RIGHT)).status).to.equal(429);
    const admin = await client(t, '198.51.100.20');
    const res = await admin('admin@example.com', RIGHT);
    expect(res.status).to.equal(303);
  });

  it('waits longer after each failure past the budget (exponential delay, not a wall)', async () => {
    const login = await client(t);
    for (let i = 0; i < 5; i++) await login('admin@example.com', `wrong password ${i}`);
    const pair = () => t.container.db('login_attempts').where('key', 'like', 'pair:%').first();
    const waited = async () => {
      const row = await pair();
      return Math.round((Date.parse(row.blocked_until) - Date.now()) / 60_000);
    };
    expect(await waited()).to.equal(1);
    // The wait passes: the next wrong password is let through, and doubles the wait.
    await t.container.db('login_attempts').update({ blocked_until: new Date(Date.now() - 1).toISOString() });
    const sixth = await login('admin@example.com', 'wrong password 6');
    expect(sixth.status).to.equal(429);
    expect(sixth.text).to.contain('Wait 2 minutes');
    expect(await waited()).to.equal(2);
    await t.container.db('login_attempts').update({ blocked_until: new Date(Date.now() - 1).toISOString() });
    await login('admin@example.com', 'wrong password 7');
    expect(await waited()).to.equal(4);
    // Refused attempts are not counted: they cannot push the wait further.
    for (let i = 0; i < 5; i++) await login('admin@example.com', 'refused while waiting');
    expect(Number((await pair()).failures)).to.equal(7);
  });

  it('gives each client address a budget across accounts, so spraying many emails is stopped', async () => {
    const sprayer = await client(t, '203.0.113.7');
    const answers: number[] = [];
    for (let i = 1; i <= 31; i++)
      answers.push((await sprayer(`person${i}@example.com`, 'password123456')).status);
    expect(answers.slice(0, 29).every((s) => s === 401)).to.equal(true);
    expect(answers.slice(29)).to.deep.equal([429, 429]);
    // The account itself is not locked for anyone else.
    const other = await client(t, '198.51.100.30');
    expect((await other('person31@example.com', 'password123456')).status).to.equal(401);
  });

  it('keeps the counts in the database, where every instance reads them', async () => {
    const login = await client(t);
    await login('admin@example.com', 'wrong password 1');
    const second = await startTestApp({ database: t.database, env: { TRUST_PROXY: 'loopback' } });
    try {
      const rows = await second.container.db('login_attempts').select('key', 'failures');
      expect(rows.map((r) => r.key.split(':')[0]).sort()).to.deep.equal(['account', 'client', 'pair']);
      expect(rows.every((r) => Number(r.failures) === 1)).to.equal(true);
      expect(JSON.stringify(rows)).to.not.contain('admin@example.com');
    } finally {
      await second.container.close();
    }
  });

  it('signs in and refunds the attempt charged in advance to the client', async () => {
    const login = await client(t);
    await login('admin@example.com', 'wrong password 1');
    expect((await login('admin@example.com', RIGHT)).status).to.equal(303);
    const clientRow = await t.container.db('login_attempts').where('key', 'like', 'client:%').first();
    expect(Number(clientRow.failures)).to.equal(1);
  });
});
