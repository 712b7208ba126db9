/**
 * What the app does to real QuickBooks companies (the emulator's full companies and Intuit's rules). Each
 * test here fails today and is pending until issue 15 ("never changes in QuickBooks what it was not asked to
 * change") fixes the app; none of them is made to pass by loosening the emulator.
 */
import { expect } from 'chai';
import { csrfToken } from '../helpers/app.js';
import {
  connect,
  itemId,
  REALM_A,
  REALM_B,
  REALM_EMPTY,
  startWorld,
  type World,
} from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';

type Entity = Record<string, any>;

async function qbo(w: World, entity: string, realm: string): Promise<Entity[]> {
  return w.control('GET', `/companies/${realm}/entities/${entity}`);
}

async function makeInvoice(w: World, customerId: number, docNumber: string) {
  return w.t.container.invoices.create({
    customerId: String(customerId),
    docNumber,
    txnDate: '2026-11-20',
    closingDate: '2026-12-20',
    memo: 'Thanks',
    lines: [{ description: 'PA rental', quantity: '2', unitPrice: '150.00' }],
  });
}

async function sync(w: World) {
  const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
  await w.admin.post('/admin/settings/quickbooks/sync').type('form').send({ _csrf });
  await w.t.container.sync.worker.drain();
}

describe('Heavy AV against full QuickBooks companies (issue 15 reproductions)', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  it('pushes an invoice to the full US company with an active item, never the hard-coded Item 1 (issue 15)', async () => {
    await connect(w, { realmId: REALM_A });
    const customer = await makeCustomer(w.t, 'Full Company Customer');
    await makeInvoice(w, customer.id, 'HAV-1');
    await w.t.container.sync.worker.drain();
    const pushed = (await qbo(w, 'Invoice', REALM_A)).find((i) => i.DocNumber === 'HAV-1');
    expect(pushed, 'the invoice reached QuickBooks').to.not.equal(undefined);
    const items = new Map((await qbo(w, 'Item', REALM_A)).map((i) => [i.Id, i]));
    for (const line of pushed!.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail')) {
      const item = items.get(line.SalesItemLineDetail.ItemRef.value)!;
      expect(item.Active).to.equal(true);
      expect(item.Type).to.not.equal('Category');
    }
    expect(await w.t.container.db('qbo_outbox').where({ status: 'failed' })).to.deep.equal([]);
  });

  it('a Heavy AV invoice numbered like an existing QuickBooks invoice is a conflict: not adopted, not overwritten (issue 15)', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const services = await itemId(w, REALM_EMPTY);
    const theirs = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
      DisplayName: 'Theirs',
    });
    const existing = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
      CustomerRef: { value: theirs.Id },
      DocNumber: '1001',
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 99,
          SalesItemLineDetail: { ItemRef: { value: services }, Qty: 1, UnitPrice: 99 },
        },
      ],
    });
    const customer = await makeCustomer(w.t, 'Ours');
    const ours = await makeInvoice(w, customer.id, '1001');
    await w.t.container.sync.worker.drain();
    const after = (await qbo(w, 'Invoice', REALM_EMPTY)).find((i) => i.Id === existing.Id);
    expect(after, 'QuickBooks invoice 1001 untouched').to.deep.equal(existing);
    expect(await w.t.container.sync.links.find('invoice', ours.id, REALM_EMPTY), 'not adopted').to.equal(
      undefined,
    );
    const events = await w.t.container.db('sync_events').where({ entity: 'invoice', local_id: ours.id });
    expect(events.map((e: Entity) => e.result)).to.include('conflict');
  });

  for (const holder of ['Vendor', 'Employee', 'inactive Customer'] as const) {
    it(`a customer named like a QuickBooks ${holder} is a visible conflict, not a failure retried blindly (issue 15)`, async () => {
      await connect(w, { realmId: REALM_A });
      const entity = holder === 'inactive Customer' ? 'Customer' : holder;
      const taken = (await qbo(w, entity, REALM_A)).find((e) =>
        holder === 'inactive Customer' ? e.Active === false : true,
      )!;
      const customer = await makeCustomer(w.t, taken.DisplayName);
      await w.t.container.sync.worker.drain();
      const events = await w.t.container
        .db('sync_events')
        .where({ entity: 'customer', local_id: customer.id });
      expect(events.map((e: Entity) => e.result)).to.include('conflict');
      const page = await w.admin.get(`/admin/customers/${customer.id}`);
      expect(page.text).to.match(/conflict/i);
      expect(page.text).to.contain(entity === 'Customer' ? 'inactive' : entity.toLowerCase());
    });
  }

  it('Canadian company: every pushed line carries the GST/HST code chosen on the card (issue 15)', async () => {
    await connect(w, { realmId: REALM_B });
    const services = await itemId(w, REALM_B);
    const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    const saved = await w.admin
      .post('/admin/settings/quickbooks/defaults')
      .type('form')
      .send({ _csrf, itemId: services, taxCodeId: '4' });
    expect(saved.status).to.equal(303);
    const customer = await makeCustomer(w.t, 'Toronto Festival');
    await makeInvoice(w, customer.id, 'CA-1');
    await w.t.container.sync.worker.drain();
    const pushed = (await qbo(w, 'Invoice', REALM_B)).find((i) => i.DocNumber === 'CA-1');
    expect(pushed, 'the invoice reached QuickBooks').to.not.equal(undefined);
    for (const line of pushed!.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail')) {
      expect(line.SalesItemLineDetail.TaxCodeRef.value).to.equal('4');
    }
  });

  it("US automated sales tax: after a push the invoice shows QuickBooks' own tax and TotalAmt (issue 15)", async () => {
    await connect(w, { realmId: REALM_A });
    const rental = await itemId(w, REALM_A, 'PA System Rental');
    const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    await w.admin.post('/admin/settings/quickbooks/defaults').type('form').send({ _csrf, itemId: rental });
    const customer = await makeCustomer(w.t, 'Taxable Gala', {
      billingCity: 'Oakland',
      billingPostalCode: '94607',
    });
    const invoice = await w.t.container.invoices.create({
      customerId: String(customer.id),
      docNumber: 'TAX-1',
      txnDate: '2026-11-20',
      closingDate: '2026-12-20',
      memo: '',
      lines: [{ description: 'PA rental', quantity: '1', unitPrice: '450.00', taxable: 'on' } as any],
    });
    await w.t.container.sync.worker.drain();
    const pushed = (await qbo(w, 'Invoice', REALM_A)).find((i) => i.DocNumber === 'TAX-1');
    expect(pushed?.TxnTaxDetail.TotalTax, 'QuickBooks computed tax').to.be.greaterThan(0);
    const page = await w.admin.get(`/admin/invoices/${invoice.id}`);
    expect(page.text).to.contain(pushed!.TotalAmt.toFixed(2));
    expect(page.text).to.contain(pushed!.TxnTaxDetail.TotalTax.toFixed(2));
  });

  it('an invoice made in QuickBooks with a discount, a credit line and a sub-cent price keeps every line and its total, and "Sync now" sends nothing back (issue 15)', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const services = await itemId(w, REALM_EMPTY);
    const hours = await itemId(w, REALM_EMPTY, 'Hours');
    const customer = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
      DisplayName: 'Made In QuickBooks',
    });
    const invoice = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 37.13,
          Description: 'LED par, per day',
          SalesItemLineDetail: { ItemRef: { value: hours }, Qty: 3, UnitPrice: 12.375 },
        },
        {
          DetailType: 'SalesItemLineDetail',
          Amount: -10,
          Description: 'Credit: returned early',
          SalesItemLineDetail: { ItemRef: { value: services }, Qty: 1, UnitPrice: -10 },
        },
        {
          DetailType: 'DiscountLineDetail',
          Amount: 0,
          DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 },
        },
      ],
    });
    expect(invoice.TotalAmt).to.equal(24.42);
    const swept = await w.t.container.inbound.cdc.sweep(REALM_EMPTY);
    expect(swept.failed).to.equal(0);
    const link = await w.t.container
      .db('qbo_links')
      .where({ record_type: 'invoice', qbo_id: invoice.Id })
      .first();
    const local = (await w.t.container.invoices.getWithLines(Number(link.record_id)))!;
    expect(local.totalCents, "QuickBooks' total").to.equal(2442);
    await sync(w);
    const after = (await qbo(w, 'Invoice', REALM_EMPTY)).find((i) => i.Id === invoice.Id);
    expect(after, 'nothing sent back to QuickBooks').to.deep.equal(invoice);
  });

  it('a memo changed in Heavy AV on an invoice from QuickBooks sends the memo only, never rewritten lines (issue 15)', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const hours = await itemId(w, REALM_EMPTY, 'Hours');
    const customer = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
      DisplayName: 'Their Client',
    });
    const invoice = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 130,
          Description: 'Audio engineer',
          SalesItemLineDetail: {
            ItemRef: { value: hours },
            Qty: 2,
            UnitPrice: 65,
            ServiceDate: '2026-11-01',
          },
        },
      ],
    });
    await w.t.container.inbound.cdc.sweep(REALM_EMPTY);
    const link = await w.t.container
      .db('qbo_links')
      .where({ record_type: 'invoice', qbo_id: invoice.Id })
      .first();
    const local = (await w.t.container.invoices.getWithLines(Number(link.record_id)))!;
    await w.t.container.invoices.update(local.id, {
      customerId: String(local.customerId),
      docNumber: local.docNumber ?? '',
      txnDate: local.txnDate,
      closingDate: (local as any).dueDate ?? '',
      memo: 'Please pay by transfer',
      lines: local.lines.map((l) => ({
        description: l.description,
        quantity: String(l.quantityThousandths / 1000),
        unitPrice: (l.unitPriceCents / 100).toFixed(2),
      })),
    });
    await w.t.container.sync.worker.drain();
    const after = (await qbo(w, 'Invoice', REALM_EMPTY)).find((i) => i.Id === invoice.Id)!;
    expect(after.CustomerMemo?.value).to.equal('Please pay by transfer');
    expect(after.Line, 'lines exactly as QuickBooks had them').to.deep.equal(invoice.Line);
  });
});
