import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { api, connect, control, REALM_B, REALM_EMPTY, refresh, start } from './helpers.js';

describe('emulator control API: injected faults and the ledger', () => {
  let emu: RunningEmulator;
  let token: string;
  beforeEach(async () => {
    emu = await start();
    token = (await connect(emu)).access_token;
    await control(emu, 'DELETE', '/ledger');
  });
  afterEach(async () => {
    await emu.close();
  });

  const info = () => api(emu, token, `/companyinfo/${REALM_EMPTY}`);

  it('a status fault hits exactly the next N matching requests, then the real answer returns', async () => {
    const added = await control(emu, 'POST', '/faults', {
      match: { method: 'GET', path: '/companyinfo/' },
      times: 2,
      respond: { status: 503, body: '{"error":"unavailable"}' },
    });
    expect(added.status).to.equal(201);
    const other = await api(emu, token, '/customer/1'); // not matching: untouched (610 from the real API)
    expect(other.status).to.equal(400);
    const first = await info();
    const second = await info();
    const third = await info();
    expect([first.status, second.status, third.status]).to.deep.equal([503, 503, 200]);
    expect(await first.text()).to.equal('{"error":"unavailable"}');
    expect(first.headers.get('intuit_tid')).to.be.a('string');
    const ledger = (await control(emu, 'GET', '/ledger')).body;
    expect(ledger.map((e: any) => e.status)).to.deep.equal([400, 503, 503, 200]);
  });

  it('empty, malformed, delayed and dropped answers, each recorded in the ledger with the status sent', async () => {
    const fault = (respond: object) =>
      control(emu, 'POST', '/faults', { match: { path: 'companyinfo' }, times: 1, respond });
    await fault({ status: 400, empty: true });
    const empty = await info();
    expect(empty.status).to.equal(400);
    expect(await empty.text()).to.equal('');

    await fault({ status: 200, malformed: true });
    const malformed = await info();
    expect(malformed.status).to.equal(200);
    const text = await malformed.text();
    expect(() => JSON.parse(text)).to.throw();

    await fault({ delayMs: 150 });
    const started = Date.now();
    const delayed = await info();
    expect(Date.now() - started).to.be.at.least(140);
    expect(delayed.status).to.equal(200);
    expect((await delayed.json()).CompanyInfo.CompanyName).to.equal('Empty Test Co');

    await fault({ drop: true });
    let dropped: unknown;
    try {
      await info();
    } catch (err) {
      dropped = err;
    }
    expect(dropped, 'the connection should have been closed').to.be.instanceOf(Error);
    expect((await info()).status).to.equal(200);

    const ledger = (await control(emu, 'GET', '/ledger')).body;
    expect(ledger.map((e: any) => e.status)).to.deep.equal([400, 200, 200, 0, 200]);
    for (const entry of ledger) {
      expect(entry).to.include({
        method: 'GET',
        path: `/v3/company/${REALM_EMPTY}/companyinfo/${REALM_EMPTY}`,
        realmId: REALM_EMPTY,
      });
      expect(Object.keys(entry).sort()).to.deep.equal([
        'method',
        'path',
        'realmId',
        'requestid',
        'status',
        'time',
      ]);
    }
  });

  it('faults also hit the OAuth surfaces; the ledger records OAuth requests and requestids without query strings', async () => {
    const tokens = await connect(emu, REALM_B);
    await control(emu, 'POST', '/faults', {
      match: { method: 'POST', path: '^/oauth2/v1/tokens/bearer$' },
      times: 1,
      respond: { status: 502 },
    });
    expect((await refresh(emu, tokens.refresh_token)).status).to.equal(502);
    expect((await refresh(emu, tokens.refresh_token)).status).to.equal(200);
    await api(emu, token, '/customer?requestid=req-1&minorversion=75', {
      method: 'POST',
      body: JSON.stringify({ DisplayName: 'L' }),
    });
    const ledger = (await control(emu, 'GET', '/ledger')).body;
    const refreshes = ledger.filter((e: any) => e.path === '/oauth2/v1/tokens/bearer');
    expect(refreshes.map((e: any) => e.status).slice(-2)).to.deep.equal([502, 200]);
    const last = ledger.at(-1);
    expect(last).to.include({
      method: 'POST',
      path: `/v3/company/${REALM_EMPTY}/customer`,
      status: 200,
      requestid: 'req-1',
    });
    expect(ledger.some((e: any) => e.path.startsWith('/__emulator'))).to.equal(false);
    await control(emu, 'DELETE', '/ledger');
    expect((await control(emu, 'GET', '/ledger')).body).to.deep.equal([]);
  });

  it('DELETE /faults clears pending faults; bad fault specs are refused', async () => {
    await control(emu, 'POST', '/faults', { match: { path: '.' }, times: 5, respond: { status: 500 } });
    await control(emu, 'DELETE', '/faults');
    expect((await info()).status).to.equal(200);
    expect((await control(emu, 'POST', '/faults', { match: {}, respond: {} })).status).to.equal(400);
  });

  it('silently revokes a company: the next API call gets 401 and the refresh invalid_grant', async () => {
    const tokens = await connect(emu, REALM_B);
    expect((await control(emu, 'POST', `/companies/${REALM_B}/revoke`)).body).to.deep.equal({ revoked: 1 });
    expect(
      (await api(emu, tokens.access_token, `/companyinfo/${REALM_B}`, { realmId: REALM_B })).status,
    ).to.equal(401);
    const res = await refresh(emu, tokens.refresh_token);
    expect(res.status).to.equal(400);
    expect((await res.json()).error).to.equal('invalid_grant');
    expect((await info()).status).to.equal(200); // the other company is untouched
  });

  it('edits "inside QuickBooks" bump SyncToken and LastUpdatedTime; config merges partial JSON', async () => {
    const created = (
      await control(emu, 'POST', `/companies/${REALM_EMPTY}/entities/Customer`, { DisplayName: 'QBO side' })
    ).body;
    expect(created.SyncToken).to.equal('0');
    // MetaData times have whole seconds: let a few Intuit seconds pass quickly.
    await control(emu, 'POST', '/config', { timeScale: 200 });
    await new Promise((r) => setTimeout(r, 20));
    const changed = (
      await control(emu, 'POST', `/companies/${REALM_EMPTY}/entities/Customer/${created.Id}`, { Notes: 'n' })
    ).body;
    expect(changed.SyncToken).to.equal('1');
    expect(Date.parse(changed.MetaData.LastUpdatedTime)).to.be.greaterThan(
      Date.parse(created.MetaData.LastUpdatedTime),
    );
    const list = (await control(emu, 'GET', `/companies/${REALM_EMPTY}/entities/customer`)).body;
    expect(list.map((c: any) => c.Notes)).to.deep.equal(['n']);

    const config = (
      await control(emu, 'POST', '/config', { limits: { concurrent: 3 }, webhooks: { format: 'classic' } })
    ).body;
    expect(config.limits).to.deep.equal({ perMinute: 500, concurrent: 3, batchPerMinute: 120 });
    expect(config.webhooks.format).to.equal('classic');
    expect((await control(emu, 'POST', '/config', { timeScale: 'fast' })).status).to.equal(400);
  });
});
