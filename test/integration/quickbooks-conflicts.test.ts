/**
 * Linking needs proof (issue 15, points 2 and 4; decision 009): what Heavy AV does when QuickBooks already
 * has a record with the same number or name, how an admin resolves it, and that nothing waits forever.
 * Each `it` states what QuickBooks must still look like: nothing of QuickBooks' changes until an admin says so.
 */
import { expect } from 'chai';
import { csrfToken } from '../helpers/app.js';
import { connect, itemId, REALM_EMPTY, startWorld, type World } from '../helpers/quickbooks.js';
import { makeCustomer, staffAgent } from '../helpers/records.js';

type Entity = Record<string, any>;

async function qbo(w: World, entity: string): Promise<Entity[]> {
  return w.control('GET', `/companies/${REALM_EMPTY}/entities/${entity}`);
}

async function drain(w: World) {
  await w.t.container.sync.worker.drain();
}

async function makeInvoice(w: World, customerId: number, docNumber: string, unitPrice = '150.00') {
  return w.t.container.invoices.create({
    customerId: String(customerId),
    docNumber,
    txnDate: '2026-11-20',
    closingDate: '2026-12-20',
    memo: 'Thanks',
    lines: [{ description: 'PA rental', quantity: '2', unitPrice }],
  });
}

/** "Their" invoice 1001, made inside QuickBooks for their own customer: total 42. */
async function theirInvoice1001(w: World): Promise<Entity> {
  const services = await itemId(w, REALM_EMPTY);
  const theirs = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
    DisplayName: 'Their Own Client',
  });
  return w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
    CustomerRef: { value: theirs.Id },
    DocNumber: '1001',
    Line: [
      {
        DetailType: 'SalesItemLineDetail',
        Amount: 42,
        SalesItemLineDetail: { ItemRef: { value: services }, Qty: 1, UnitPrice: 42 },
      },
    ],
  });
}

async function act(w: World, path: string, fields: Record<string, string>) {
  const _csrf = await csrfToken(w.admin, path);
  return w.admin
    .post(`${path}/quickbooks`)
    .type('form')
    .send({ _csrf, ...fields });
}

describe('QuickBooks conflicts: linking needs proof', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    await connect(w, { realmId: REALM_EMPTY });
  });
  afterEach(async () => w.close());

  describe('a number already used in QuickBooks', () => {
    let existing: Entity;
    let invoiceId: number;
    beforeEach(async () => {
      existing = await theirInvoice1001(w);
      const customer = await makeCustomer(w.t, 'Our Gala Client');
      invoiceId = (await makeInvoice(w, customer.id, '1001')).id;
      await drain(w);
    });

    it("is not adopted: QuickBooks' invoice 1001 keeps its customer, total and SyncToken; the record, the card and the history show the conflict", async () => {
      expect((await qbo(w, 'Invoice')).find((i) => i.Id === existing.Id)).to.deep.equal(existing);
      expect(await w.t.container.sync.links.find('invoice', invoiceId, REALM_EMPTY)).to.equal(undefined);
      const page = await w.admin.get(`/admin/invoices/${invoiceId}`);
      expect(page.text).to.contain('Number taken in QuickBooks');
      // Side by side: our 300.00 and their 42.00.
      expect(page.text).to.contain('300.00');
      expect(page.text).to.contain('42.00');
      expect(page.text).to.contain('value="renumber"');
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('1 in conflict');
      const list = await w.admin.get('/admin/settings/quickbooks/conflicts');
      expect(list.text).to.contain(`/admin/invoices/${invoiceId}`);
      const history = await w.admin.get('/admin/settings/quickbooks/history?result=conflict');
      expect(history.status).to.equal(200);
      expect(history.text).to.contain('6140');
      const item = await w.t.container
        .db('qbo_outbox')
        .where({ record_id: invoiceId, record_type: 'invoice' })
        .first();
      expect(item.status).to.equal('conflict');
    });

    it('is not retried blindly: "Sync now" and a new edit leave QuickBooks alone until an admin decides', async () => {
      await w.control('DELETE', '/ledger');
      const current = (await w.t.container.invoices.getWithLines(invoiceId))!;
      await w.t.container.invoices.update(invoiceId, {
        customerId: String(current.customerId),
        docNumber: '1001',
        txnDate: current.txnDate,
        closingDate: '2026-12-20',
        memo: 'Edited while in conflict',
        lines: [{ description: 'PA rental', quantity: '2', unitPrice: '150.00' }],
      });
      const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
      await w.admin.post('/admin/settings/quickbooks/sync').type('form').send({ _csrf });
      await drain(w);
      const writes = (await w.ledger()).filter((e) => e.method === 'POST' && /invoice|batch/.test(e.path));
      expect(writes).to.deep.equal([]);
      expect((await qbo(w, 'Invoice')).find((i) => i.Id === existing.Id)).to.deep.equal(existing);
    });

    it('renumber: the next number free on both sides, then created; theirs untouched', async () => {
      const res = await act(w, `/admin/invoices/${invoiceId}`, { action: 'renumber' });
      expect(res.status).to.equal(303);
      await drain(w);
      const local = await w.t.container.invoices.get(invoiceId);
      expect(local.docNumber).to.not.equal('1001');
      const invoices = await qbo(w, 'Invoice');
      expect(invoices.filter((i) => i.DocNumber === local.docNumber)).to.have.length(1);
      expect(invoices.find((i) => i.Id === existing.Id)).to.deep.equal(existing);
      expect(await w.t.container.sync.conflicts.countOpen(REALM_EMPTY)).to.equal(0);
      const card = await w.admin.get('/admin/settings/quickbooks');
      // The card always shows its three counts (issue 18): the conflict one is back to 0.
      expect(card.text).to.contain('0 in conflict');
      expect(card.text).to.not.contain('1 in conflict');
    });

    it('let-quickbooks-number: created without a number, and the record takes the one QuickBooks gave', async () => {
      await act(w, `/admin/invoices/${invoiceId}`, { action: 'let-quickbooks-number' });
      await drain(w);
      const link = (await w.t.container.sync.links.find('invoice', invoiceId, REALM_EMPTY))!;
      const created = (await qbo(w, 'Invoice')).find((i) => i.Id === link.qboId)!;
      expect(created.DocNumber).to.not.equal('1001');
      expect((await w.t.container.invoices.get(invoiceId)).docNumber).to.equal(created.DocNumber);
      expect((await qbo(w, 'Invoice')).find((i) => i.Id === existing.Id)).to.deep.equal(existing);
    });

    it('link after the side-by-side look: linked to their invoice, which is not changed', async () => {
      const res = await act(w, `/admin/invoices/${invoiceId}`, { action: 'link', qboId: existing.Id });
      expect(res.status).to.equal(303);
      await drain(w);
      expect((await w.t.container.sync.links.find('invoice', invoiceId, REALM_EMPTY))?.qboId).to.equal(
        existing.Id,
      );
      expect((await qbo(w, 'Invoice')).find((i) => i.Id === existing.Id)).to.deep.equal(existing);
      const events = await w.t.container.db('sync_events').where({ local_id: invoiceId, operation: 'link' });
      expect(events.map((e: Entity) => e.error_message)).to.include('linked by an admin');
    });

    it('only an admin resolves, with the CSRF token', async () => {
      const { agent, _csrf } = await staffAgent(w.t);
      const staff = await agent
        .post(`/admin/invoices/${invoiceId}/quickbooks`)
        .type('form')
        .send({ _csrf, action: 'renumber' });
      expect(staff.status).to.equal(403);
      const page = await agent.get(`/admin/invoices/${invoiceId}`);
      expect(page.text).to.contain('Number taken in QuickBooks');
      expect(page.text).to.not.contain('value="renumber"');
      const noToken = await w.admin
        .post(`/admin/invoices/${invoiceId}/quickbooks`)
        .type('form')
        .send({ action: 'renumber' });
      expect(noToken.status).to.equal(403);
      expect((await w.t.container.invoices.get(invoiceId)).docNumber).to.equal('1001');
    });
  });

  describe('a customer with the name of an active QuickBooks customer', () => {
    let theirs: Entity;
    let customerId: number;
    beforeEach(async () => {
      theirs = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
        DisplayName: 'Same Name Events',
        PrimaryEmailAddr: { Address: 'books@their-side.example' },
      });
      customerId = (await makeCustomer(w.t, 'Same Name Events', { email: 'hello@our-side.example' })).id;
      await drain(w);
    });

    it("is linked, but QuickBooks' email is not overwritten: the record shows both and waits for a choice", async () => {
      const after = (await qbo(w, 'Customer')).find((c) => c.Id === theirs.Id)!;
      expect(after).to.deep.equal(theirs);
      expect((await w.t.container.sync.links.find('customer', customerId, REALM_EMPTY))?.qboId).to.equal(
        theirs.Id,
      );
      const page = await w.admin.get(`/admin/customers/${customerId}`);
      expect(page.text).to.contain('Values differ from QuickBooks');
      expect(page.text).to.contain('books@their-side.example');
      expect(page.text).to.contain('hello@our-side.example');
    });

    it("keep-quickbooks: Heavy AV takes QuickBooks' email, nothing is sent", async () => {
      await act(w, `/admin/customers/${customerId}`, { action: 'keep-quickbooks' });
      await drain(w);
      expect((await w.t.container.customers.get(customerId)).email).to.equal('books@their-side.example');
      expect((await qbo(w, 'Customer')).find((c) => c.Id === theirs.Id)).to.deep.equal(theirs);
      expect(await w.t.container.sync.conflicts.countOpen(REALM_EMPTY)).to.equal(0);
    });

    it("keep-heavy-av: Heavy AV's email is sent to QuickBooks", async () => {
      await act(w, `/admin/customers/${customerId}`, { action: 'keep-heavy-av' });
      await drain(w);
      const after = (await qbo(w, 'Customer')).find((c) => c.Id === theirs.Id)!;
      expect(after.PrimaryEmailAddr.Address).to.equal('hello@our-side.example');
      expect(await w.t.container.sync.conflicts.countOpen(REALM_EMPTY)).to.equal(0);
    });
  });

  describe('a customer name held by a vendor', () => {
    it('is a name_taken conflict naming the vendor; renamed and retried, it reaches QuickBooks once', async () => {
      const vendor = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Vendor`, {
        DisplayName: 'Stage Right Supply',
      });
      const customer = await makeCustomer(w.t, 'Stage Right Supply');
      await drain(w);
      const conflict = await w.t.container.sync.conflicts.openFor('customer', customer.id, REALM_EMPTY);
      expect(conflict?.kind).to.equal('name_taken');
      expect(conflict?.qboId).to.equal(vendor.Id);
      const page = await w.admin.get(`/admin/customers/${customer.id}`);
      expect(page.text).to.contain('Name taken in QuickBooks');
      expect(page.text).to.contain('a vendor');
      // Renamed in Heavy AV (held while the conflict is open), then retried by the admin.
      await w.t.container.customers.update(customer.id, {
        displayName: 'Stage Right Supply (customer)',
        companyName: '',
        email: '',
        phone: '',
        billingLine1: '',
        billingCity: '',
        billingRegion: '',
        billingPostalCode: '',
        billingCountry: '',
      });
      await drain(w);
      expect((await qbo(w, 'Customer')).filter((c) => c.DisplayName.startsWith('Stage Right'))).to.deep.equal(
        [],
      );
      await act(w, `/admin/customers/${customer.id}`, { action: 'retry' });
      await drain(w);
      const pushed = (await qbo(w, 'Customer')).filter((c) => c.DisplayName.startsWith('Stage Right'));
      expect(pushed.map((c) => c.DisplayName)).to.deep.equal(['Stage Right Supply (customer)']);
      expect(
        await w.t.container.db('qbo_outbox').whereIn('status', ['pending', 'failed', 'conflict']),
      ).to.deep.equal([]);
    });
  });

  describe('the pull (CDC sweep)', () => {
    it('does not adopt a QuickBooks invoice by its number: the local one gets a conflict, neither changes', async () => {
      const customer = await makeCustomer(w.t, 'Local Client');
      const local = await makeInvoice(w, customer.id, '1001');
      const existing = await theirInvoice1001(w);
      const swept = await w.t.container.inbound.cdc.sweep(REALM_EMPTY);
      expect(swept.failed).to.equal(0);
      expect(await w.t.container.sync.links.find('invoice', local.id, REALM_EMPTY)).to.equal(undefined);
      const after = await w.t.container.invoices.get(local.id);
      expect(after.totalCents).to.equal(30000);
      expect(after.customerId).to.equal(customer.id);
      const conflict = await w.t.container.sync.conflicts.openFor('invoice', local.id, REALM_EMPTY);
      expect(conflict?.kind).to.equal('number_taken');
      expect(conflict?.qboId).to.equal(existing.Id);
      const events = await w.t.container.db('sync_events').where({ direction: 'pull', result: 'conflict' });
      expect(events).to.have.length(1);
      // The push then holds the record back too: QuickBooks' 1001 stays as it was.
      await drain(w);
      expect((await qbo(w, 'Invoice')).find((i) => i.Id === existing.Id)).to.deep.equal(existing);
      expect((await qbo(w, 'Invoice')).filter((i) => i.DocNumber === '1001')).to.have.length(1);
    });

    it('links a document Heavy AV created by the marker it wrote, whatever its number', async () => {
      const customer = await makeCustomer(w.t, 'Marker Client');
      const ours = await makeInvoice(w, customer.id, 'MK-1');
      await drain(w);
      const pushed = (await qbo(w, 'Invoice')).find((i) => i.DocNumber === 'MK-1')!;
      expect(pushed.PrivateNote).to.match(new RegExp(`^Created by Heavy AV · invoice #${ours.id} · `));
      // The link is lost (e.g. a restore from an older backup): the pull finds it again by the marker.
      await w.t.container.db('qbo_links').where({ record_type: 'invoice' }).del();
      await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice/${pushed.Id}`, {
        CustomerMemo: { value: 'seen' },
      });
      await w.t.container.inbound.cdc.sweep(REALM_EMPTY);
      expect((await w.t.container.sync.links.find('invoice', ours.id, REALM_EMPTY))?.qboId).to.equal(
        pushed.Id,
      );
      expect(await w.t.container.sync.conflicts.countOpen(REALM_EMPTY)).to.equal(0);
    });
  });

  describe('nothing stuck', () => {
    it('a batch refused as a whole (400) is split: each record gets its own answer', async () => {
      await w.control('POST', '/faults', {
        match: { method: 'POST', path: '/batch$' },
        times: 50,
        respond: {
          status: 400,
          body: {
            Fault: {
              Error: [{ Message: 'Request is invalid', Detail: 'batch refused', code: '2010' }],
              type: 'ValidationFault',
            },
          },
        },
      });
      for (const name of ['Split One', 'Split Two', 'Split Three']) await makeCustomer(w.t, name);
      await drain(w);
      const names = (await qbo(w, 'Customer')).map((c) => c.DisplayName);
      expect(names).to.include.members(['Split One', 'Split Two', 'Split Three']);
      expect(await w.t.container.db('qbo_outbox').whereIn('status', ['pending', 'failed'])).to.deep.equal([]);
      const singles = (await w.ledger()).filter((e) => e.method === 'POST' && e.path.endsWith('/customer'));
      expect(singles).to.have.length(3);
    });

    it('a record refused for good is failed with Intuit\'s message; "Retry failed" sends it again as a new request', async () => {
      const customer = await makeCustomer(w.t, 'Goes Inactive');
      await drain(w);
      const link = (await w.t.container.sync.links.find('customer', customer.id, REALM_EMPTY))!;
      // Made inactive inside QuickBooks: an invoice for it is refused (2500) until it is active again.
      await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer/${link.qboId}`, { Active: false });
      const invoice = await makeInvoice(w, customer.id, 'IN-1');
      await drain(w);
      const failed = await w.t.container
        .db('qbo_outbox')
        .where({ record_type: 'invoice', record_id: invoice.id })
        .first();
      expect(failed.status).to.equal('failed');
      expect(failed.last_error_code).to.equal('2500');
      const page = await w.admin.get(`/admin/invoices/${invoice.id}`);
      expect(page.text).to.contain('Invalid Reference Id');
      expect(page.text).to.contain('value="retry"');
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('1 failed');
      const firstIds = (await w.ledger()).filter((e) => e.path.endsWith('/batch')).map((e) => e.requestid);

      await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer/${link.qboId}`, { Active: true });
      const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
      const res = await w.admin.post('/admin/settings/quickbooks/retry-failed').type('form').send({ _csrf });
      expect(res.status).to.equal(303);
      await drain(w);
      const last = (await w.ledger()).filter((e) => e.path.endsWith('/batch')).at(-1)!;
      expect(firstIds).to.not.include(last.requestid);
      expect((await qbo(w, 'Invoice')).filter((i) => i.DocNumber === 'IN-1')).to.have.length(1);
      const done = await w.t.container
        .db('qbo_outbox')
        .where({ record_type: 'invoice', record_id: invoice.id })
        .first();
      expect(done.status).to.equal('done');
    });

    it('"Retry" on the record queues it again', async () => {
      const customer = await makeCustomer(w.t, 'Retry Me');
      await drain(w);
      const res = await act(w, `/admin/customers/${customer.id}`, { action: 'retry' });
      expect(res.status).to.equal(303);
      const item = await w.t.container
        .db('qbo_outbox')
        .where({ record_type: 'customer', record_id: customer.id, status: 'pending' });
      expect(item).to.have.length(1);
    });
  });
});
