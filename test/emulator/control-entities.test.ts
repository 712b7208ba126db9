import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { until } from '../helpers/until.js';
import { api, connect, control, REALM_A, receiver, start } from './helpers.js';

type Entity = Record<string, any>;

/** The control API's hand "inside QuickBooks": every entity the emulator holds, with Intuit's webhooks. */
describe('emulator control API: every entity, created and changed inside QuickBooks', () => {
  let emu: RunningEmulator;
  let hook: Awaited<ReturnType<typeof receiver>>;
  beforeEach(async () => {
    hook = await receiver();
    emu = await start({ webhookUrl: hook.url });
    await connect(emu, REALM_A);
  });
  afterEach(async () => {
    await emu.close();
    await hook.close();
  });

  const path = (entity: string, id?: string) =>
    `/companies/${REALM_A}/entities/${entity}${id ? `/${id}` : ''}`;
  const events = () =>
    hook.received
      .flatMap((r) => JSON.parse(r.raw.toString('utf8')) as Entity[])
      .map((e) => `${e.type} ${e.intuitentityid}`);

  it('lists every entity the emulator holds', async () => {
    for (const entity of [
      'Customer',
      'Vendor',
      'Employee',
      'Item',
      'TaxCode',
      'TaxRate',
      'Estimate',
      'Invoice',
      'Payment',
    ]) {
      const res = await control(emu, 'GET', path(entity));
      expect(res.status, entity).to.equal(200);
      expect(res.body, entity).to.be.an('array').that.is.not.empty;
      expect(res.body[0].domain).to.equal('QBO');
    }
    expect((await control(emu, 'GET', path('Account'))).status).to.equal(404);
  });

  it('creates a vendor, an inactive item and an invoice with a discount; each sends its webhook', async () => {
    const vendor = await control(emu, 'POST', path('Vendor'), { DisplayName: 'Made In QBO Vendor' });
    expect(vendor.status).to.equal(201);
    expect(vendor.body).to.include({ DisplayName: 'Made In QBO Vendor', SyncToken: '0', Active: true });
    // The vendor's name is now taken for customers too.
    const dup = await control(emu, 'POST', path('Customer'), { DisplayName: 'made in qbo vendor' });
    expect(dup.status).to.equal(400);
    expect(dup.body.Fault.Error[0].code).to.equal('6240');

    const item = await control(emu, 'POST', path('Item'), {
      Name: 'Retired Mixer',
      Type: 'Service',
      Active: false,
    });
    expect(item.body).to.include({ Name: 'Retired Mixer', Active: false });

    const customer = (await control(emu, 'GET', path('Customer'))).body.find((c: Entity) => c.Active)!;
    const services = (await control(emu, 'GET', path('Item'))).body.find(
      (i: Entity) => i.Name === 'Services',
    )!;
    const invoice = await control(emu, 'POST', path('Invoice'), {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          Amount: 200,
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: services.Id }, Qty: 2, UnitPrice: 100 },
        },
        { Amount: 20, DetailType: 'DiscountLineDetail', DiscountLineDetail: { PercentBased: false } },
      ],
    });
    expect(invoice.status).to.equal(201);
    expect(invoice.body.TotalAmt).to.equal(180);
    expect(Number(invoice.body.DocNumber)).to.be.greaterThan(1001);

    await until(() => events().length >= 3, 2000);
    expect(events()).to.include.members([
      `qbo.vendor.created.v1 ${vendor.body.Id}`,
      `qbo.item.created.v1 ${item.body.Id}`,
      `qbo.invoice.created.v1 ${invoice.body.Id}`,
    ]);
  });

  it('changes any entity: SyncToken goes up and an updated webhook goes out; a payment updates its invoice', async () => {
    const employee = (await control(emu, 'GET', path('Employee'))).body[0];
    const changed = await control(emu, 'POST', path('Employee', employee.Id), {
      Mobile: { FreeFormNumber: '555-0199' },
    });
    expect(changed.status).to.equal(200);
    expect(changed.body.SyncToken).to.equal(String(Number(employee.SyncToken) + 1));
    expect(changed.body.Mobile.FreeFormNumber).to.equal('555-0199');

    const code = (await control(emu, 'GET', path('TaxCode'))).body.find((c: Entity) => c.Id === '2');
    const off = await control(emu, 'POST', path('TaxCode', '2'), { Active: false });
    expect(off.body).to.include({ Active: false, SyncToken: String(Number(code.SyncToken) + 1) });

    const open = (await control(emu, 'GET', path('Invoice'))).body.find(
      (i: Entity) => i.Balance > 0 && i.Balance === i.TotalAmt,
    )!;
    const payment = await control(emu, 'POST', path('Payment'), {
      CustomerRef: { value: open.CustomerRef.value },
      TotalAmt: open.Balance,
      Line: [{ Amount: open.Balance, LinkedTxn: [{ TxnId: open.Id, TxnType: 'Invoice' }] }],
    });
    expect(payment.status).to.equal(201);
    const { access_token } = await connect(emu, REALM_A);
    const read = (await (await api(emu, access_token, `/invoice/${open.Id}`, { realmId: REALM_A })).json())
      .Invoice;
    expect(read.Balance).to.equal(0);
    expect(read.SyncToken).to.equal(String(Number(open.SyncToken) + 1));

    await until(() => events().length >= 4, 2000);
    expect(events()).to.include.members([
      `qbo.employee.updated.v1 ${employee.Id}`,
      'qbo.taxcode.updated.v1 2',
      `qbo.payment.created.v1 ${payment.body.Id}`,
      `qbo.invoice.updated.v1 ${open.Id}`,
    ]);
  });

  it('refuses what QuickBooks would refuse, even inside QuickBooks (a name with a colon, an unknown invoice)', async () => {
    const bad = await control(emu, 'POST', path('Customer'), { DisplayName: 'A:B' });
    expect(bad.status).to.equal(400);
    expect(bad.body.Fault.Error[0].code).to.equal('6000');
    expect(
      (await control(emu, 'POST', path('Invoice', '999999'), { PrivateNote: 'x' })).body.Fault.Error[0].code,
    ).to.equal('610');
  });
});
