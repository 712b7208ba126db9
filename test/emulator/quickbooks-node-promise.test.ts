import { createRequire } from 'node:module';
import { expect } from 'chai';
import { EMULATOR_DEFAULTS, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, control, REALM_A, REALM_B, REDIRECT_URI, refresh, start } from './helpers.js';

// A third npm QuickBooks client nobody here wrote (quickbooks-node-promise, TypeScript, node-fetch). Its
// endpoints are static properties, like node-quickbooks': pointed at the emulator for these tests only.
const require = createRequire(import.meta.url);
const Quickbooks: any = require('quickbooks-node-promise').default;

type Entity = Record<string, any>;

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('emulator with quickbooks-node-promise (a third client)', () => {
  let emu: RunningEmulator;
  const saved = {
    base: Quickbooks.V3_ENDPOINT_BASE_URL,
    revoke: Quickbooks.REVOKE_URL,
    token: Quickbooks.TOKEN_URL,
  };
  beforeEach(async () => {
    emu = await start();
    Quickbooks.V3_ENDPOINT_BASE_URL = `${emu.url}/v3/company/`;
    Quickbooks.REVOKE_URL = `${emu.url}/v2/oauth2/tokens/revoke`;
    Quickbooks.TOKEN_URL = `${emu.url}/oauth2/v1/tokens/bearer`;
  });
  afterEach(async () => {
    Quickbooks.V3_ENDPOINT_BASE_URL = saved.base;
    Quickbooks.REVOKE_URL = saved.revoke;
    Quickbooks.TOKEN_URL = saved.token;
    await emu.close();
  });

  async function client(realmId: string) {
    const tokens = await connect(emu, realmId);
    const qbo = new Quickbooks(
      {
        appKey: EMULATOR_DEFAULTS.clientId,
        appSecret: EMULATOR_DEFAULTS.clientSecret,
        redirectUrl: REDIRECT_URI,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        minorversion: 75,
        autoRefresh: false,
      },
      realmId,
    );
    return { qbo, tokens };
  }
  const faultOf = (err: any) => err.errorResponse?.Fault?.Error?.[0];

  it('a name taken by a vendor or an inactive customer is refused with 6240; a colon with 6000; unknown fields with 2010', async () => {
    const { qbo } = await client(REALM_A);
    const vendor = (await qbo.createVendor({ DisplayName: 'Lighting Rental Partners' })).Vendor;
    expect(vendor.Id).to.be.a('string');
    expect(
      faultOf(await rejection(qbo.createCustomer({ DisplayName: 'Lighting Rental Partners' }))).code,
    ).to.equal('6240');
    const inactive = (await qbo.findCustomers('select * from Customer where Active = false')).QueryResponse
      .Customer;
    expect(inactive.length).to.be.at.least(1);
    expect(
      faultOf(await rejection(qbo.createCustomer({ DisplayName: inactive[0].DisplayName }))).code,
    ).to.equal('6240');
    expect(faultOf(await rejection(qbo.createCustomer({ DisplayName: 'Venue: Main Hall' }))).code).to.equal(
      '6000',
    );
    const unknown = faultOf(
      await rejection(qbo.createCustomer({ DisplayName: 'Fine Name', Favourite: true })),
    );
    expect(unknown.code).to.equal('2010');
    expect(unknown.Detail).to.contain('"Favourite"');
  });

  it('queries see active customers only unless they ask; Item 1 and inactive items cannot be sold', async () => {
    const { qbo } = await client(REALM_A);
    const all = (await control(emu, 'GET', `/companies/${REALM_A}/entities/Customer`)).body as Entity[];
    const active = (await qbo.findCustomers('select * from Customer maxresults 1000')).QueryResponse.Customer;
    expect(active.length).to.equal(all.filter((c) => c.Active).length);
    const both = (
      await qbo.findCustomers('select * from Customer where Active in (true, false) maxresults 1000')
    ).QueryResponse.Customer;
    expect(both.length).to.equal(all.length);

    const customer = active[0];
    const item1 = faultOf(
      await rejection(
        qbo.createInvoice({
          CustomerRef: { value: customer.Id },
          Line: [
            {
              Amount: 10,
              DetailType: 'SalesItemLineDetail',
              SalesItemLineDetail: { ItemRef: { value: '1' } },
            },
          ],
        }),
      ),
    );
    expect(item1).to.include({ code: '2500', element: 'Line.SalesItemLineDetail.ItemRef' });
  });

  it('US automated sales tax on an invoice with a sub-cent price, a credit line and a discount', async () => {
    const { qbo } = await client(REALM_A);
    const items = (
      await qbo.findItems("select * from Item where Name in ('LED Par Can (per day)', 'Services')")
    ).QueryResponse.Item as Entity[];
    const par = items.find((i) => i.Name === 'LED Par Can (per day)')!;
    const services = items.find((i) => i.Name === 'Services')!;
    const customer = (
      await qbo.createCustomer({
        DisplayName: 'Oakland Jazz Night',
        ShipAddr: { City: 'Oakland', CountrySubDivisionCode: 'CA', PostalCode: '94607' },
      })
    ).Customer;
    const invoice = (
      await qbo.createInvoice({
        CustomerRef: { value: customer.Id },
        Line: [
          {
            Amount: 148.5,
            DetailType: 'SalesItemLineDetail',
            SalesItemLineDetail: {
              ItemRef: { value: par.Id },
              Qty: 12,
              UnitPrice: 12.375,
              TaxCodeRef: { value: 'TAX' },
            },
          },
          {
            Amount: -20,
            DetailType: 'SalesItemLineDetail',
            SalesItemLineDetail: {
              ItemRef: { value: services.Id },
              Qty: 1,
              UnitPrice: -20,
              TaxCodeRef: { value: 'NON' },
            },
          },
          { Amount: 10, DetailType: 'DiscountLineDetail', DiscountLineDetail: { PercentBased: false } },
        ],
      })
    ).Invoice;
    // Alameda County, CA: 7.25 % + 2 % on the taxable 148.50 (tax before the discount: ApplyTaxAfterDiscount false).
    expect(invoice.TxnTaxDetail.TotalTax).to.equal(13.74);
    expect(invoice.TotalAmt).to.equal(132.24);
    expect(invoice.Line[0].SalesItemLineDetail.UnitPrice).to.equal(12.375);
    expect(Number(invoice.DocNumber)).to.be.greaterThan(1001);
  });

  it('Canada: a line without a GST/HST code is refused (6000); with one, QuickBooks adds the tax', async () => {
    const { qbo } = await client(REALM_B);
    const customer = (await qbo.findCustomers('select * from Customer maxresults 1')).QueryResponse
      .Customer[0];
    const item = (await qbo.findItems("select * from Item where Name = 'PA System Rental'")).QueryResponse
      .Item[0];
    const line = (taxCode?: string) => ({
      Amount: 100,
      DetailType: 'SalesItemLineDetail',
      SalesItemLineDetail: {
        ItemRef: { value: item.Id },
        ...(taxCode ? { TaxCodeRef: { value: taxCode } } : {}),
      },
    });
    const missing = faultOf(
      await rejection(qbo.createInvoice({ CustomerRef: { value: customer.Id }, Line: [line()] })),
    );
    expect(missing.code).to.equal('6000');
    const gst = (await qbo.createInvoice({ CustomerRef: { value: customer.Id }, Line: [line('3')] })).Invoice;
    expect(gst.TxnTaxDetail.TotalTax).to.equal(5);
    expect(gst.TotalAmt).to.equal(105);
  });

  it("batches with its own 36-character uuid requestid; revokes form-encoded; then gets the gateway's 401", async () => {
    const { qbo, tokens } = await client(REALM_A);
    const batch = await qbo.batch([
      { bId: '1', Query: 'select count(*) from Vendor' },
      { bId: '2', operation: 'create', Vendor: { DisplayName: 'Batch Made Vendor' } },
    ]);
    expect(batch.BatchItemResponse.map((r: Entity) => r.bId)).to.deep.equal(['1', '2']);
    expect(batch.BatchItemResponse[1].Vendor.DisplayName).to.equal('Batch Made Vendor');
    const ledger = (await control(emu, 'GET', '/ledger')).body as Entity[];
    expect(ledger.find((e) => e.path.endsWith('/batch'))?.requestid).to.have.length(36);

    const revoked = await qbo.revokeAccess(true);
    expect(revoked.status).to.equal(200);
    expect((await refresh(emu, tokens.refresh_token)).status).to.equal(400);
    const after = await rejection(qbo.getCompanyInfo(REALM_A));
    expect(after.response.status).to.equal(401);
    // The gateway's lowercase `fault` envelope is not the data services' `Fault`: the client sees no Fault.
    expect(after.errorResponse).to.equal(undefined);
    expect(after.message).to.equal('Unauthorized');
  });
});
