import { expect } from 'chai';
import request from 'supertest';
import { csrfToken } from '../helpers/app.js';
import {
  connect,
  consentAndGetCallback,
  REALM_A,
  REALM_B,
  REALM_EMPTY,
  startWorld,
  type World,
} from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';
import { type SlowNetwork, startSlowNetwork } from '../helpers/slow-network.js';
import { until } from '../helpers/until.js';

const REVOKE_PATH = '/v2/oauth2/tokens/revoke';

async function post(w: World, path: string, fields: Record<string, string> = {}) {
  const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
  return w.admin
    .post(path)
    .type('form')
    .send({ ...fields, _csrf });
}

describe('QuickBooks disconnect and reconnect', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  describe('GET /admin/settings/quickbooks/disconnect', () => {
    it('shows a confirm page (the no-JavaScript path) that changes nothing', async () => {
      await connect(w);
      const res = await w.admin.get('/admin/settings/quickbooks/disconnect');
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('Disconnect QuickBooks?');
      expect(res.text).to.contain('action="/admin/settings/quickbooks/disconnect"');
      expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
    });
  });

  describe('POST /admin/settings/quickbooks/disconnect', () => {
    it('revokes at Intuit, deletes the credentials, audits, and then nothing reaches Intuit for that company', async () => {
      await connect(w);
      await w.control('DELETE', '/ledger');
      const res = await post(w, '/admin/settings/quickbooks/disconnect');
      expect(res.status).to.equal(303);
      const ledger = await w.ledger();
      expect(ledger.map((e) => `${e.method} ${e.path} ${e.status}`)).to.deep.equal([
        `POST ${REVOKE_PATH} 200`,
      ]);
      expect(await w.control('GET', '/grants')).to.deep.equal([]);
      const row = await w.t.container.db('qbo_connections').where({ realm_id: REALM_A }).first();
      expect(row.status).to.equal('disconnected');
      expect(row.access_token_enc).to.equal(null);
      expect(row.refresh_token_enc).to.equal(null);
      const audit = await w.t.container.db('audit_log').where({ action: 'quickbooks.disconnected' });
      expect(audit).to.have.length(1);
      expect(audit[0].actor_email).to.equal('admin@example.com');
      expect(JSON.parse(audit[0].details)).to.deep.equal({ how: 'heavy-av', revoke: 'revoked' });

      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('QuickBooks is disconnected');
      expect(card.text).to.contain('Connect to QuickBooks');

      await w.control('DELETE', '/ledger');
      await post(w, '/admin/settings/quickbooks/sync');
      await w.t.container.quickbooks.client.companyInfo(REALM_A).catch(() => undefined);
      await w.t.container.quickbooks.tokens.keepAlive(REALM_A).catch(() => undefined);
      expect(await w.ledger()).to.deep.equal([]);
    });

    it('stops a bulk push that is running: nothing reaches Intuit for that company after the POST answers', async () => {
      await connect(w);
      await w.control('POST', '/config', { latencyMs: 150 });
      const customers: { id: number }[] = [];
      for (let i = 0; i < 10; i++) customers.push(await makeCustomer(w.t, `Bulk ${i + 1}`));
      // Twenty at a time: on PostgreSQL under load, 300 creates one after another took most of the test's
      // time budget (the setup, not what the test proves).
      for (let i = 0; i < 300; i += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, k) =>
            w.t.container.invoices.create({
              customerId: String(customers[(i + k) % 10].id),
              docNumber: `BULK-${i + k + 1}`,
              txnDate: '2026-11-20',
              closingDate: '',
              memo: '',
              lines: [{ description: 'Cable', quantity: '1', unitPrice: '5.00' }],
            }),
          ),
        );
      }
      const draining = w.t.container.sync.worker.drain();
      // Wait until the push is really under way.
      await until(async () => (await w.ledger()).some((e) => e.path.endsWith('/batch')), 20_000, 'a batch');
      await post(w, '/admin/settings/quickbooks/disconnect');
      const answeredAt = new Date().toISOString();
      await draining;
      await new Promise((r) => setTimeout(r, 400));
      const late = (await w.ledger()).filter(
        (e) => e.realmId === REALM_A && Date.parse(e.time) > Date.parse(answeredAt),
      );
      expect(late, JSON.stringify(late)).to.deep.equal([]);
      const pending = await w.t.container.db('qbo_outbox').where({ status: 'pending' });
      expect(pending.length, 'the rest waits for a reconnect to the same company').to.be.above(0);
      expect(pending.every((i: any) => i.claimed_by === null)).to.equal(true);
    });

    it('treats a 400 from revoke as "already revoked"', async () => {
      await connect(w);
      await w.control('POST', '/faults', {
        match: { method: 'POST', path: 'revoke' },
        times: 1,
        respond: { status: 400, empty: true },
      });
      await post(w, '/admin/settings/quickbooks/disconnect');
      const audit = await w.t.container.db('audit_log').where({ action: 'quickbooks.disconnected' }).first();
      expect(JSON.parse(audit.details).revoke).to.equal('already_revoked');
      expect((await w.admin.get('/admin/settings/quickbooks')).text).to.contain('QuickBooks is disconnected');
    });

    it('deletes the credentials even when Intuit cannot be reached, and tells the admin to finish at My Apps', async () => {
      await connect(w);
      await w.emulator.close();
      const res = await post(w, '/admin/settings/quickbooks/disconnect');
      expect(res.status).to.equal(303);
      const row = await w.t.container.db('qbo_connections').where({ realm_id: REALM_A }).first();
      expect(row.refresh_token_enc).to.equal(null);
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('My Apps');
      expect(card.text).to.contain('could not reach Intuit');
    });

    it('rejects a missing _csrf (403, still connected) and staff (403)', async () => {
      await connect(w);
      const res = await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({});
      expect(res.status).to.equal(403);
      expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
      for (const path of ['/admin/settings/quickbooks/sync', '/admin/settings/quickbooks/switch']) {
        expect((await w.admin.post(path).type('form').send({})).status, path).to.equal(403);
      }
    });
  });

  describe('GET /quickbooks/disconnect (Intuit’s Disconnect URL)', () => {
    it('after a disconnect on Intuit’s My Apps page, confirms with Intuit and clears the record', async () => {
      await connect(w);
      const myApps = await w.emu('/app/myapps/disconnect', {
        method: 'POST',
        body: new URLSearchParams({ realmId: REALM_A }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(myApps.status).to.be.oneOf([302, 303]);
      const landing = new URL(myApps.headers.get('location')!);
      expect(landing.pathname).to.equal('/quickbooks/disconnect');
      const res = await w.admin.get(`${landing.pathname}${landing.search}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('QuickBooks is disconnected');
      expect(res.text).to.contain('Reconnect QuickBooks');
      const row = await w.t.container.db('qbo_connections').where({ realm_id: REALM_A }).first();
      expect(row.status).to.equal('disconnected');
      expect(row.disconnect_reason).to.equal('intuit_my_apps');
      expect(row.refresh_token_enc).to.equal(null);
      const audit = await w.t.container.db('audit_log').where({ action: 'quickbooks.disconnected' });
      expect(audit).to.have.length(1);
      expect(audit[0].summary).to.contain('My Apps');
      // A disconnect the admin made on purpose is no alarm: no revocation banner.
      expect((await w.admin.get('/admin')).text).to.not.contain('was revoked at Intuit');
    });

    it('changes nothing for a forged link while the grant is alive', async () => {
      await connect(w);
      const res = await w.admin.get(`/quickbooks/disconnect?realmId=${REALM_A}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('still connected');
      expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
      expect(
        await w.t.container
          .db('audit_log')
          .whereIn('action', ['quickbooks.revocation_detected', 'quickbooks.disconnected']),
      ).to.have.length(0);
    });

    it('changes nothing when Intuit cannot confirm (outage)', async () => {
      await connect(w);
      await w.control('POST', '/faults', {
        match: { method: 'GET', path: 'companyinfo' },
        times: 1,
        respond: { status: 503, body: 'down' },
      });
      const res = await w.admin.get('/quickbooks/disconnect');
      expect(res.text).to.contain('could not confirm');
      expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
    });

    it('tells an anonymous visitor the same thing whether QuickBooks is connected or not', async () => {
      const anonymous = async () => {
        const res = await request(w.t.app).get(`/quickbooks/disconnect?realmId=${REALM_A}`);
        expect(res.status).to.equal(200);
        return /<main[\s\S]*<\/main>/.exec(res.text)![0];
      };
      const before = await anonymous();
      await connect(w);
      const connected = await anonymous();
      expect(connected).to.equal(before);
      expect(connected).to.not.match(/still connected|not connected|is disconnected|could not confirm/i);
      expect(connected).to.contain('Sign in');
      // The check with Intuit still ran: a live grant stays, nothing changed.
      expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
    });

    it('is rate limited', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await request(w.t.app).get('/quickbooks/disconnect')).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).to.equal(true);
      expect(statuses[11]).to.equal(429);
    });
  });

  describe('reconnect', () => {
    it('to the same company resumes without asking, and audits a reconnect', async () => {
      await connect(w);
      await post(w, '/admin/settings/quickbooks/disconnect');
      await connect(w);
      const active = await w.t.container.quickbooks.connections.active();
      expect(active?.realmId).to.equal(REALM_A);
      expect(await w.t.container.db('audit_log').where({ action: 'quickbooks.reconnected' })).to.have.length(
        1,
      );
      const info = await w.t.container.quickbooks.client.companyInfo(REALM_A);
      expect(info.CompanyName).to.equal('Heavy AV Demo Productions');
    });

    it('to another company asks for confirmation first; confirming archives the earlier company', async () => {
      await connect(w);
      await post(w, '/admin/settings/quickbooks/disconnect');
      await connect(w, { realmId: REALM_B });
      expect(await w.t.container.quickbooks.connections.active()).to.equal(undefined);
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('Switch to a different QuickBooks company?');
      expect(card.text).to.contain('Blue Stage Rentals Ltd');
      await post(w, '/admin/settings/quickbooks/switch', { confirm: 'yes' });
      const active = await w.t.container.quickbooks.connections.active();
      expect(active?.realmId).to.equal(REALM_B);
      const old = await w.t.container.quickbooks.connections.findByRealm(REALM_A);
      expect(old?.status).to.equal('archived');
      expect(
        await w.t.container.db('audit_log').where({ action: 'quickbooks.company_switched' }),
      ).to.have.length(1);
    });

    it('to another company, cancelled: nothing switches and the new grant is revoked at Intuit', async () => {
      await connect(w);
      await post(w, '/admin/settings/quickbooks/disconnect');
      await connect(w, { realmId: REALM_B });
      await post(w, '/admin/settings/quickbooks/switch', { confirm: 'no' });
      expect(await w.t.container.quickbooks.connections.active()).to.equal(undefined);
      expect(await w.t.container.quickbooks.connections.findByRealm(REALM_B)).to.equal(undefined);
      expect((await w.t.container.quickbooks.connections.findByRealm(REALM_A))?.status).to.equal(
        'disconnected',
      );
      expect(await w.control('GET', '/grants')).to.deep.equal([]);
    });

    it('a switch waiting for confirmation blocks every other connect, and the grant a late callback got is revoked', async () => {
      await connect(w);
      await post(w, '/admin/settings/quickbooks/disconnect');
      // A callback started before the switch exists, followed after.
      const late = await consentAndGetCallback(w, { realmId: REALM_EMPTY });
      await connect(w, { realmId: REALM_B });
      expect((await w.t.container.quickbooks.connections.pendingSwitch())?.realmId).to.equal(REALM_B);

      const again = await post(w, '/admin/settings/quickbooks/connect');
      expect(again.status).to.equal(409);
      expect(again.text).to.contain('waiting for your confirmation');
      await w.admin.get(late);
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('waiting for your confirmation');
      const all = await w.t.container.quickbooks.connections.all();
      expect(all.filter((c) => c.status === 'pending_switch').map((c) => c.realmId)).to.deep.equal([REALM_B]);
      expect(await w.t.container.quickbooks.connections.findByRealm(REALM_EMPTY)).to.equal(undefined);
      const grants: { realmId: string }[] = await w.control('GET', '/grants');
      expect(grants.map((g) => g.realmId)).to.deep.equal([REALM_B]);
    });

    it('a cancelled switch whose revoke fails says so, keeps the grant for a retry, and the retry revokes it', async () => {
      await connect(w);
      await post(w, '/admin/settings/quickbooks/disconnect');
      await connect(w, { realmId: REALM_B });
      await w.control('POST', '/faults', {
        match: { method: 'POST', path: 'tokens/revoke' },
        times: 1,
        respond: { status: 503, body: 'Service Unavailable' },
      });
      const res = await post(w, '/admin/settings/quickbooks/switch', { confirm: 'no' });
      expect(res.status).to.equal(303);
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('could not be reached to revoke');
      expect(card.text).to.not.contain('revoked the access it had just been given');
      expect(card.text).to.contain('Access not revoked yet');
      const grants: { realmId: string }[] = await w.control('GET', '/grants');
      expect(
        grants.map((g) => g.realmId),
        'still live at Intuit',
      ).to.deep.equal([REALM_B]);
      const audit = await w.t.container.db('audit_log').where({ action: 'quickbooks.switch_cancelled' });
      expect(audit[0].summary).to.contain('could not be reached');

      const revokes = w.t.container.quickbooks.revokes;
      expect(await revokes.retryDue(Date.now() + 61_000)).to.equal(1);
      expect(await w.control('GET', '/grants')).to.deep.equal([]);
      expect(await revokes.pending()).to.deep.equal([]);
      expect((await w.admin.get('/admin/settings/quickbooks')).text).to.not.contain('Access not revoked yet');
    });

    it('a disconnect whose instance died before the revoke is finished by the retries', async () => {
      await connect(w);
      const old = new Date(Date.now() - 5 * 60_000).toISOString();
      await w.t.container
        .db('qbo_connections')
        .where({ realm_id: REALM_A })
        .update({ status: 'disconnecting', updated_at: old });
      await w.t.container.quickbooks.revokes.retryDue();
      expect(await w.control('GET', '/grants')).to.deep.equal([]);
      const row = await w.t.container.quickbooks.connections.findByRealm(REALM_A);
      expect(row?.status).to.equal('disconnected');
      expect(row?.hasCredentials).to.equal(false);
    });

    it('confirming a switch revokes the grant an archived company still held', async () => {
      await connect(w);
      // An instance that died in the middle of a disconnect leaves the company "disconnecting", tokens held.
      await w.t.container
        .db('qbo_connections')
        .where({ realm_id: REALM_A })
        .update({ status: 'disconnecting' });
      await connect(w, { realmId: REALM_B });
      expect((await w.t.container.quickbooks.connections.pendingSwitch())?.realmId).to.equal(REALM_B);
      const before: { realmId: string }[] = await w.control('GET', '/grants');
      expect(before.map((g) => g.realmId).sort()).to.deep.equal([REALM_A, REALM_B]);
      const res = await post(w, '/admin/settings/quickbooks/switch', { confirm: 'yes' });
      expect(res.status).to.equal(303);
      const after: { realmId: string }[] = await w.control('GET', '/grants');
      expect(
        after.map((g) => g.realmId),
        'the archived company’s grant is revoked',
      ).to.deep.equal([REALM_B]);
      const archived = await w.t.container.quickbooks.connections.findByRealm(REALM_A);
      expect(archived?.status).to.equal('archived');
      expect(archived?.hasCredentials).to.equal(false);
    });

    it('refuses Connect while a company is connected', async () => {
      await connect(w);
      const res = await post(w, '/admin/settings/quickbooks/connect');
      expect(res.status).to.equal(409);
      expect(res.text).to.contain('already connected');
    });
  });
});

describe('QuickBooks disconnect with a call already on its way to Intuit (slow network to the API host)', () => {
  const DELAY_MS = 200;
  let w: World;
  let net: SlowNetwork;
  beforeEach(async () => {
    net = await startSlowNetwork(DELAY_MS);
    w = await startWorld({
      quickbooks: {
        emulator: { browserUrl: net.url, serverUrl: net.url },
        timeoutMs: 4000,
        closeGraceMs: 1000,
      },
    });
    net.target.port = w.emulator.port;
  });
  afterEach(async () => {
    await w.close();
    await net.close();
  });

  it('waits for its answer before revoking: it reaches Intuit before the revoke, not after the POST answered', async () => {
    await connect(w);
    await w.control('DELETE', '/ledger');
    const sent = net.nextApiRequest();
    const call = w.t.container.quickbooks.client.companyInfo(REALM_A).then(
      () => 'ok',
      (e) => e.code,
    );
    // It has left Heavy AV: aborting it now cannot stop it from reaching Intuit.
    await sent;
    const res = await post(w, '/admin/settings/quickbooks/disconnect');
    expect(res.status).to.equal(303);
    const answeredAt = new Date().toISOString();
    const outcome = await call;
    await new Promise((r) => setTimeout(r, DELAY_MS + 200));
    const ledger = await w.ledger();
    const late = ledger.filter((e) => e.realmId === REALM_A && Date.parse(e.time) > Date.parse(answeredAt));
    expect(late, JSON.stringify(late)).to.deep.equal([]);
    expect(ledger.map((e) => `${e.method} ${e.path} ${e.status}`)).to.deep.equal([
      `GET /v3/company/${REALM_A}/companyinfo/${REALM_A} 200`,
      `POST ${REVOKE_PATH} 200`,
    ]);
    expect(outcome, 'a call answered before the revoke keeps its answer').to.equal('ok');
    expect(await w.control('GET', '/grants')).to.deep.equal([]);
  });

  it('waits only briefly: a call Intuit is slow to answer is aborted after the grace period', async () => {
    await connect(w);
    await w.control('POST', '/config', { latencyMs: 5000 });
    const sent = net.nextApiRequest();
    const call = w.t.container.quickbooks.client.companyInfo(REALM_A).then(
      () => 'ok',
      (e) => e.code,
    );
    await sent;
    const started = Date.now();
    const res = await post(w, '/admin/settings/quickbooks/disconnect');
    expect(res.status).to.equal(303);
    expect(Date.now() - started).to.be.below(3000);
    expect(await call).to.equal('quickbooks_not_connected');
    const row = await w.t.container.db('qbo_connections').where({ realm_id: REALM_A }).first();
    expect(row.refresh_token_enc).to.equal(null);
    expect(await w.control('GET', '/grants')).to.deep.equal([]);
  });
});

describe('GET /quickbooks/disconnect behind TRUST_PROXY=1', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ env: { TRUST_PROXY: '1' } });
  });
  afterEach(async () => w.close());

  it('gives each forwarded client its own budget, but a forged X-Forwarded-For no fresh budget past the peer’s', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const res = await request(w.t.app)
        .get('/quickbooks/disconnect')
        .set('X-Forwarded-For', `203.0.113.${i + 1}`);
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200)).to.have.length(30);
    expect(statuses.slice(30)).to.deep.equal([429, 429, 429, 429, 429]);
  });

  it('still limits one forwarded client to its own budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (await request(w.t.app).get('/quickbooks/disconnect').set('X-Forwarded-For', '198.51.100.9')).status,
      );
    expect(statuses.slice(0, 10).every((s) => s === 200)).to.equal(true);
    expect(statuses[10]).to.equal(429);
  });
});

describe('QuickBooks disconnect with calls in flight', () => {
  let w: World;
  beforeEach(async () => {
    // The client's own timeout past the emulator's hold, so that only the disconnect can end the calls;
    // the sent ones are aborted once the close grace is over.
    w = await startWorld({ quickbooks: { timeoutMs: 60_000, closeGraceMs: 300 } });
  });
  afterEach(async () => w.close());

  it('aborts calls in flight: nothing for that company reaches Intuit after the POST has answered', async () => {
    // Calls that Intuit holds until the disconnect ends them: 10 sent (Intuit's concurrency) and 5 waiting
    // in the limiter behind them, whatever the machine's load (with a short latency they could all be
    // answered before the POST got its turn, leaving nothing in flight to stop).
    await connect(w);
    await w.control('POST', '/config', { latencyMs: 60_000 });
    const client = w.t.container.quickbooks.client;
    const running = Array.from({ length: 15 }, () =>
      client.companyInfo(REALM_A).then(
        () => 'ok',
        (e) => e.code,
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    await post(w, '/admin/settings/quickbooks/disconnect');
    const answeredAt = new Date().toISOString();
    const outcomes = await Promise.all(running);
    expect(outcomes).to.include('quickbooks_not_connected');
    await new Promise((r) => setTimeout(r, 400));
    const late = (await w.ledger()).filter(
      (e) => e.realmId === REALM_A && Date.parse(e.time) > Date.parse(answeredAt),
    );
    expect(late, JSON.stringify(late)).to.deep.equal([]);
  });
});
