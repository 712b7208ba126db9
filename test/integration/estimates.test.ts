import { expect } from 'chai';
import request from 'supertest';
import type { RecordChange } from '../../src/records/hooks.js';
import { createUser, startTestApp, type TestApp } from '../helpers/app.js';
import { TestHooks } from '../helpers/record-hooks.js';
import { documentValues, formBody, makeCustomer, rowCount, staffAgent } from '../helpers/records.js';

type Line = { description: string; quantity: string; unitPrice: string };

function estimateForm(customerId: number | string, lines: Line[], extra: Record<string, unknown> = {}) {
  return {
    customerId: String(customerId),
    docNumber: '',
    txnDate: '2026-11-28',
    expirationDate: '2026-12-28',
    memo: 'Summer festival',
    lines,
    ...extra,
  };
}

const speakers = { description: 'Line array speakers', quantity: '3', unitPrice: '19.99' };

describe('estimates', () => {
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
    return { estimates: await rowCount(t, 'estimates'), lines: await rowCount(t, 'estimate_lines') };
  }

  describe('POST /admin/estimates/new', () => {
    it('creates an estimate with server-computed totals in cents and numbers it 1001 like an invoice', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const form = await agent.get('/admin/estimates/new');
      expect(form.status).to.equal(200);
      for (const name of ['customerId', 'docNumber', 'txnDate', 'expirationDate', 'memo'])
        expect(form.text).to.contain(`name="${name}"`);
      expect(form.text).to.contain('name="lines[2][unitPrice]"');
      expect(form.text).to.contain(`<option value="${customer.id}"`);

      const res = await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(
          formBody({
            ...estimateForm(customer.id, [
              speakers,
              { description: '', quantity: '', unitPrice: '' },
              { description: 'Cable', quantity: '0.333', unitPrice: '1.50' },
            ]),
            // A total in the form is ignored: totals are computed on the server.
            totalCents: '1',
            _csrf,
          }),
        );
      expect(res.status).to.equal(303);
      const estimate = await t.container.estimates.findByDocNumber('1001');
      expect(res.headers.location).to.equal(`/admin/estimates/${estimate!.id}`);
      const full = await t.container.estimates.getWithLines(estimate!.id);
      expect(full).to.include({
        customerId: customer.id,
        customerName: 'Acme Events',
        txnDate: '2026-11-28',
        expirationDate: '2026-12-28',
        memo: 'Summer festival',
        totalCents: 6047,
        status: 'open',
      });
      // No QuickBooks item, tax code or line id chosen: the card's defaults apply when it is pushed.
      const none = {
        itemId: null,
        itemName: null,
        taxCodeId: null,
        taxable: null,
        serviceDate: null,
        externalLineId: null,
      };
      expect(full!.lines).to.deep.equal([
        {
          position: 1,
          description: 'Line array speakers',
          quantityThousandths: 3000,
          unitPriceCents: 1999,
          amountCents: 5997,
          ...none,
        },
        {
          position: 2,
          description: 'Cable',
          quantityThousandths: 333,
          unitPriceCents: 150,
          amountCents: 50,
          ...none,
        },
      ]);

      const page = await agent.get(res.headers.location);
      expect(page.text).to.contain('Estimate 1001 created.');
      expect(page.text).to.contain('59.97');
      expect(page.text).to.contain('60.47');
      expect(page.text).to.contain('Turn into invoice');
      expect(page.text).to.contain('Not in QuickBooks yet');
    });

    it('keeps a number that was entered, and skips taken numbers when assigning', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers], { docNumber: '1002' }), _csrf }));
      await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers]), _csrf }));
      const numbers = (await t.container.estimates.list({})).items.map((e) => e.docNumber).sort();
      expect(numbers).to.deep.equal(['1002', '1003']);
    });

    it('accepts lines keyed as an object with gaps (more than 20 rows, as qs parses them)', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const body =
        `customerId=${customer.id}&txnDate=2026-11-28&_csrf=${encodeURIComponent(_csrf)}` +
        '&lines[30][description]=Late&lines[30][quantity]=1&lines[30][unitPrice]=2' +
        '&lines[2][description]=Early&lines[2][quantity]=2&lines[2][unitPrice]=1.25';
      const res = await agent.post('/admin/estimates/new').type('form').send(body);
      expect(res.status).to.equal(303);
      const estimate = await t.container.estimates.getWithLines(
        Number(res.headers.location.split('/').pop()),
      );
      expect(estimate!.lines.map((l) => [l.description, l.amountCents])).to.deep.equal([
        ['Early', 250],
        ['Late', 200],
      ]);
      expect(estimate!.totalCents).to.equal(450);
    });

    it('redirects anonymous visitors to sign in', async () => {
      await createUser(t);
      for (const path of ['/admin/estimates', '/admin/estimates/new', '/admin/estimates/1/edit']) {
        const res = await request(t.app).get(path);
        expect(res.status, path).to.equal(303);
        expect(res.headers.location).to.equal('/admin/login');
      }
    });

    it('refuses a POST without _csrf with 403 and stores nothing', async () => {
      const { agent } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const res = await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(estimateForm(customer.id, [speakers]));
      expect(res.status).to.equal(403);
      expect(await counts()).to.deep.equal({ estimates: 0, lines: 0 });
    });

    const invalid: [string, (customerId: number) => Record<string, unknown>, string, string][] = [
      ['no customer', () => estimateForm('', [speakers]), 'f-customerId-error', 'Choose a customer.'],
      [
        'an unknown customer',
        () => estimateForm(9999, [speakers]),
        'f-customerId-error',
        'Choose a customer from the list.',
      ],
      [
        'a negative quantity',
        (c) => estimateForm(c, [{ ...speakers, quantity: '-2' }]),
        'f-lines-0-quantity-error',
        'Cannot be negative.',
      ],
      [
        'a non-numeric unit price',
        (c) => estimateForm(c, [{ ...speakers, unitPrice: 'twelve' }]),
        'f-lines-0-unitPrice-error',
        'Enter an amount like 1,250.00.',
      ],
      [
        'a negative unit price',
        (c) => estimateForm(c, [{ ...speakers, unitPrice: '-5' }]),
        'f-lines-0-unitPrice-error',
        'Cannot be negative.',
      ],
      [
        'a line without description',
        (c) => estimateForm(c, [{ ...speakers, description: '' }]),
        'f-lines-0-description-error',
        'Describe this line.',
      ],
      ['no lines', (c) => estimateForm(c, []), 'lines-error', 'Add at least one line.'],
      [
        'a missing date',
        (c) => estimateForm(c, [speakers], { txnDate: '' }),
        'f-txnDate-error',
        'Enter a date.',
      ],
      [
        'an expiration before the date',
        (c) => estimateForm(c, [speakers], { expirationDate: '2026-01-01' }),
        'f-expirationDate-error',
        'cannot be before',
      ],
    ];
    for (const [story, build, errorId, message] of invalid) {
      it(`re-renders with 422 and keeps the entered values for ${story}; stores nothing`, async () => {
        const { agent, _csrf } = await staffAgent(t);
        const customer = await makeCustomer(t);
        const body = build(customer.id);
        const res = await agent
          .post('/admin/estimates/new')
          .type('form')
          .send(formBody({ ...body, _csrf }));
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(`id="${errorId}"`);
        expect(res.text).to.contain(message);
        expect(res.text).to.contain('Summer festival');
        const lines = body.lines as Line[];
        if (lines.length) {
          expect(res.text).to.contain(`value="${lines[0].quantity}"`);
          expect(res.text).to.contain(`value="${lines[0].unitPrice}"`);
        }
        expect(await counts()).to.deep.equal({ estimates: 0, lines: 0 });
      });
    }

    it('refuses a duplicate number with 422 and stores nothing', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers], { docNumber: 'Q-7' }), _csrf }));
      const res = await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers], { docNumber: 'Q-7' }), _csrf }));
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('Number Q-7 is already used by another estimate.');
      expect(res.text).to.contain('value="Q-7"');
      expect(await counts()).to.deep.equal({ estimates: 1, lines: 1 });
    });
  });

  describe('GET /admin/estimates', () => {
    it('lists, searches by number, customer or memo, and paginates', async () => {
      const { agent } = await staffAgent(t);
      const acme = await makeCustomer(t, 'Acme Events');
      const stage = await makeCustomer(t, 'Stage Co');
      const make = (customerId: number, memo: string) =>
        t.container.estimates.create(documentValues(customerId, [speakers], { memo }));
      for (let i = 0; i < 26; i++) await make(acme.id, `Gig ${i}`);
      await make(stage.id, 'Wedding in June');

      const first = await agent.get('/admin/estimates');
      expect(first.status).to.equal(200);
      expect(first.text).to.contain('>1027<');
      expect(first.text).to.contain('Page 1 of 2');
      expect(first.text).to.not.contain('>1001<');
      const second = await agent.get('/admin/estimates?page=2');
      expect(second.text).to.contain('>1001<');
      expect(second.text).to.contain('>1002<');

      const byCustomer = await agent.get('/admin/estimates').query({ q: 'STAGE' });
      expect(byCustomer.text).to.contain('>1027<');
      expect(byCustomer.text).to.not.contain('>1026<');
      const byMemo = await agent.get('/admin/estimates').query({ q: 'wedding' });
      expect(byMemo.text).to.contain('>1027<');
      const byNumber = await agent.get('/admin/estimates').query({ q: '1005' });
      expect(byNumber.text).to.contain('>1005<');
      expect(byNumber.text).to.not.contain('>1006<');
    });
  });

  describe('GET /admin/estimates/:id/edit and POST /admin/estimates/:id', () => {
    it('shows the stored lines and replaces them, recomputing the total', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const created = await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers]), _csrf }));
      const path = created.headers.location;
      const form = await agent.get(`${path}/edit`);
      expect(form.status).to.equal(200);
      expect(form.text).to.contain('value="Line array speakers"');
      expect(form.text).to.contain('value="19.99"');
      expect(form.text).to.contain('value="1001"');

      const res = await agent
        .post(path)
        .type('form')
        .send(
          formBody({
            ...estimateForm(customer.id, [{ description: 'Mixer', quantity: '1.5', unitPrice: '0.35' }], {
              docNumber: '1001',
              memo: 'Revised',
            }),
            _csrf,
          }),
        );
      expect(res.status).to.equal(303);
      const estimate = await t.container.estimates.getWithLines(Number(path.split('/').pop()));
      expect(estimate!.memo).to.equal('Revised');
      expect(estimate!.totalCents).to.equal(53);
      expect(estimate!.lines).to.have.length(1);
      expect(await rowCount(t, 'estimate_lines')).to.equal(1);
    });

    it('re-renders an invalid edit with 422 and leaves the estimate unchanged', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const estimate = await t.container.estimates.create(documentValues(customer.id, [speakers]));
      const res = await agent
        .post(`/admin/estimates/${estimate.id}`)
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [{ ...speakers, quantity: 'lots' }]), _csrf }));
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('value="lots"');
      const after = await t.container.estimates.getWithLines(estimate.id);
      expect(after!.totalCents).to.equal(5997);
      expect(after!.lines).to.have.length(1);
    });

    it('refuses to edit an estimate that was voided in QuickBooks', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const estimate = await t.container.estimates.create(documentValues(customer.id, [speakers]));
      await t.container.estimates.markStatus(estimate.id, 'voided');
      expect((await agent.get(`/admin/estimates/${estimate.id}/edit`)).status).to.equal(409);
      const res = await agent
        .post(`/admin/estimates/${estimate.id}`)
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers], { memo: 'changed' }), _csrf }));
      expect(res.status).to.equal(409);
      expect((await t.container.estimates.get(estimate.id)).memo).to.equal('Summer festival');
      const page = await agent.get(`/admin/estimates/${estimate.id}`);
      expect(page.text).to.contain('voided');
    });
  });

  describe('recording changes for the sync', () => {
    beforeEach(withTestHooks);

    it('records create and update inside the transaction, with the lines already written', async () => {
      const calls: (RecordChange & { lines: number })[] = [];
      hooks.onChange(async (trx, change) => {
        const [{ n }] = await trx('estimate_lines').where({ estimate_id: change.id }).count({ n: '*' });
        calls.push({ ...change, lines: Number(n) });
      });
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      calls.length = 0; // the customer's own create
      const created = await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers, speakers]), _csrf }));
      const id = Number(created.headers.location.split('/').pop());
      await agent
        .post(`/admin/estimates/${id}`)
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers]), _csrf }));
      expect(calls).to.deep.equal([
        { type: 'estimate', id, action: 'create', lines: 2 },
        { type: 'estimate', id, action: 'update', lines: 1 },
      ]);
    });

    it('stores nothing when recordChange fails', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      hooks.onChange(async () => {
        throw new Error('outbox unavailable');
      });
      const res = await agent
        .post('/admin/estimates/new')
        .type('form')
        .send(formBody({ ...estimateForm(customer.id, [speakers]), _csrf }));
      expect(res.status).to.equal(500);
      expect(await counts()).to.deep.equal({ estimates: 0, lines: 0 });
    });

    it('writes from QuickBooks (create, apply, markStatus) without recording a change', async () => {
      const customer = await makeCustomer(t);
      const calls: RecordChange[] = [];
      hooks.onChange(async (_trx, change) => {
        calls.push(change);
      });
      const line = { description: 'PA', quantityThousandths: 2000, unitPriceCents: 12345 };
      const created = await t.container.estimates.createFromQuickBooks({
        customerId: customer.id,
        docNumber: '1045',
        txnDate: '2026-11-01',
        closingDate: null,
        memo: '',
        lines: [line],
      });
      expect(created.totalCents).to.equal(24690);
      await t.container.estimates.applyFromQuickBooks(created.id, {
        customerId: customer.id,
        docNumber: '1045',
        txnDate: '2026-11-02',
        closingDate: '2026-12-01',
        memo: 'from QBO',
        lines: [line, { ...line, quantityThousandths: 1000 }],
      });
      await t.container.estimates.markStatus(created.id, 'deleted_in_quickbooks');
      const after = await t.container.estimates.getWithLines(created.id);
      expect(after).to.include({ memo: 'from QBO', totalCents: 37035, status: 'deleted_in_quickbooks' });
      expect((await t.container.estimates.findByDocNumber('1045'))!.id).to.equal(created.id);
      expect(calls).to.deep.equal([]);
    });
  });
});
