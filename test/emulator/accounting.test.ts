import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { api, connect, control, REALM_A, REALM_EMPTY, start } from './helpers.js';

describe('emulator Accounting API: validation faults, query, delete and void', () => {
  let emu: RunningEmulator;
  let token: string;
  beforeEach(async () => {
    emu = await start();
    token = (await connect(emu)).access_token;
  });
  afterEach(async () => {
    await emu.close();
  });

  const post = (path: string, body: unknown) =>
    api(emu, token, path, { method: 'POST', body: JSON.stringify(body) });
  const fault = async (res: Response) => {
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-type')).to.equal('application/json');
    const body = await res.json();
    expect(body.Fault.type).to.equal('ValidationFault');
    return body.Fault.Error[0] as { code: string; Message: string; Detail: string };
  };
  const line = (amount: number) => ({
    Amount: amount,
    DetailType: 'SalesItemLineDetail',
    SalesItemLineDetail: { ItemRef: { value: '1' } },
  });

  it('refuses missing required fields (2020), duplicate names (6240), unknown references and ids', async () => {
    expect((await fault(await post('/customer', { Notes: 'no name' }))).code).to.equal('2020');
    const ok = await post('/customer', { DisplayName: 'Dup' });
    expect(ok.headers.get('content-type')).to.equal('application/json;charset=utf-8');
    const customer = (await ok.json()).Customer;
    expect((await fault(await post('/customer', { DisplayName: 'dup' }))).code).to.equal('6240');
    expect((await fault(await post('/invoice', { Line: [line(1)] }))).code).to.equal('2020');
    expect((await fault(await post('/invoice', { CustomerRef: { value: customer.Id } }))).code).to.equal(
      '2020',
    );
    const badRef = await fault(await post('/invoice', { CustomerRef: { value: '999' }, Line: [line(1)] }));
    expect(badRef.code).to.equal('2500');
    expect(badRef.Message).to.equal('Invalid Reference Id');
    expect((await fault(await api(emu, token, '/invoice/424242'))).code).to.equal('610');
  });

  it('assigns DocNumbers, refuses a duplicate DocNumber per entity type (6140) but not across types', async () => {
    const customer = (await (await post('/customer', { DisplayName: 'Docs' })).json()).Customer;
    const first = (
      await (await post('/invoice', { CustomerRef: { value: customer.Id }, Line: [line(1)] })).json()
    ).Invoice;
    expect(first.DocNumber).to.match(/^\d+$/);
    const dup = await fault(
      await post('/invoice', {
        CustomerRef: { value: customer.Id },
        DocNumber: first.DocNumber,
        Line: [line(1)],
      }),
    );
    expect(dup.code).to.equal('6140');
    expect(dup.Message).to.equal('Duplicate Document Number Error');
    const estimate = await post('/estimate', {
      CustomerRef: { value: customer.Id },
      DocNumber: first.DocNumber,
      Line: [line(1)],
    });
    expect(estimate.status).to.equal(200);
    expect((await estimate.json()).Estimate.TxnStatus).to.equal('Pending');
  });

  it('voids and deletes invoices like QBO (amounts zeroed; deleted answer); an estimate cannot be voided', async () => {
    const customer = (await (await post('/customer', { DisplayName: 'Voider' })).json()).Customer;
    const inv = (
      await (await post('/invoice', { CustomerRef: { value: customer.Id }, Line: [line(80)] })).json()
    ).Invoice;
    const voided = (
      await (await post('/invoice?operation=void', { Id: inv.Id, SyncToken: inv.SyncToken })).json()
    ).Invoice;
    expect(voided).to.include({ TotalAmt: 0, Balance: 0, PrivateNote: 'Voided', SyncToken: '1' });
    const deleted = await (await post('/invoice?operation=delete', { Id: inv.Id, SyncToken: '1' })).json();
    expect(deleted.Invoice).to.deep.equal({ domain: 'QBO', status: 'Deleted', Id: inv.Id });
    expect((await fault(await api(emu, token, `/invoice/${inv.Id}`))).code).to.equal('610');
    const est = (
      await (await post('/estimate', { CustomerRef: { value: customer.Id }, Line: [line(5)] })).json()
    ).Estimate;
    expect(
      (await fault(await post('/estimate?operation=void', { Id: est.Id, SyncToken: '0' }))).code,
    ).to.equal('500');
  });

  it('queries with where/in/orderby/paging, count(*), escaped quotes; past the end is an empty QueryResponse', async () => {
    for (const name of ["Amp'd Audio", 'Bass Bins', 'Cable Co'])
      await post('/customer', { DisplayName: name });
    const q = async (query: string, method: 'GET' | 'POST' = 'GET') => {
      const res =
        method === 'GET'
          ? await api(emu, token, `/query?query=${encodeURIComponent(query)}&minorversion=75`)
          : await api(emu, token, '/query', {
              method: 'POST',
              body: query,
              headers: { 'content-type': 'application/text' },
            });
      return { status: res.status, body: await res.json() };
    };
    const escaped = await q("SELECT * FROM Customer WHERE DisplayName = 'Amp\\'d Audio'");
    expect(escaped.body.QueryResponse.Customer.map((c: any) => c.DisplayName)).to.deep.equal(["Amp'd Audio"]);
    const page = await q(
      'select * from Customer orderby DisplayName desc startposition 2 maxresults 1',
      'POST',
    );
    expect(page.body.QueryResponse).to.include({ startPosition: 2, maxResults: 1 });
    expect(page.body.QueryResponse.Customer[0].DisplayName).to.equal('Bass Bins');
    const inList = await q(
      "select * from Customer where Id in ('1', '3') and MetaData.LastUpdatedTime > '2000-01-01T00:00:00-07:00'",
    );
    expect(inList.body.QueryResponse.Customer.map((c: any) => c.Id)).to.deep.equal(['1', '3']);
    expect((await q('select count(*) from Customer')).body.QueryResponse).to.deep.equal({ totalCount: 3 });
    const past = await q('select * from Customer startposition 10');
    expect(past.body.QueryResponse).to.deep.equal({});
    expect(past.body.time).to.be.a('string');
    const broken = await q('select * form Customer');
    expect(broken.status).to.equal(400);
    expect(broken.body.Fault.Error[0].code).to.equal('4000');
  });

  it('refuses a batch of more than 30 items as a whole', async () => {
    const items = Array.from({ length: 31 }, (_, i) => ({ bId: String(i), Query: 'select * from Customer' }));
    const res = await post('/batch', { BatchItemRequest: items });
    expect(res.status).to.equal(400);
    expect((await res.json()).Fault).to.exist;
  });

  it('replays a requestid per company even for a fault, with the original status and bytes', async () => {
    const first = await post('/customer?requestid=r-1', { Notes: 'no name' });
    const firstText = await first.text();
    await post('/customer', { DisplayName: 'Now valid' });
    const again = await post('/customer?requestid=r-1', { DisplayName: 'Other' });
    expect(again.status).to.equal(first.status);
    expect(await again.text()).to.equal(firstText);
    const list = (await control(emu, 'GET', `/companies/${REALM_EMPTY}/entities/Customer`)).body;
    expect(list).to.have.length(1);
  });
});

describe('emulator My Apps', () => {
  let emu: RunningEmulator;
  afterEach(async () => {
    await emu.close();
  });

  it('lists live connections and Disconnect revokes, then sends the browser to the Disconnect URL', async () => {
    emu = await start({ disconnectUrl: 'http://localhost:3999/quickbooks/disconnect' });
    const tokens = await connect(emu, REALM_A);
    const page = await (await fetch(`${emu.url}/app/myapps`)).text();
    expect(page).to.contain('Heavy AV Demo Productions').and.contain('Heavy AV (local)');
    expect(page).to.contain('action="/app/myapps/disconnect"');
    expect(page).not.to.contain('<script');
    const res = await fetch(`${emu.url}/app/myapps/disconnect`, {
      method: 'POST',
      body: new URLSearchParams({ realmId: REALM_A }),
      redirect: 'manual',
    });
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal(
      `http://localhost:3999/quickbooks/disconnect?realmId=${REALM_A}`,
    );
    expect(res.headers.get('set-cookie')).to.equal(null);
    expect((await api(emu, tokens.access_token, `/companyinfo/${REALM_A}`)).status).to.equal(401);
    expect(await (await fetch(`${emu.url}/app/myapps`)).text()).not.to.contain(REALM_A);
    const ledger = (await control(emu, 'GET', '/ledger')).body;
    expect(ledger.find((e: any) => e.path === '/app/myapps/disconnect')).to.include({
      method: 'POST',
      path: '/app/myapps/disconnect',
      status: 302,
      realmId: REALM_A,
    });
  });
});
