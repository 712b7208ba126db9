import { createRequire } from 'node:module';
import { expect } from 'chai';
import { EMULATOR_DEFAULTS, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, control, REALM_A, REALM_B, REALM_EMPTY, start } from './helpers.js';

// node-quickbooks ships no types; it is a dev-only second client used to prove the emulator's API shapes.
const require = createRequire(import.meta.url);
const QuickBooks: any = require('node-quickbooks');

type Result = { body: any; status?: number };

/** Calls a node-quickbooks method; resolves with the body, rejects with the error body and status. */
function call(qbo: any, method: string, ...args: unknown[]): Promise<any> {
  return new Promise((resolve, reject) => {
    qbo[method](...args, (err: any, body: any, res: any) => {
      if (err)
        reject({ body: body ?? err?.response?.data, status: res?.status ?? err?.response?.status } as Result);
      else resolve(body);
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<Result> {
  try {
    await promise;
  } catch (err) {
    return err as Result;
  }
  throw new Error('expected the call to fail');
}

describe('emulator Accounting API with node-quickbooks', () => {
  let emu: RunningEmulator;
  let qbo: any;
  const savedBase = QuickBooks.V3_ENDPOINT_BASE_URL;

  beforeEach(async () => {
    emu = await start();
    const tokens = await connect(emu);
    QuickBooks.V3_ENDPOINT_BASE_URL = `${emu.url}/v3/company/`;
    qbo = new QuickBooks(
      EMULATOR_DEFAULTS.clientId,
      EMULATOR_DEFAULTS.clientSecret,
      tokens.access_token,
      false,
      REALM_EMPTY,
      true, // useSandbox: keeps the base URL exactly as set above
      false,
      75,
      '2.0',
      tokens.refresh_token,
    );
  });
  afterEach(async () => {
    QuickBooks.V3_ENDPOINT_BASE_URL = savedBase;
    await emu.close();
  });

  it('creates, reads and updates customers; a stale SyncToken gets Fault 5010', async () => {
    const created = await call(qbo, 'createCustomer', { DisplayName: 'Stage Left Events' });
    expect(created.Id).to.be.a('string');
    expect(created.SyncToken).to.equal('0');
    expect(created.Active).to.equal(true);

    const read = await call(qbo, 'getCustomer', created.Id);
    expect(read.DisplayName).to.equal('Stage Left Events');

    const updated = await call(qbo, 'updateCustomer', {
      Id: created.Id,
      SyncToken: '0',
      sparse: true,
      PrimaryPhone: { FreeFormNumber: '(510) 555-0101' },
    });
    expect(updated.SyncToken).to.equal('1');
    expect(updated.PrimaryPhone.FreeFormNumber).to.equal('(510) 555-0101');
    expect(updated.MetaData.CreateTime).to.equal(created.MetaData.CreateTime);

    const stale = await failure(
      call(qbo, 'updateCustomer', { Id: created.Id, SyncToken: '0', sparse: true, Notes: 'x' }),
    );
    expect(stale.status).to.equal(400);
    expect(stale.body.Fault.type).to.equal('ValidationFault');
    expect(stale.body.Fault.Error[0].code).to.equal('5010');

    const found = await call(qbo, 'findCustomers', { DisplayName: 'Stage Left Events' });
    expect(found.QueryResponse.Customer).to.have.length(1);
  });

  it('creates, reads and updates invoices with totals computed like QBO', async () => {
    const customer = await call(qbo, 'createCustomer', { DisplayName: "O'Brien Staging" });
    const invoice = await call(qbo, 'createInvoice', {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          Amount: 150,
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 3, UnitPrice: 50 },
        },
        { Amount: 25.5, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1' } } },
      ],
    });
    expect(invoice.DocNumber).to.be.a('string');
    expect(invoice.TotalAmt).to.equal(175.5);
    expect(invoice.Balance).to.equal(175.5);
    expect(invoice.CustomerRef).to.deep.equal({ value: customer.Id, name: "O'Brien Staging" });
    expect(invoice.Line.at(-1)).to.deep.equal({
      Amount: 175.5,
      DetailType: 'SubTotalLineDetail',
      SubTotalLineDetail: {},
    });

    const read = await call(qbo, 'getInvoice', invoice.Id);
    expect(read.TotalAmt).to.equal(175.5);

    const updated = await call(qbo, 'updateInvoice', {
      Id: invoice.Id,
      SyncToken: read.SyncToken,
      sparse: true,
      Line: [
        {
          Amount: 40,
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 2, UnitPrice: 20 },
        },
      ],
    });
    expect(updated.SyncToken).to.equal('1');
    expect(updated.TotalAmt).to.equal(40);
    expect(updated.Line).to.have.length(2); // the sent line + the subtotal line

    const query = await call(qbo, 'findInvoices', [
      { field: 'CustomerRef', value: customer.Id, operator: '=' },
    ]);
    expect(query.QueryResponse.Invoice.map((i: any) => i.Id)).to.deep.equal([invoice.Id]);
  });

  it('a repeated requestid answers the original response and creates nothing new', async () => {
    const customer = await call(qbo, 'createCustomer', { DisplayName: 'Replay Co' });
    const body = () => ({
      requestId: 'push-invoice-42',
      CustomerRef: { value: customer.Id },
      Line: [
        { Amount: 10, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1' } } },
      ],
    });
    const first = await call(qbo, 'createInvoice', body());
    const second = await call(qbo, 'createInvoice', body());
    expect(second).to.deep.equal(first);
    const stored = await control(emu, 'GET', `/companies/${REALM_EMPTY}/entities/Invoice`);
    expect(stored.body).to.have.length(1);
    const ledger = await control(emu, 'GET', '/ledger');
    const withId = ledger.body.filter((e: any) => e.requestid === 'push-invoice-42');
    expect(withId).to.have.length(2);
    expect(withId.every((e: any) => e.status === 200)).to.equal(true);
  });

  it('runs a batch with per-item answers and a CDC that reports changes and deletions', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const existing = await call(qbo, 'createCustomer', { DisplayName: 'Front of House Ltd' });
    const batch = await call(qbo, 'batch', [
      { bId: 'b1', operation: 'create', Customer: { DisplayName: 'Batch Audio' } },
      { bId: 'b2', operation: 'create', Customer: { DisplayName: 'Front of House Ltd' } },
      {
        bId: 'b3',
        operation: 'create',
        Invoice: {
          CustomerRef: { value: existing.Id },
          Line: [
            {
              Amount: 5,
              DetailType: 'SalesItemLineDetail',
              SalesItemLineDetail: { ItemRef: { value: '1' } },
            },
          ],
        },
      },
      { bId: 'b4', Query: "select * from Customer where DisplayName = 'Batch Audio'" },
    ]);
    const byId = Object.fromEntries(batch.BatchItemResponse.map((r: any) => [r.bId, r]));
    expect(byId.b1.Customer.DisplayName).to.equal('Batch Audio');
    expect(byId.b2.Fault.Error[0].code).to.equal('6240');
    expect(byId.b3.Invoice.TotalAmt).to.equal(5);
    expect(byId.b4.QueryResponse.Customer[0].Id).to.equal(byId.b1.Customer.Id);

    const invoiceId = byId.b3.Invoice.Id;
    await call(qbo, 'deleteInvoice', { Id: invoiceId, SyncToken: '0' });

    const cdc = await call(qbo, 'changeDataCapture', ['Customer', 'Invoice', 'Estimate'], since);
    const [customers, invoices, estimates] = cdc.CDCResponse[0].QueryResponse;
    expect(customers.Customer.map((c: any) => c.DisplayName)).to.include.members([
      'Front of House Ltd',
      'Batch Audio',
    ]);
    expect(invoices.Invoice).to.deep.equal([
      {
        domain: 'QBO',
        status: 'Deleted',
        Id: invoiceId,
        MetaData: { LastUpdatedTime: invoices.Invoice[0].MetaData.LastUpdatedTime },
      },
    ]);
    expect(estimates).to.deep.equal({});
  });
});

describe('node-quickbooks against the full US company', () => {
  let emu: RunningEmulator;
  let qbo: any;
  let refreshToken: string;
  const saved = { base: QuickBooks.V3_ENDPOINT_BASE_URL, revoke: QuickBooks.REVOKE_URL };

  beforeEach(async () => {
    emu = await start();
    const tokens = await connect(emu, REALM_A);
    refreshToken = tokens.refresh_token;
    QuickBooks.V3_ENDPOINT_BASE_URL = `${emu.url}/v3/company/`;
    QuickBooks.REVOKE_URL = `${emu.url}/v2/oauth2/tokens/revoke`;
    qbo = new QuickBooks(
      EMULATOR_DEFAULTS.clientId,
      EMULATOR_DEFAULTS.clientSecret,
      tokens.access_token,
      false,
      REALM_A,
      true,
      false,
      75,
      '2.0',
      tokens.refresh_token,
    );
  });
  afterEach(async () => {
    QuickBooks.V3_ENDPOINT_BASE_URL = saved.base;
    QuickBooks.REVOKE_URL = saved.revoke;
    await emu.close();
  });

  it('finds the history (invoices from 1001, active customers only), refuses an employee name and a line type', async () => {
    const invoices = await call(qbo, 'findInvoices', [{ field: 'DocNumber', value: '1001', operator: '=' }]);
    expect(invoices.QueryResponse.Invoice[0].DocNumber).to.equal('1001');
    const customers = await call(qbo, 'findCustomers', [{ field: 'fetchAll', value: true }]);
    expect(customers.QueryResponse.Customer.every((c: any) => c.Active)).to.equal(true);
    const employees = await call(qbo, 'findEmployees', {});
    const taken = await failure(
      call(qbo, 'createCustomer', { DisplayName: employees.QueryResponse.Employee[0].DisplayName }),
    );
    expect(taken.status).to.equal(400);
    expect(taken.body.Fault.Error[0].code).to.equal('6240');
    const badLine = await failure(
      call(qbo, 'createInvoice', {
        CustomerRef: { value: customers.QueryResponse.Customer[0].Id },
        Line: [{ Amount: 1, DetailType: 'ItemBasedExpenseLineDetail' }],
      }),
    );
    expect(badLine.body.Fault.Error[0].code).to.equal('2010');
  });

  it('revokeAccess posts the token form-encoded: Intuit revokes and answers in OAuth shape', async () => {
    const res: any = await new Promise((resolve, reject) =>
      qbo.revokeAccess(true, (err: any, response: any) => (err ? reject(err) : resolve(response))),
    );
    expect(res.status).to.equal(200);
    const ledger = await control(emu, 'GET', '/ledger');
    expect(ledger.body.at(-1)).to.include({ path: '/v2/oauth2/tokens/revoke', status: 200 });
    const again = await fetch(`${emu.url}/oauth2/v1/tokens/bearer`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${EMULATOR_DEFAULTS.clientId}:${EMULATOR_DEFAULTS.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    expect(again.status).to.equal(400);
    expect((await again.json()).error).to.equal('invalid_grant');
  });
});

describe('node-quickbooks reads Preferences (the home currency)', () => {
  let emu: RunningEmulator;
  const savedBase = QuickBooks.V3_ENDPOINT_BASE_URL;

  before(async () => {
    emu = await start();
    QuickBooks.V3_ENDPOINT_BASE_URL = `${emu.url}/v3/company/`;
  });
  after(async () => {
    QuickBooks.V3_ENDPOINT_BASE_URL = savedBase;
    await emu.close();
  });

  async function clientFor(realmId: string): Promise<any> {
    const tokens = await connect(emu, realmId);
    return new QuickBooks(
      EMULATOR_DEFAULTS.clientId,
      EMULATOR_DEFAULTS.clientSecret,
      tokens.access_token,
      false,
      realmId,
      true,
      false,
      75,
      '2.0',
      tokens.refresh_token,
    );
  }

  it('answers USD for the US companies and CAD for Blue Stage Rentals Ltd, shaped like Intuit', async () => {
    const seen: Record<string, string> = {};
    for (const realmId of [REALM_A, REALM_B, REALM_EMPTY]) {
      // node-quickbooks unwraps the `Preferences` member of Intuit's answer.
      const prefs = await call(await clientFor(realmId), 'getPreferences');
      expect(prefs.Id).to.equal('1');
      expect(prefs.SyncToken).to.equal('0');
      expect(prefs.CurrencyPrefs.MultiCurrencyEnabled).to.equal(false);
      expect(prefs.SalesFormsPrefs.AllowEstimates).to.equal(true);
      expect(prefs.MetaData.CreateTime).to.be.a('string');
      seen[realmId] = prefs.CurrencyPrefs.HomeCurrency.value;
    }
    expect(seen).to.deep.equal({ [REALM_A]: 'USD', [REALM_B]: 'CAD', [REALM_EMPTY]: 'USD' });
  });

  it('is read-only (a write answers Unsupported Operation) and answers a query too', async () => {
    const qbo = await clientFor(REALM_B);
    const write = await failure(call(qbo, 'updatePreferences', { Id: '1', SyncToken: '0', sparse: true }));
    expect(write.status).to.equal(400);
    expect(write.body.Fault.Error[0].code).to.equal('500');
    const found = await emuQuery(emu, qbo, 'select * from Preferences');
    expect(found.QueryResponse.Preferences[0].CurrencyPrefs.HomeCurrency.value).to.equal('CAD');
  });
});

/** A raw query through the API with the client's token (node-quickbooks has no query for Preferences). */
async function emuQuery(emu: RunningEmulator, qbo: any, query: string): Promise<any> {
  const res = await fetch(
    `${emu.url}/v3/company/${qbo.realmId}/query?query=${encodeURIComponent(query)}&minorversion=75`,
    { headers: { Authorization: `Bearer ${qbo.token}`, Accept: 'application/json' } },
  );
  expect(res.status).to.equal(200);
  return res.json();
}
