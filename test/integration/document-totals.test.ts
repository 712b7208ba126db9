/**
 * Totals bounded to 9,999,999,999.99 per line and per document (issue 17, point 7; the reason for the
 * bound is in documents/money.ts): beyond it, a 422 on the form and nothing stored.
 */
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { formBody, makeCustomer, rowCount, staffAgent, unescapeHtml } from '../helpers/records.js';

describe('document totals within what QuickBooks can take', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  async function post(kind: 'invoices' | 'estimates', lines: object[]) {
    const { agent, _csrf } = await staffAgent(t);
    const customer = await makeCustomer(t);
    return agent
      .post(`/admin/${kind}/new`)
      .type('form')
      .send(formBody({ customerId: customer.id, txnDate: '2026-11-28', lines, _csrf }));
  }

  it('refuses 11 lines of 999999.001 × 9999999.99 with 422 per line, storing nothing', async () => {
    const line = { description: 'Stage', quantity: '999999.001', unitPrice: '9999999.99' };
    const res = await post('invoices', Array(11).fill(line));
    expect(res.status).to.equal(422);
    const text = unescapeHtml(res.text);
    expect(text).to.contain('This line comes to more than 9,999,999,999.99');
    expect(await rowCount(t, 'invoices')).to.equal(0);
  });

  it('refuses lines that each fit but together exceed the bound, with one message on the lines', async () => {
    const line = { description: 'Tour', quantity: '1000', unitPrice: '6000000' }; // 6,000,000,000.00
    const res = await post('estimates', [line, line]);
    expect(res.status).to.equal(422);
    expect(unescapeHtml(res.text)).to.contain('These lines add up to more than 9,999,999,999.99');
    expect(await rowCount(t, 'estimates')).to.equal(0);
  });

  it('accepts a document right at the bound, with an exact total', async () => {
    const res = await post('invoices', [
      { description: 'Tour', quantity: '999', unitPrice: '10000000' }, // 9,990,000,000.00
      { description: 'Extras', quantity: '1', unitPrice: '9999999.99' },
    ]);
    expect(res.status).to.equal(303);
    const [row] = await t.container.db('invoices').select('total_cents');
    expect(Number(row.total_cents)).to.equal(999_999_999_999);
  });
});
