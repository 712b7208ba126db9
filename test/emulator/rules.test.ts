import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { api, BASIC, connect, control, REALM_A, REALM_B, start } from './helpers.js';

type Entity = Record<string, any>;

/** Intuit's rules, each with its code and shape (src/emulator/README.md lists them with their sources). */
describe('emulator rules (Intuit codes and shapes) on the full companies', () => {
  let emu: RunningEmulator;
  let us: string;
  let ca: string;
  beforeEach(async () => {
    emu = await start();
    us = (await connect(emu, REALM_A)).access_token;
    ca = (await connect(emu, REALM_B)).access_token;
  });
  afterEach(async () => {
    await emu.close();
  });

  const usApi = (path: string, init: RequestInit = {}) => api(emu, us, path, { ...init, realmId: REALM_A });
  const post = (path: string, body: unknown, realmId = REALM_A) =>
    api(emu, realmId === REALM_A ? us : ca, path, { method: 'POST', body: JSON.stringify(body), realmId });
  const ok = async (res: Response): Promise<Entity> => {
    const text = await res.text();
    expect(res.status, text).to.equal(200);
    return JSON.parse(text);
  };
  const fault = async (res: Response) => {
    const text = await res.text();
    expect(res.status, text).to.equal(400);
    const body = JSON.parse(text);
    expect(body.Fault.type).to.equal('ValidationFault');
    return body.Fault.Error[0] as { code: string; Message: string; Detail: string; element: string };
  };
  const query = async (q: string, realmId = REALM_A) =>
    (
      await ok(
        await api(emu, realmId === REALM_A ? us : ca, `/query?query=${encodeURIComponent(q)}`, { realmId }),
      )
    ).QueryResponse;
  const stored = async (entity: string, realmId = REALM_A): Promise<Entity[]> =>
    (await control(emu, 'GET', `/companies/${realmId}/entities/${entity}`)).body;
  const item = async (name: string, realmId = REALM_A) =>
    (await stored('Item', realmId)).find((i) => i.Name === name)!;
  const activeCustomer = async (realmId = REALM_A) =>
    (await stored('Customer', realmId)).find(
      (c) => c.Active && c.BillAddr?.CountrySubDivisionCode === (realmId === REALM_A ? 'WA' : 'ON'),
    )!;
  const line = (amount: number, detail: Entity = {}) => ({
    Amount: amount,
    DetailType: 'SalesItemLineDetail',
    SalesItemLineDetail: detail,
  });

  it('refuses a colon, a tab or a newline in a DisplayName (Customer, Vendor, Employee) and an item Name', async () => {
    for (const [path, name] of [
      ['/customer', 'Parent:Child'],
      ['/vendor', 'Tab\there'],
      ['/employee', 'Two\nlines'],
    ]) {
      const err = await fault(await post(path, { DisplayName: name }));
      expect(err.code, path).to.equal('6000');
      expect(err.Detail).to.match(/^Business Validation Error: .*colon/);
    }
    expect((await fault(await post('/item', { Name: 'Cables: XLR', Type: 'Service' }))).code).to.equal(
      '6000',
    );
  });

  it('refuses unknown properties with 2010 naming the field, at the top level, on a line and in a line detail', async () => {
    const customer = await activeCustomer();
    const top = await fault(await post('/customer', { DisplayName: 'New One', Nickname: 'x' }));
    expect(top.code).to.equal('2010');
    expect(top.Message).to.equal('Request has invalid or unsupported property');
    expect(top.Detail).to.contain(
      'Unrecognized field "Nickname" (class com.intuit.schema.finance.v3.Customer)',
    );
    const inLine = await fault(
      await post('/invoice', { CustomerRef: { value: customer.Id }, Line: [{ ...line(10), Colour: 'red' }] }),
    );
    expect(inLine.Detail).to.contain('"Colour"');
    const inDetail = await fault(
      await post('/invoice', {
        CustomerRef: { value: customer.Id },
        Line: [line(10, { Qty: 1, UnitPrice: 10, Rate: 1 })],
      }),
    );
    expect(inDetail.Detail).to.contain('"Rate"');
    expect(await stored('Customer').then((c) => c.some((x) => x.DisplayName === 'New One'))).to.equal(false);
  });

  it('refuses an unknown line DetailType with 2010 (Jackson enum error) and keeps the 6070 Amount check', async () => {
    const customer = await activeCustomer();
    const err = await fault(
      await post('/invoice', {
        CustomerRef: { value: customer.Id },
        Line: [{ Amount: 5, DetailType: 'FreeTextLine' }],
      }),
    );
    expect(err.code).to.equal('2010');
    expect(err.Detail).to.contain("LineDetailTypeEnum from String value 'FreeTextLine'");
    const services = await item('Services');
    const mismatch = await fault(
      await post('/invoice', {
        CustomerRef: { value: customer.Id },
        Line: [line(10, { ItemRef: { value: services.Id }, Qty: 3, UnitPrice: 3 })],
      }),
    );
    expect(mismatch.code).to.equal('6070');
  });

  it('batch: a requestid over 36 characters and a bId over 10 are refused; 36 and 10 pass', async () => {
    const batch = (requestid: string, bId: string) =>
      usApi(`/batch?requestid=${requestid}`, {
        method: 'POST',
        body: JSON.stringify({ BatchItemRequest: [{ bId, Query: 'select count(*) from Customer' }] }),
      });
    const long = await fault(await batch('r'.repeat(37), '1'));
    expect(long.code).to.equal('2010');
    const bid = await fault(await batch('r'.repeat(36), 'b'.repeat(11)));
    expect(bid).to.include({ code: '2050', element: 'bId' });
    const fine = await ok(await batch('s'.repeat(36), 'b'.repeat(10)));
    expect(fine.BatchItemResponse[0].bId).to.equal('b'.repeat(10));
    // Outside batch Intuit's documented 50 characters still hold.
    expect((await post(`/customer?requestid=${'q'.repeat(50)}`, { DisplayName: 'Fifty' })).status).to.equal(
      200,
    );
  });

  it('a line without ItemRef is refused (2020, stricter than Intuit on purpose); Item 1, inactive items and categories are refused', async () => {
    const customer = await activeCustomer();
    const services = await item('Services');
    const missing = await fault(
      await post('/invoice', { CustomerRef: { value: customer.Id }, Line: [line(40)] }),
    );
    expect(missing).to.include({ code: '2020', element: 'Line.SalesItemLineDetail.ItemRef' });
    const created = await ok(
      await post('/invoice', {
        CustomerRef: { value: customer.Id },
        Line: [line(40, { ItemRef: { value: services.Id } })],
      }),
    );
    expect(created.Invoice.Line[0].SalesItemLineDetail.ItemRef).to.deep.equal({
      value: services.Id,
      name: 'Services',
    });
    expect(services.Id).not.to.equal('1');
    const inactive = (await stored('Item')).find((i) => i.Active === false)!;
    for (const id of ['1', inactive.Id]) {
      const err = await fault(
        await post('/invoice', {
          CustomerRef: { value: customer.Id },
          Line: [line(10, { ItemRef: { value: id } })],
        }),
      );
      expect(err).to.include({ code: '2500', element: 'Line.SalesItemLineDetail.ItemRef' });
    }
  });

  it('customers, vendors and employees share one DisplayName namespace (6240), inactive customers included', async () => {
    const vendor = (await stored('Vendor'))[0];
    const employee = (await stored('Employee'))[0];
    const inactive = (await stored('Customer')).find((c) => c.Active === false)!;
    const active = (await stored('Customer')).find((c) => c.Active !== false)!;
    for (const name of [
      vendor.DisplayName,
      employee.DisplayName,
      inactive.DisplayName,
      active.DisplayName.toUpperCase(),
    ]) {
      const err = await fault(await post('/customer', { DisplayName: name }));
      expect(err.code, name).to.equal('6240');
      expect(err.Message).to.equal('Duplicate Name Exists Error');
    }
    expect((await fault(await post('/vendor', { DisplayName: active.DisplayName }))).code).to.equal('6240');
    expect((await fault(await post('/employee', { DisplayName: vendor.DisplayName }))).code).to.equal('6240');
  });

  it('queries return active name-list entries only unless the query asks about Active; reads by id see inactive ones', async () => {
    const all = await stored('Customer');
    const inactive = all.filter((c) => c.Active === false);
    const byDefault = await query('select * from Customer maxresults 1000');
    expect(byDefault.Customer).to.have.length(all.length - inactive.length);
    expect(byDefault.Customer.every((c: Entity) => c.Active)).to.equal(true);
    expect((await query('select count(*) from Customer')).totalCount).to.equal(all.length - inactive.length);
    expect((await query('select * from Customer where Active = false')).Customer).to.have.length(
      inactive.length,
    );
    expect(
      (await query('select * from Customer where Active in (true, false) maxresults 1000')).Customer,
    ).to.have.length(all.length);
    const byName = await query(
      `select * from Customer where DisplayName = '${inactive[0].DisplayName.replace(/'/g, "\\'")}'`,
    );
    expect(byName).to.deep.equal({});
    const read = await ok(await usApi(`/customer/${inactive[0].Id}`));
    expect(read.Customer.Active).to.equal(false);
    const items = await query("select * from Item where Type = 'Service' maxresults 1000");
    expect(items.Item.every((i: Entity) => i.Active)).to.equal(true);
    // Transactions are not name lists: every invoice is returned.
    expect((await query('select count(*) from Invoice')).totalCount).to.equal(
      (await stored('Invoice')).length,
    );
  });

  it('an inactive customer cannot be used on a new invoice (2500)', async () => {
    const inactive = (await stored('Customer')).find((c) => c.Active === false)!;
    expect(
      (await fault(await post('/invoice', { CustomerRef: { value: inactive.Id }, Line: [line(5)] }))).code,
    ).to.equal('2500');
  });

  it("US automated sales tax: QuickBooks computes TxnTaxDetail from the customer's address and adds it to TotalAmt", async () => {
    const customer = await activeCustomer(); // Seattle, WA: 6.5 % state + 3.85 % city
    expect(customer.Taxable).to.equal(true);
    const pa = await item('PA System Rental');
    const crew = await item('Crew Labor');
    const res = await ok(
      await post('/invoice', {
        CustomerRef: { value: customer.Id },
        Line: [
          line(900, { ItemRef: { value: pa.Id }, Qty: 2, UnitPrice: 450, TaxCodeRef: { value: 'TAX' } }),
          line(125, { ItemRef: { value: crew.Id }, Qty: 2, UnitPrice: 62.5, TaxCodeRef: { value: 'NON' } }),
        ],
        // A client's own tax figures are ignored: automated sales tax decides.
        TxnTaxDetail: { TotalTax: 1 },
      }),
    );
    const invoice = res.Invoice;
    expect(invoice.TxnTaxDetail.TxnTaxCodeRef.value).to.equal('5');
    expect(
      invoice.TxnTaxDetail.TaxLine.map((t: Entity) => [
        t.TaxLineDetail.TaxPercent,
        t.TaxLineDetail.NetAmountTaxable,
        t.Amount,
      ]),
    ).to.deep.equal([
      [6.5, 900, 58.5],
      [3.85, 900, 34.65],
    ]);
    expect(invoice.TxnTaxDetail.TotalTax).to.equal(93.15);
    expect(invoice.TotalAmt).to.equal(1118.15);
    expect(invoice.Balance).to.equal(1118.15);

    // A tax-exempt customer pays none; a TaxCodeRef other than TAX/NON is refused.
    const exempt = await ok(await post('/customer', { DisplayName: 'Tax Exempt School', Taxable: false }));
    const none = await ok(
      await post('/invoice', {
        CustomerRef: { value: exempt.Customer.Id },
        Line: [
          line(900, { ItemRef: { value: pa.Id }, Qty: 2, UnitPrice: 450, TaxCodeRef: { value: 'TAX' } }),
        ],
      }),
    );
    expect(none.Invoice.TxnTaxDetail.TotalTax).to.equal(0);
    expect(none.Invoice.TotalAmt).to.equal(900);
    const badCode = await fault(
      await post('/invoice', {
        CustomerRef: { value: customer.Id },
        Line: [line(5, { ItemRef: { value: pa.Id }, TaxCodeRef: { value: '4' } })],
      }),
    );
    expect(badCode).to.include({ code: '2500', element: 'Line.SalesItemLineDetail.TaxCodeRef' });
  });

  it('Canada: every sales line needs a GST/HST TaxCodeRef (6000); the tax is summed per code', async () => {
    const customer = await activeCustomer(REALM_B); // Ontario
    const pa = await item('PA System Rental', REALM_B);
    const missing = await fault(
      await post(
        '/invoice',
        { CustomerRef: { value: customer.Id }, Line: [line(450, { ItemRef: { value: pa.Id } })] },
        REALM_B,
      ),
    );
    expect(missing.code).to.equal('6000');
    expect(missing.Detail).to.contain('GST/HST');
    const retired = await fault(
      await post(
        '/invoice',
        {
          CustomerRef: { value: customer.Id },
          Line: [line(450, { ItemRef: { value: pa.Id }, TaxCodeRef: { value: '10' } })],
        },
        REALM_B,
      ),
    );
    expect(retired).to.include({ code: '2500', element: 'Line.SalesItemLineDetail.TaxCodeRef' });
    const res = await ok(
      await post(
        '/invoice',
        {
          CustomerRef: { value: customer.Id },
          Line: [
            line(450, { ItemRef: { value: pa.Id }, Qty: 1, UnitPrice: 450, TaxCodeRef: { value: '4' } }), // HST ON 13 %
            line(100, { ItemRef: { value: pa.Id }, TaxCodeRef: { value: '8' } }), // Exempt
          ],
        },
        REALM_B,
      ),
    );
    expect(res.Invoice.TxnTaxDetail.TotalTax).to.equal(58.5);
    expect(res.Invoice.TotalAmt).to.equal(608.5);
    expect(res.Invoice.GlobalTaxCalculation).to.equal('TaxExcluded');
    expect(res.Invoice.CurrencyRef.value).to.equal('CAD');
  });

  it('a discount line (percent) lowers the total; a payment lowers the invoice Balance and links itself', async () => {
    const customer = await activeCustomer();
    const crew = await item('Crew Labor');
    const created = (
      await ok(
        await post('/invoice', {
          CustomerRef: { value: customer.Id },
          Line: [
            line(250, { ItemRef: { value: crew.Id }, Qty: 4, UnitPrice: 62.5 }),
            {
              Amount: 0,
              DetailType: 'DiscountLineDetail',
              DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 },
            },
          ],
        }),
      )
    ).Invoice;
    expect(created.TotalAmt).to.equal(225);
    expect(created.Line.find((l: Entity) => l.DetailType === 'DiscountLineDetail').Amount).to.equal(25);
    const payment = (
      await ok(
        await post('/payment', {
          CustomerRef: { value: customer.Id },
          TotalAmt: 100,
          Line: [{ Amount: 100, LinkedTxn: [{ TxnId: created.Id, TxnType: 'Invoice' }] }],
        }),
      )
    ).Payment;
    expect(payment.UnappliedAmt).to.equal(0);
    const after = (await ok(await usApi(`/invoice/${created.Id}`))).Invoice;
    expect(after.Balance).to.equal(125);
    expect(after.SyncToken).to.equal('1');
    expect(after.LinkedTxn).to.deep.equal([{ TxnId: payment.Id, TxnType: 'Payment' }]);
    const over = await fault(
      await post('/payment', {
        CustomerRef: { value: customer.Id },
        TotalAmt: 500,
        Line: [{ Amount: 500, LinkedTxn: [{ TxnId: created.Id, TxnType: 'Invoice' }] }],
      }),
    );
    expect(over.code).to.equal('6000');
  });

  it('tax codes and rates are not written through the Accounting API', async () => {
    const res = await post('/taxcode', { Name: 'Mine' });
    expect((await fault(res)).code).to.equal('500');
  });

  it('revoke: a form-encoded token (RFC 7009, as node-quickbooks sends it) revokes; a malformed body gets an OAuth error', async () => {
    const revoke = (body: string, type: string) =>
      fetch(`${emu.url}/v2/oauth2/tokens/revoke`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': type, accept: 'application/json' },
        body,
      });
    const tokens = await connect(emu, REALM_A);
    const form = await revoke(
      new URLSearchParams({ token: tokens.refresh_token }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(form.status).to.equal(200);
    const again = await revoke(
      new URLSearchParams({ token: tokens.refresh_token }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(again.status).to.equal(400);
    expect(await again.text()).to.equal('');
    const broken = await revoke('{token:', 'application/json');
    expect(broken.status).to.equal(400);
    expect(broken.headers.get('content-type')).to.equal('application/json');
    expect(await broken.json()).to.deep.equal({
      error_description: 'The request body must be JSON or form-encoded',
      error: 'invalid_request',
    });
  });
});
