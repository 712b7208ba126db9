import { expect } from 'chai';
import request from 'supertest';
import type { RecordChange } from '../../src/records/hooks.js';
import { createUser, csrfFrom, signIn, startTestApp, type TestApp } from '../helpers/app.js';
import { TestHooks } from '../helpers/record-hooks.js';
import { documentValues, formBody, makeCustomer, rowCount, staffAgent } from '../helpers/records.js';

type Line = { description: string; quantity: string; unitPrice: string };

function invoiceForm(customerId: number | string, lines: Line[], extra: Record<string, unknown> = {}) {
  return {
    customerId: String(customerId),
    docNumber: '',
    txnDate: '2026-11-28',
    dueDate: '2026-12-28',
    memo: 'Conference AV',
    lines,
    ...extra,
  };
}

const mics = { description: 'Wireless microphones', quantity: '3', unitPrice: '19.99' };

describe('invoices', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  let hooks: TestHooks;
  /** The app again, with record hooks of the test's own (given to createContainer) instead of the push's. */
  async function withTestHooks() {
    await t.close();
    hooks = new TestHooks();
    t = await startTestApp({ hooks });
  }

  async function counts() {
    return { invoices: await rowCount(t, 'invoices'), lines: await rowCount(t, 'invoice_lines') };
  }

  describe('POST /admin/invoices/new', () => {
    it('lets staff create an invoice numbered 1001 with totals computed in cents', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const form = await agent.get(`/admin/invoices/new?customerId=${customer.id}`);
      expect(form.status).to.equal(200);
      expect(form.text).to.contain('name="dueDate"');
      expect(form.text).to.not.contain('name="expirationDate"');
      expect(form.text).to.match(new RegExp(`<option value="${customer.id}" selected`));

      const res = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(
          formBody({
            ...invoiceForm(customer.id, [mics, { description: 'Cable', quantity: '1.5', unitPrice: '0.35' }]),
            _csrf,
          }),
        );
      expect(res.status).to.equal(303);
      const invoice = await t.container.invoices.findByDocNumber('1001');
      expect(res.headers.location).to.equal(`/admin/invoices/${invoice!.id}`);
      expect(invoice).to.include({
        dueDate: '2026-12-28',
        totalCents: 6050,
        estimateId: null,
        status: 'open',
      });
      const page = await agent.get(res.headers.location);
      expect(page.text).to.contain('Invoice 1001 created.');
      expect(page.text).to.contain('60.50');
      expect(page.text).to.contain('Conference AV');
    });

    it('lets admins create invoices too', async () => {
      await createUser(t);
      const agent = await signIn(t);
      const customer = await makeCustomer(t);
      const page = await agent.get('/admin/invoices/new');
      const _csrf = csrfFrom(page.text);
      const res = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody({ ...invoiceForm(customer.id, [mics]), _csrf }));
      expect(res.status).to.equal(303);
      expect(await counts()).to.deep.equal({ invoices: 1, lines: 1 });
    });

    it('redirects anonymous visitors to sign in and stores nothing', async () => {
      await createUser(t);
      const customer = await makeCustomer(t);
      for (const path of ['/admin/invoices', '/admin/invoices/new', '/admin/invoices/1']) {
        const res = await request(t.app).get(path);
        expect(res.status, path).to.equal(303);
        expect(res.headers.location).to.equal('/admin/login');
      }
      await request(t.app)
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody(invoiceForm(customer.id, [mics])));
      expect(await counts()).to.deep.equal({ invoices: 0, lines: 0 });
    });

    it('refuses a POST without _csrf with 403 and stores nothing', async () => {
      const { agent } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const res = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody(invoiceForm(customer.id, [mics])));
      expect(res.status).to.equal(403);
      expect(await counts()).to.deep.equal({ invoices: 0, lines: 0 });
    });

    const invalid: [string, (customerId: number) => Record<string, unknown>, string, string][] = [
      [
        'an unknown customer',
        () => invoiceForm(4242, [mics]),
        'f-customerId-error',
        'Choose a customer from the list.',
      ],
      [
        'a negative quantity',
        (c) => invoiceForm(c, [mics, { ...mics, quantity: '-1' }]),
        'f-lines-1-quantity-error',
        'Cannot be negative.',
      ],
      [
        'a price with fractions of a cent',
        (c) => invoiceForm(c, [{ ...mics, unitPrice: '0.333' }]),
        'f-lines-0-unitPrice-error',
        'Use at most 2 decimal places.',
      ],
      [
        'only blank lines',
        (c) => invoiceForm(c, [{ description: '', quantity: '', unitPrice: '' }]),
        'lines-error',
        'Add at least one line.',
      ],
      [
        'a bad due date',
        (c) => invoiceForm(c, [mics], { dueDate: '2026-13-01' }),
        'f-dueDate-error',
        'YYYY-MM-DD',
      ],
    ];
    for (const [story, build, errorId, message] of invalid) {
      it(`re-renders with 422 and the entered values for ${story}; stores nothing`, async () => {
        const { agent, _csrf } = await staffAgent(t);
        const customer = await makeCustomer(t);
        const res = await agent
          .post('/admin/invoices/new')
          .type('form')
          .send(formBody({ ...build(customer.id), _csrf }));
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(`id="${errorId}"`);
        expect(res.text).to.contain(message);
        expect(res.text).to.contain('Conference AV');
        expect(res.text).to.contain('value="2026-11-28"');
        expect(await counts()).to.deep.equal({ invoices: 0, lines: 0 });
      });
    }

    it('refuses a duplicate invoice number with 422, but the same number may be an estimate', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      await t.container.estimates.create(documentValues(customer.id, [mics], { docNumber: '2001' }));
      const first = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody({ ...invoiceForm(customer.id, [mics], { docNumber: '2001' }), _csrf }));
      expect(first.status).to.equal(303);
      const again = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody({ ...invoiceForm(customer.id, [mics], { docNumber: '2001' }), _csrf }));
      expect(again.status).to.equal(422);
      expect(again.text).to.contain('Number 2001 is already used by another invoice.');
      expect(await counts()).to.deep.equal({ invoices: 1, lines: 1 });
    });
  });

  describe('GET /admin/invoices', () => {
    it('lists, searches and paginates', async () => {
      const { agent } = await staffAgent(t);
      const acme = await makeCustomer(t, 'Acme Events');
      const other = await makeCustomer(t, 'Globex');
      for (let i = 0; i < 25; i++) await t.container.invoices.create(documentValues(acme.id, [mics]));
      await t.container.invoices.create(documentValues(other.id, [mics], { memo: 'Keynote' }));
      const first = await agent.get('/admin/invoices');
      expect(first.text).to.contain('>1026<');
      expect(first.text).to.not.contain('>1001<');
      expect(first.text).to.contain('Page 1 of 2');
      const second = await agent.get('/admin/invoices').query({ page: '2' });
      expect(second.text).to.contain('>1001<');
      const search = await agent.get('/admin/invoices').query({ q: 'globex' });
      expect(search.text).to.contain('>1026<');
      expect(search.text).to.not.contain('>1025<');
      expect(search.text).to.not.contain('Page 1 of');
    });
  });

  describe('GET /admin/invoices/:id/edit and POST /admin/invoices/:id', () => {
    beforeEach(withTestHooks);

    it('edits an invoice and records the update inside the transaction', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const invoice = await t.container.invoices.create(documentValues(customer.id, [mics]));
      const calls: (RecordChange & { total: number })[] = [];
      hooks.onChange(async (trx, change) => {
        const row = await trx('invoices').where({ id: change.id }).first();
        calls.push({ ...change, total: Number(row.total_cents) });
      });
      const form = await agent.get(`/admin/invoices/${invoice.id}/edit`);
      expect(form.text).to.contain('value="Wireless microphones"');
      const res = await agent
        .post(`/admin/invoices/${invoice.id}`)
        .type('form')
        .send(
          formBody({
            ...invoiceForm(customer.id, [{ ...mics, quantity: '10' }], { docNumber: '1001' }),
            _csrf,
          }),
        );
      expect(res.status).to.equal(303);
      expect(calls).to.deep.equal([{ type: 'invoice', id: invoice.id, action: 'update', total: 19990 }]);
    });

    it('rolls an update back when recordChange fails', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const invoice = await t.container.invoices.create(documentValues(customer.id, [mics]));
      hooks.onChange(async () => {
        throw new Error('outbox unavailable');
      });
      const res = await agent
        .post(`/admin/invoices/${invoice.id}`)
        .type('form')
        .send(formBody({ ...invoiceForm(customer.id, [mics, mics]), _csrf }));
      expect(res.status).to.equal(500);
      const after = await t.container.invoices.getWithLines(invoice.id);
      expect(after!.totalCents).to.equal(5997);
      expect(after!.lines).to.have.length(1);
    });
  });

  describe('POST /admin/estimates/:id/invoice', () => {
    beforeEach(withTestHooks);

    it('turns an estimate into an invoice with its lines, links them, and does it only once', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const estimate = await t.container.estimates.create(
        documentValues(customer.id, [mics, { description: 'Cable', quantity: '0.333', unitPrice: '1.50' }], {
          memo: 'Quote for the gala',
        }),
      );
      const calls: RecordChange[] = [];
      hooks.onChange(async (_trx, change) => {
        calls.push(change);
      });
      const res = await agent.post(`/admin/estimates/${estimate.id}/invoice`).type('form').send({ _csrf });
      expect(res.status).to.equal(303);
      const invoice = await t.container.invoices.findByEstimateId(estimate.id);
      expect(res.headers.location).to.equal(`/admin/invoices/${invoice!.id}`);
      const full = await t.container.invoices.getWithLines(invoice!.id);
      expect(full).to.include({
        customerId: customer.id,
        estimateId: estimate.id,
        memo: 'Quote for the gala',
        totalCents: 6047,
        docNumber: '1001',
      });
      expect(full!.lines.map((l) => [l.description, l.quantityThousandths, l.amountCents])).to.deep.equal([
        ['Wireless microphones', 3000, 5997],
        ['Cable', 333, 50],
      ]);
      expect(calls).to.deep.equal([{ type: 'invoice', id: invoice!.id, action: 'create' }]);

      const page = await agent.get(res.headers.location);
      expect(page.text).to.contain('created from the estimate');
      expect(page.text).to.contain(`href="/admin/estimates/${estimate.id}"`);
      const estimatePage = await agent.get(`/admin/estimates/${estimate.id}`);
      expect(estimatePage.text).to.contain(`href="/admin/invoices/${invoice!.id}"`);
      expect(estimatePage.text).to.not.contain('Turn into invoice');

      const again = await agent.post(`/admin/estimates/${estimate.id}/invoice`).type('form').send({ _csrf });
      expect(again.status).to.equal(303);
      expect(again.headers.location).to.equal(`/admin/invoices/${invoice!.id}`);
      expect(await counts()).to.deep.equal({ invoices: 1, lines: 2 });
    });

    it('needs _csrf, and stores nothing when recordChange fails', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const estimate = await t.container.estimates.create(documentValues(customer.id, [mics]));
      const forged = await agent.post(`/admin/estimates/${estimate.id}/invoice`).type('form').send({});
      expect(forged.status).to.equal(403);
      hooks.onChange(async () => {
        throw new Error('outbox unavailable');
      });
      const res = await agent.post(`/admin/estimates/${estimate.id}/invoice`).type('form').send({ _csrf });
      expect(res.status).to.equal(500);
      expect(await counts()).to.deep.equal({ invoices: 0, lines: 0 });
    });

    it('answers 404 for an unknown estimate', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const res = await agent.post('/admin/estimates/999/invoice').type('form').send({ _csrf });
      expect(res.status).to.equal(404);
    });
  });

  describe('inbound sync methods', () => {
    beforeEach(withTestHooks);

    it('marks an invoice voided or deleted without recording a change, and keeps it', async () => {
      const customer = await makeCustomer(t);
      const invoice = await t.container.invoices.create(documentValues(customer.id, [mics]));
      const calls: RecordChange[] = [];
      hooks.onChange(async (_trx, change) => {
        calls.push(change);
      });
      await t.container.invoices.markStatus(invoice.id, 'voided');
      expect((await t.container.invoices.get(invoice.id)).status).to.equal('voided');
      const quiet = await t.container.invoices.createFromQuickBooks({
        customerId: customer.id,
        docNumber: null,
        txnDate: '2026-11-05',
        closingDate: null,
        memo: '',
        lines: [{ description: 'From QBO', quantityThousandths: 1000, unitPriceCents: 100 }],
      });
      expect(quiet.docNumber).to.equal('1002');
      expect(calls).to.deep.equal([]);
      expect(await counts()).to.deep.equal({ invoices: 2, lines: 2 });
    });
  });
});
