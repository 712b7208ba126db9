import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';
import { QuickBooksRevokedError, QuickBooksUnavailableError } from '../../src/quickbooks/intuit/errors.js';
import { csrfFrom, signIn, startTestApp, type TestApp, testConfig } from '../helpers/app.js';
import { connect, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';

const TOKEN_PATH = '/oauth2/v1/tokens/bearer';

async function refreshCount(w: World): Promise<number> {
  return (await w.ledger()).filter((e) => e.path === TOKEN_PATH && e.method === 'POST').length;
}

async function expireAccessToken(w: World): Promise<void> {
  await w.t.container
    .db('qbo_connections')
    .update({ access_expires_at: new Date(Date.now() - 1000).toISOString() });
}

describe('QuickBooks tokens', () => {
  let w: World;
  afterEach(async () => w?.close());

  describe('refresh single flight', () => {
    it('20 concurrent API calls with a 2-second access token cause exactly one refresh', async () => {
      w = await startWorld({
        emulatorConfig: { accessTokenTtlSeconds: 2 },
        quickbooks: { refreshMarginMs: 200 },
      });
      await connect(w);
      await new Promise((r) => setTimeout(r, 2100));
      await w.control('DELETE', '/ledger');
      const client = w.t.container.quickbooks.client;
      const results = await Promise.all(Array.from({ length: 20 }, () => client.companyInfo(REALM_A)));
      expect(results.every((r) => r.CompanyName === 'Heavy AV Demo Productions')).to.equal(true);
      expect(await refreshCount(w)).to.equal(1);
      const api = (await w.ledger()).filter((e) => e.path.includes('/companyinfo/'));
      expect(api).to.have.length(20);
      expect(api.every((e) => e.status === 200)).to.equal(true);
    });

    it('two app instances on the same database also refresh once', async () => {
      w = await startWorld({
        emulatorConfig: { accessTokenTtlSeconds: 2 },
        quickbooks: { refreshMarginMs: 200 },
      });
      await connect(w);
      const config = testConfig(w.t.database.url, { INTUIT_EMULATOR_URL: w.emulator.url });
      const second = await createContainer(config, createLogger('silent'), {
        quickbooks: { timeoutMs: 1500, refreshMarginMs: 200 },
      });
      try {
        await new Promise((r) => setTimeout(r, 2100));
        await w.control('DELETE', '/ledger');
        const a = w.t.container.quickbooks.client;
        const b = second.quickbooks.client;
        const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).companyInfo(REALM_A));
        const results = await Promise.all(calls);
        expect(results).to.have.length(20);
        expect(await refreshCount(w)).to.equal(1);
      } finally {
        await second.close();
      }
    });

    it('commits the rotated refresh token before use: with the old one killed at once, a restart still works', async () => {
      w = await startWorld({ emulatorConfig: { refreshGraceSeconds: 0 } });
      await connect(w);
      const before = await w.t.container.quickbooks.connections.credentials(REALM_A);
      await w.t.container.quickbooks.tokens.refresh(REALM_A, { force: true });
      // The "crash": the process goes away with nothing but what it committed.
      await w.t.container.close();
      const config = testConfig(w.t.database.url, { INTUIT_EMULATOR_URL: w.emulator.url });
      const restarted = await createContainer(config, createLogger('silent'), {
        quickbooks: { timeoutMs: 1500 },
      });
      try {
        const after = await restarted.quickbooks.connections.credentials(REALM_A);
        expect(after!.refreshToken).to.not.equal(before!.refreshToken);
        await restarted
          .db('qbo_connections')
          .update({ access_expires_at: new Date(Date.now() - 1000).toISOString() });
        const info = await restarted.quickbooks.client.companyInfo(REALM_A);
        expect(info.CompanyName).to.equal('Heavy AV Demo Productions');
        expect(await restarted.quickbooks.connections.active()).to.not.equal(undefined);
        // And the superseded one really is dead at Intuit: using it would have failed.
        await restarted
          .db('qbo_connections')
          .update({ access_expires_at: new Date(Date.now() - 1000).toISOString() });
      } finally {
        await restarted.close();
        w.t.close = async () => w.t.database.drop();
      }
    });
  });

  describe('outages are never revocations', () => {
    const faults: [string, Record<string, unknown>][] = [
      ['500', { status: 500, body: 'Internal Server Error' }],
      ['503', { status: 503, body: 'Service Unavailable' }],
      ['a delay past the timeout', { delayMs: 2500 }],
      ['a dropped connection', { drop: true }],
      ['429', { status: 429, body: '{"error":"throttled"}' }],
      ['an empty 400', { status: 400, empty: true }],
      ['a malformed 200', { status: 200, malformed: true }],
      // SPEC: only a 400 invalid_grant means revoked; a 5xx whose body says so is still an outage.
      ['a 500 whose body says invalid_grant', { status: 500, body: '{"error":"invalid_grant"}' }],
      ['a 502 whose body says invalid_grant', { status: 502, body: '{"error":"invalid_grant"}' }],
      ['a 503 whose body says invalid_grant', { status: 503, body: '{"error":"invalid_grant"}' }],
    ];
    for (const [name, respond] of faults) {
      it(`keeps the connection through ${name} on the token call and on the API call, and works afterwards`, async () => {
        w = await startWorld();
        await connect(w);
        const qb = w.t.container.quickbooks;
        await expireAccessToken(w);
        await w.control('POST', '/faults', {
          match: { method: 'POST', path: 'tokens/bearer' },
          times: 1,
          respond,
        });
        let error: unknown;
        try {
          await qb.client.companyInfo(REALM_A);
        } catch (err) {
          error = err;
        }
        expect(error, 'the token call failed').to.be.instanceOf(Error);
        expect(error).to.not.be.instanceOf(QuickBooksRevokedError);
        expect(await qb.connections.active(), 'still connected after the token fault').to.not.equal(
          undefined,
        );

        // Twice: a read whose connection drops is retried once (a stale kept-alive socket looks the same).
        await w.control('POST', '/faults', {
          match: { method: 'GET', path: 'companyinfo' },
          times: 'drop' in respond ? 2 : 1,
          respond,
        });
        error = undefined;
        try {
          await qb.client.companyInfo(REALM_A);
        } catch (err) {
          error = err;
        }
        if (!('status' in respond && respond.status === 400)) expect(error).to.be.instanceOf(Error);
        expect(error).to.not.be.instanceOf(QuickBooksRevokedError);
        expect(await qb.connections.active(), 'still connected after the API fault').to.not.equal(undefined);
        expect(
          await w.t.container.db('audit_log').where({ action: 'quickbooks.revocation_detected' }),
        ).to.have.length(0);

        const info = await qb.client.companyInfo(REALM_A);
        expect(info.CompanyName).to.equal('Heavy AV Demo Productions');
      });
    }

    it('reports an unreachable Intuit as unavailable', async () => {
      w = await startWorld();
      await connect(w);
      await w.emulator.close();
      await expireAccessToken(w);
      let error: unknown;
      try {
        await w.t.container.quickbooks.client.companyInfo(REALM_A);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(QuickBooksUnavailableError);
      expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
    });
  });

  describe('revocation detection', () => {
    it('after a silent revoke: one refresh attempt, credentials cleared, audit, banner, and no later request', async () => {
      w = await startWorld();
      await connect(w);
      await w.control('POST', `/companies/${REALM_A}/revoke`);
      await w.control('DELETE', '/ledger');
      const qb = w.t.container.quickbooks;
      let error: unknown;
      try {
        await qb.client.companyInfo(REALM_A);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(QuickBooksRevokedError);
      const ledger = await w.ledger();
      expect(ledger.map((e) => `${e.method} ${e.path} ${e.status}`)).to.deep.equal([
        `GET /v3/company/${REALM_A}/companyinfo/${REALM_A} 401`,
        `POST ${TOKEN_PATH} 400`,
      ]);
      const row = await w.t.container.db('qbo_connections').where({ realm_id: REALM_A }).first();
      expect(row.status).to.equal('revoked');
      expect(row.access_token_enc).to.equal(null);
      expect(row.refresh_token_enc).to.equal(null);
      const audit = await w.t.container.db('audit_log').where({ action: 'quickbooks.revocation_detected' });
      expect(audit).to.have.length(1);
      expect(audit[0].intuit_tid).to.be.a('string').and.not.equal('');

      const page = await w.admin.get('/admin');
      expect(page.text).to.contain('was revoked at Intuit');
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('Access revoked');
      expect(card.text).to.contain('Connect to QuickBooks');

      await w.control('DELETE', '/ledger');
      for (let i = 0; i < 3; i++) {
        await qb.client.companyInfo(REALM_A).catch(() => undefined);
      }
      const _csrf = csrfFrom(card.text);
      await w.admin.post('/admin/settings/quickbooks/sync').type('form').send({ _csrf });
      expect(await w.ledger()).to.deep.equal([]);
    });
  });

  describe('keep-alive', () => {
    it('refreshes a refresh token older than 30 days, and leaves a younger one alone', async () => {
      w = await startWorld();
      await connect(w);
      const keepAlive = w.t.container.quickbooks.keepAlive;
      await w.control('DELETE', '/ledger');
      await w.t.container
        .db('qbo_connections')
        .update({ refresh_token_issued_at: new Date(Date.now() - 86_400_000).toISOString() });
      expect(await keepAlive.runOnce()).to.equal(false);
      expect(await refreshCount(w)).to.equal(0);

      await w.t.container
        .db('qbo_connections')
        .update({ refresh_token_issued_at: new Date(Date.now() - 31 * 86_400_000).toISOString() });
      expect(await keepAlive.runOnce()).to.equal(true);
      expect(await refreshCount(w)).to.equal(1);
      const row = await w.t.container.db('qbo_connections').first();
      expect(Date.now() - new Date(row.refresh_token_issued_at).getTime()).to.be.below(60_000);
      // Young again: a second instance's check (or the next hour's) does nothing.
      expect(await keepAlive.runOnce()).to.equal(false);
      expect(await refreshCount(w)).to.equal(1);
    });

    it('survives an outage without clearing anything, and does nothing while disconnected', async () => {
      w = await startWorld();
      await connect(w);
      await w.t.container
        .db('qbo_connections')
        .update({ refresh_token_issued_at: new Date(Date.now() - 40 * 86_400_000).toISOString() });
      await w.control('POST', '/faults', {
        match: { method: 'POST', path: 'tokens/bearer' },
        times: 1,
        respond: { status: 503, body: 'down' },
      });
      expect(await w.t.container.quickbooks.keepAlive.runOnce()).to.equal(false);
      expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
      await w.t.container.quickbooks.connection.disconnect.disconnect({ id: 1, email: 'admin@example.com' });
      await w.control('DELETE', '/ledger');
      expect(await w.t.container.quickbooks.keepAlive.runOnce()).to.equal(false);
      expect(await w.ledger()).to.deep.equal([]);
    });
  });
});

describe('QuickBooks tokens sealed with a key this instance does not have', () => {
  let w: World | undefined;
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await w?.close();
    w = undefined;
  });

  it('are named at start-up and on the card; Sync now and the landing answer without a 500; an admin can forget the connection', async () => {
    w = await startWorld();
    await connect(w);
    // A restart with a new TOKEN_ENCRYPTION_KEY and no previous keys, on the same database.
    const logs: string[] = [];
    t = await startTestApp({
      database: w.t.database,
      env: { INTUIT_EMULATOR_URL: w.emulator.url, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      logs,
    });
    const named = logs.map((l) => JSON.parse(l)).find((l) => l.level === 50 && l.realmId === REALM_A);
    expect(named?.msg, 'a start-up error line').to.contain('TOKEN_ENCRYPTION_KEY');
    expect(named.msg).to.contain('TOKEN_ENCRYPTION_PREVIOUS_KEYS');

    const admin = await signIn(t);
    const card = await admin.get('/admin/settings/quickbooks');
    expect(card.status).to.equal(200);
    expect(card.text).to.contain('cannot decrypt its stored QuickBooks tokens');
    expect(card.text).to.contain('Forget this connection');

    const sync = await admin
      .post('/admin/settings/quickbooks/sync')
      .type('form')
      .send({ _csrf: csrfFrom(card.text) });
    expect(sync.status).to.equal(303);
    expect((await admin.get('/admin/settings/quickbooks')).text).to.contain('Check TOKEN_ENCRYPTION_KEY');
    expect((await admin.get('/quickbooks/disconnect')).status, 'the Disconnect landing').to.equal(200);

    const forget = await admin
      .post('/admin/settings/quickbooks/disconnect')
      .type('form')
      .send({ _csrf: csrfFrom(card.text) });
    expect(forget.status).to.equal(303);
    const after = await admin.get('/admin/settings/quickbooks');
    expect(after.text).to.contain('My Apps');
    expect(after.text).to.contain('Connect to QuickBooks');
    const row = await t.container.quickbooks.connections.findByRealm(REALM_A);
    expect(row?.status).to.equal('disconnected');
    expect(row?.hasCredentials).to.equal(false);
  });
});
