import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import request from 'supertest';
import { sqliteFileOf } from '../../src/db/index.js';
import { createUser, csrfToken, signIn } from '../helpers/app.js';
import { isPostgresRun } from '../helpers/pg.js';
import { connect, consentAndGetCallback, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';

describe('QuickBooks connect', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  describe('GET /admin/settings/quickbooks', () => {
    it('offers "Connect to QuickBooks" while not connected, and says it is the local emulator', async () => {
      const res = await w.admin.get('/admin/settings/quickbooks');
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('Connect to QuickBooks');
      expect(res.text).to.not.contain('>Disconnect<');
      expect(res.text).to.contain('local QuickBooks emulator — not Intuit');
      expect(res.text).to.contain("The emulator's keys are public development defaults");
      expect(res.text).to.contain('href="/help/quickbooks/disconnect"');
      expect(res.text).to.contain('href="/privacy/quickbooks"');
    });
  });

  describe('POST /admin/settings/quickbooks/connect → consent → GET …/callback', () => {
    it('connects: the card shows the company, realm, who and when, and Disconnect instead of Connect', async () => {
      const res = await connect(w);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/admin/settings/quickbooks');
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('Heavy AV Demo Productions');
      expect(card.text).to.contain(REALM_A);
      expect(card.text).to.contain('admin@example.com');
      expect(card.text).to.contain('Disconnect');
      expect(card.text).to.not.contain('action="/admin/settings/quickbooks/connect"');
      expect(card.text).to.not.contain('Connect to QuickBooks');
      expect(card.text).to.contain('Refresh token');
      expect(card.text).to.contain('5-year limit');
      const audit = await w.t.container.db('audit_log').where({ action: 'quickbooks.connected' });
      expect(audit).to.have.length(1);
      expect(audit[0].actor_email).to.equal('admin@example.com');
    });

    it('stores the tokens encrypted: the raw tokens appear nowhere in the database file or the logs', async () => {
      const logs: string[] = [];
      await w.close();
      w = await startWorld({ logs });
      await connect(w);
      await w.t.container.quickbooks.client.companyInfo(REALM_A);
      const grants = await w.control('GET', '/ledger');
      expect(grants.some((e: any) => e.path === '/oauth2/v1/tokens/bearer' && e.status === 200)).to.equal(
        true,
      );
      const creds = await w.t.container.quickbooks.connections.credentials(REALM_A);
      expect(creds?.accessToken).to.be.a('string').with.length.above(10);
      const row = await w.t.container.db('qbo_connections').where({ realm_id: REALM_A }).first();
      expect(row.access_token_enc).to.match(/^v1\./);
      expect(row.access_token_enc).to.not.contain(creds!.accessToken);
      expect(row.refresh_token_enc).to.not.contain(creds!.refreshToken);
      if (!isPostgresRun()) {
        await w.t.container.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
        const bytes = readFileSync(sqliteFileOf(w.t.config.databaseUrl)).toString('latin1');
        expect(bytes).to.not.contain(creds!.accessToken);
        expect(bytes).to.not.contain(creds!.refreshToken);
      }
      expect(logs.length, `the logger was used: ${logs.join('')}`).to.be.above(3);
      const all = logs.join('\n');
      expect(all).to.not.contain(creds!.accessToken);
      expect(all).to.not.contain(creds!.refreshToken);
    });

    it('ends on the card with a plain message and stores nothing when the admin cancels at Intuit', async () => {
      const res = await connect(w, { decision: 'cancel' });
      expect(res.status).to.equal(303);
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('You chose not to connect');
      expect(await w.t.container.db('qbo_connections').count({ n: '*' }).first()).to.satisfy(
        (r: any) => Number(r.n) === 0,
      );
    });

    it('refuses a replayed callback (state is single use) and stores nothing new', async () => {
      const callback = await consentAndGetCallback(w);
      await w.admin.get(callback);
      const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
      await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({ _csrf });
      const replay = await w.admin.get(callback);
      expect(replay.status).to.equal(303);
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('was not valid for this session');
      expect(card.text).to.contain('Connect to QuickBooks');
      expect(await w.t.container.quickbooks.connections.active()).to.equal(undefined);
    });

    it('refuses a forged state, and a state from another admin session', async () => {
      const callback = await consentAndGetCallback(w);
      const forged = callback.replace(/state=[^&]+/, 'state=forged-state-value');
      await w.admin.get(forged);
      expect(await w.t.container.quickbooks.connections.active()).to.equal(undefined);
      await createUser(w.t, 'other@example.com', 'another admin password', 'admin');
      const other = await signIn(w.t, 'other@example.com', 'another admin password');
      const res = await other.get(callback);
      expect(res.status).to.equal(303);
      expect((await other.get('/admin/settings/quickbooks')).text).to.contain(
        'was not valid for this session',
      );
      expect(await w.t.container.quickbooks.connections.active()).to.equal(undefined);
    });

    it('refuses an expired state (older than 10 minutes)', async () => {
      const callback = await consentAndGetCallback(w);
      await w.t.container
        .db('qbo_oauth_states')
        .update({ expires_at: new Date(Date.now() - 1000).toISOString() });
      await w.admin.get(callback);
      expect(await w.t.container.quickbooks.connections.active()).to.equal(undefined);
      expect((await w.admin.get('/admin/settings/quickbooks')).text).to.contain(
        'was not valid for this session',
      );
    });

    it('stores nothing when the code exchange fails at Intuit', async () => {
      const callback = await consentAndGetCallback(w);
      await w.control('POST', '/faults', {
        match: { method: 'POST', path: 'tokens/bearer' },
        times: 1,
        respond: { status: 503, body: 'down' },
      });
      await w.admin.get(callback);
      expect(await w.t.container.db('qbo_connections').count({ n: '*' }).first()).to.satisfy(
        (r: any) => Number(r.n) === 0,
      );
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('Intuit did not complete the connection');
      expect(card.text).to.not.match(/at \S+\.ts:\d+/);
    });

    it('rejects connect without _csrf (403) and for staff (403)', async () => {
      const noCsrf = await w.admin.post('/admin/settings/quickbooks/connect').type('form').send({});
      expect(noCsrf.status).to.equal(403);
      await createUser(w.t, 'staff@example.com', 'staff password 1234', 'staff');
      const staff = await signIn(w.t, 'staff@example.com', 'staff password 1234');
      const _csrf = await csrfToken(staff, '/admin');
      const res = await staff.post('/admin/settings/quickbooks/connect').type('form').send({ _csrf });
      expect(res.status).to.equal(403);
      expect(
        (await request(w.t.app).get('/admin/settings/quickbooks/callback?code=x&state=y')).status,
      ).to.equal(303);
    });
  });
});
