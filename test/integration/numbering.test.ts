/**
 * Numbers assigned in parallel (issue 17, point 6): creates with a blank number and estimate → invoice
 * conversions never fail with "number was just taken", on SQLite and on PostgreSQL.
 */
import { expect } from 'chai';
import type { TestApp } from '../helpers/app.js';
import { startTestApp } from '../helpers/app.js';
import { documentValues, formBody, makeCustomer, staffAgent } from '../helpers/records.js';

const line = { description: 'Line array hire', quantity: '1', unitPrice: '250' };

describe('document numbers under concurrency', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  for (const kind of ['invoices', 'estimates'] as const) {
    it(`gives 8 parallel ${kind} with a blank number 8 distinct numbers, none refused`, async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const closing = kind === 'invoices' ? { dueDate: '2026-12-28' } : { expirationDate: '2026-12-28' };
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          agent
            .post(`/admin/${kind}/new`)
            .type('form')
            .send(
              formBody({
                customerId: customer.id,
                docNumber: '',
                txnDate: '2026-11-28',
                ...closing,
                lines: [line],
                _csrf,
              }),
            ),
        ),
      );
      expect(answers.map((r) => r.status)).to.deep.equal(Array(8).fill(303));
      const numbers = (await t.container.db(kind).pluck('doc_number')).sort();
      expect(new Set(numbers).size).to.equal(8);
    });
  }

  it('turns 8 estimates into invoices in parallel, each with its own number', async () => {
    const { agent, _csrf } = await staffAgent(t);
    const customer = await makeCustomer(t);
    const estimates = [];
    for (let i = 0; i < 8; i++)
      estimates.push(await t.container.estimates.create(documentValues(customer.id, [line])));
    const answers = await Promise.all(
      estimates.map((e) => agent.post(`/admin/estimates/${e.id}/invoice`).type('form').send({ _csrf })),
    );
    expect(answers.map((r) => r.status)).to.deep.equal(Array(8).fill(303));
    const invoices = await t.container.db('invoices').select('doc_number', 'estimate_id');
    expect(invoices).to.have.length(8);
    expect(new Set(invoices.map((i) => i.doc_number)).size).to.equal(8);
  });
});
