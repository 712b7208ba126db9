import { expect } from 'chai';
import type { TestApp } from '../helpers/app.js';
import { csrfToken } from '../helpers/app.js';
import { connect, REALM_A, REALM_EMPTY, startWorld, type World } from '../helpers/quickbooks.js';
import { formBody, makeCustomer } from '../helpers/records.js';
import { until } from '../helpers/until.js';

async function makeInvoice(
  t: TestApp,
  customerId: number,
  docNumber: string,
  lines = [{ description: 'PA rental', quantity: '2', unitPrice: '150.00' }],
) {
  return t.container.invoices.create({
    customerId: String(customerId),
    docNumber,
    txnDate: '2026-11-20',
    closingDate: '2026-12-20',
    memo: 'Thanks',
    lines,
  });
}

async function qbo(w: World, entity: string, realm = REALM_A): Promise<any[]> {
  return w.control('GET', `/companies/${realm}/entities/${entity}`);
}

async function drain(w: World) {
  await w.t.container.sync.worker.drain();
}

describe('QuickBooks push', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  it('pushes a customer created through the form and shows the link on its page', async () => {
    await connect(w);
    const _csrf = await csrfToken(w.admin, '/admin/customers/new');
    const res = await w.admin
      .post('/admin/customers/new')
      .type('form')
      .send({ _csrf, displayName: "Amy's Bird Sanctuary", companyName: 'Amy Co', email: 'amy@example.com' });
    expect(res.status).to.equal(303);
    await drain(w);
    const customers = (await qbo(w, 'Customer')).filter((c) => c.DisplayName === "Amy's Bird Sanctuary");
    expect(customers).to.have.length(1);
    expect(customers[0].PrimaryEmailAddr.Address).to.equal('amy@example.com');
    const page = await w.admin.get(res.headers.location);
    expect(page.text).to.contain(String(customers[0].Id));
    expect(page.text).to.contain(REALM_A);
  });

  it('moves the card\'s "Last successful sync" when a push or a CDC sweep succeeds, not only on "Sync now"', async () => {
    await connect(w);
    const lastSync = async () =>
      (await w.t.container.quickbooks.connections.findByRealm(REALM_A))?.lastSyncAt ?? null;
    const card = async () => (await w.admin.get('/admin/settings/quickbooks')).text;
    expect(await lastSync()).to.equal(null);
    expect(await card()).to.match(/Last successful sync<\/dt><dd>not yet/);

    await makeCustomer(w.t, 'Card Clock Ltd');
    const beforePush = new Date().toISOString();
    await drain(w);
    const afterPush = await lastSync();
    expect(afterPush).to.be.a('string');
    expect(afterPush! >= beforePush).to.equal(true);
    expect(await card()).to.not.match(/Last successful sync<\/dt><dd>not yet/);

    // A sweep that finds nothing to change still shows Heavy AV is in step.
    await new Promise((r) => setTimeout(r, 5));
    const result = await w.t.container.inbound.cdc.sweep(REALM_A);
    expect(result.failed).to.equal(0);
    expect((await lastSync())! > afterPush!).to.equal(true);
  });

  it('pushes an invoice with its customer, updates it with the SyncToken, skips an unchanged one', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const customer = await makeCustomer(w.t, 'Blue Stage');
    const invoice = await makeInvoice(w.t, customer.id, 'INV-1');
    await drain(w);
    let invoices = await qbo(w, 'Invoice', REALM_EMPTY);
    const pushed = invoices.find((i) => i.DocNumber === 'INV-1');
    expect(pushed.TotalAmt).to.equal(300);
    const qboCustomer = (await qbo(w, 'Customer', REALM_EMPTY)).find((c) => c.DisplayName === 'Blue Stage');
    expect(pushed.CustomerRef.value).to.equal(qboCustomer.Id);
    expect(pushed.SyncToken).to.equal('0');

    await w.t.container.invoices.update(invoice.id, {
      customerId: String(customer.id),
      docNumber: 'INV-1',
      txnDate: '2026-11-20',
      closingDate: '2026-12-20',
      memo: 'Thanks',
      lines: [{ description: 'PA rental', quantity: '3', unitPrice: '150.00' }],
    });
    await drain(w);
    invoices = await qbo(w, 'Invoice', REALM_EMPTY);
    expect(invoices.filter((i) => i.DocNumber === 'INV-1')).to.have.length(1);
    const updated = invoices.find((i) => i.DocNumber === 'INV-1');
    expect(updated.TotalAmt).to.equal(450);
    expect(updated.SyncToken).to.equal('1');
    const link = await w.t.container.sync.links.find('invoice', invoice.id, REALM_EMPTY);
    expect(link?.syncToken).to.equal('1');

    // The same values again: nothing is sent.
    await w.control('DELETE', '/ledger');
    await w.t.container.invoices.update(invoice.id, {
      customerId: String(customer.id),
      docNumber: 'INV-1',
      txnDate: '2026-11-20',
      closingDate: '2026-12-20',
      memo: 'Thanks',
      lines: [{ description: 'PA rental', quantity: '3', unitPrice: '150.00' }],
    });
    await drain(w);
    expect((await w.ledger()).filter((e) => e.path.endsWith('/batch'))).to.deep.equal([]);
    const skipped = await w.t.container.db('sync_events').where({ entity: 'invoice', result: 'skipped' });
    expect(skipped).to.have.length(1);
  });

  it('heals a stale SyncToken by itself (the record was changed inside QuickBooks)', async () => {
    await connect(w);
    const customer = await makeCustomer(w.t, 'Stale Co');
    await drain(w);
    const inQbo = (await qbo(w, 'Customer')).find((c) => c.DisplayName === 'Stale Co');
    await w.control('POST', `/companies/${REALM_A}/entities/Customer/${inQbo.Id}`, {
      CompanyName: 'Changed in QuickBooks',
    });
    await w.t.container.customers.update(customer.id, {
      displayName: 'Stale Co',
      companyName: 'Changed in Heavy AV',
      email: '',
      phone: '',
      billingLine1: '',
      billingCity: '',
      billingPostalCode: '',
      billingCountry: '',
    });
    await drain(w);
    const after = (await qbo(w, 'Customer')).find((c) => c.DisplayName === 'Stale Co');
    expect(after.CompanyName).to.equal('Changed in Heavy AV');
    expect(after.SyncToken).to.equal('2');
    const healed = await w.t.container
      .db('sync_events')
      .where({ entity: 'customer', result: 'ok' })
      .where('error_message', 'like', '%stale%');
    expect(healed).to.have.length(1);
    expect((await w.t.container.db('qbo_outbox').where({ status: 'pending' })).length).to.equal(0);
  });

  it('after a disconnect pushes nothing and shows the record "not syncing"; after a reconnect the waiting work goes out', async () => {
    await connect(w);
    const customer = await makeCustomer(w.t, 'Early Bird');
    await drain(w);
    const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({ _csrf });
    await w.control('DELETE', '/ledger');
    await makeCustomer(w.t, 'Made While Disconnected');
    await w.t.container.customers.update(customer.id, {
      displayName: 'Early Bird',
      companyName: 'Edited offline',
      email: '',
      phone: '',
      billingLine1: '',
      billingCity: '',
      billingPostalCode: '',
      billingCountry: '',
    });
    await drain(w);
    expect(await w.ledger()).to.deep.equal([]);
    const page = await w.admin.get(`/admin/customers/${customer.id}`);
    // Issue 18: edits still work, so the page says "not syncing" and that changes wait, never "read-only".
    expect(page.text).to.contain('data-qbo-state="not-syncing"');
    expect(page.text).to.contain('wait for a reconnect to the same company');
    expect(page.text.toLowerCase()).to.not.contain('read-only');

    await connect(w);
    await drain(w);
    const names = (await qbo(w, 'Customer')).map((c) => c.DisplayName);
    expect(names.filter((n) => n === 'Made While Disconnected')).to.have.length(1);
    expect(names.filter((n) => n === 'Early Bird')).to.have.length(1);
    expect((await qbo(w, 'Customer')).find((c) => c.DisplayName === 'Early Bird').CompanyName).to.equal(
      'Edited offline',
    );
  });

  it('after a switch to another company, no request carries an id from the first', async () => {
    await connect(w);
    const customer = await makeCustomer(w.t, 'Switcher');
    await makeInvoice(w.t, customer.id, 'SW-1');
    await drain(w);
    const aCustomer = (await qbo(w, 'Customer')).find((c) => c.DisplayName === 'Switcher');
    let _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({ _csrf });
    await connect(w, { realmId: REALM_EMPTY });
    _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    await w.admin.post('/admin/settings/quickbooks/switch').type('form').send({ _csrf, confirm: 'yes' });
    await w.control('DELETE', '/ledger');
    _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    await w.admin.post('/admin/settings/quickbooks/sync').type('form').send({ _csrf });
    await drain(w);
    const ledger = await w.ledger();
    expect(ledger.every((e) => e.realmId === null || e.realmId === REALM_EMPTY)).to.equal(true);
    const bCustomers = (await qbo(w, 'Customer', REALM_EMPTY)).filter((c) => c.DisplayName === 'Switcher');
    expect(bCustomers).to.have.length(1);
    const bInvoice = (await qbo(w, 'Invoice', REALM_EMPTY)).find((i) => i.DocNumber === 'SW-1');
    expect(bInvoice.CustomerRef.value).to.equal(bCustomers[0].Id);
    const archived = await w.t.container.db('qbo_links').where({ realm_id: REALM_A });
    expect(archived.every((l: any) => l.state === 'archived')).to.equal(true);
    expect(aCustomer.Id).to.be.a('string');
    // The invoice page shows both links: the archived one read-only.
    const links = await w.t.container.sync.linksFor('customer', customer.id);
    expect(links.find((l) => l.realmId === REALM_A)?.readOnly).to.equal(true);
    expect(links.find((l) => l.realmId === REALM_EMPTY)?.readOnly).to.equal(false);
  });

  it('after the links are lost, a push links the existing QuickBooks records instead of creating copies', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const customer = await makeCustomer(w.t, 'Lost Links Ltd');
    await makeInvoice(w.t, customer.id, 'LL-1');
    await drain(w);
    const before = {
      customers: (await qbo(w, 'Customer', REALM_EMPTY)).length,
      invoices: (await qbo(w, 'Invoice', REALM_EMPTY)).length,
    };
    await w.t.container.db('qbo_links').del();
    // The push alone (what "Sync now" queues): it links both records.
    await w.t.container.sync.queueFullPush(REALM_EMPTY);
    await drain(w);
    expect((await qbo(w, 'Customer', REALM_EMPTY)).length).to.equal(before.customers);
    expect((await qbo(w, 'Invoice', REALM_EMPTY)).length).to.equal(before.invoices);
    expect(await w.t.container.sync.links.find('invoice', 1, REALM_EMPTY)).to.not.equal(undefined);
    const linkedEvents = await w.t.container.db('sync_events').where({ operation: 'link', result: 'ok' });
    expect(linkedEvents.map((e) => e.direction)).to.deep.equal(['push', 'push']);

    // "Sync now" pushes and pulls (a CDC sweep that links what it finds): lost links again, still no copy, and
    // each record linked once more (by the pull, or by the push if it gets there first).
    await w.t.container.db('qbo_links').del();
    const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    await w.admin.post('/admin/settings/quickbooks/sync').type('form').send({ _csrf });
    await until(
      async () => (await w.t.container.inbound.pullProgress(REALM_EMPTY))?.running === false,
      10_000,
      'the pull',
    );
    await drain(w);
    expect((await qbo(w, 'Customer', REALM_EMPTY)).length).to.equal(before.customers);
    expect((await qbo(w, 'Invoice', REALM_EMPTY)).length).to.equal(before.invoices);
    expect(await w.t.container.sync.links.find('invoice', 1, REALM_EMPTY)).to.not.equal(undefined);
    const relinked = await w.t.container.db('sync_events').where({ operation: 'link', result: 'ok' });
    expect(relinked.length).to.equal(4);
  });

  it('records a refused record as failed with the Fault code, and keeps going with the others', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const customer = await makeCustomer(w.t, 'Good Customer');
    await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
      DocNumber: 'TAKEN-1',
      CustomerRef: { value: '1' },
      Line: [
        { DetailType: 'SalesItemLineDetail', Amount: 5, SalesItemLineDetail: { ItemRef: { value: '1' } } },
      ],
    });
    await makeInvoice(w.t, customer.id, 'OK-1');
    await drain(w);
    const invoices = await qbo(w, 'Invoice', REALM_EMPTY);
    expect(invoices.filter((i) => i.DocNumber === 'OK-1')).to.have.length(1);
    const failedItems = await w.t.container.db('qbo_outbox').where({ status: 'failed' });
    expect(failedItems).to.have.length(0);
    const form = formBody({
      customerId: customer.id,
      docNumber: 'OK-2',
      txnDate: '2026-11-21',
      closingDate: '',
      memo: '',
      lines: { 0: { description: 'Lights', quantity: '1', unitPrice: '10' } },
    });
    const _csrf = await csrfToken(w.admin, '/admin/invoices/new');
    const res = await w.admin
      .post('/admin/invoices/new')
      .type('form')
      .send(`${form}&_csrf=${encodeURIComponent(_csrf)}`);
    expect(res.status).to.equal(303);
    await drain(w);
    expect((await qbo(w, 'Invoice', REALM_EMPTY)).filter((i) => i.DocNumber === 'OK-2')).to.have.length(1);
  });
});
