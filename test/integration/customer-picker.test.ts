import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import request from 'supertest';
import { nowIso } from '../../src/db/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { documentValues, formBody, makeCustomer, staffAgent, unescapeHtml } from '../helpers/records.js';

const speakers = { description: 'PA speakers', quantity: '2', unitPrice: '150' };

/** n customers straight into the table (the service would take minutes for 10,000). */
async function seedCustomers(t: TestApp, n: number): Promise<void> {
  const at = nowIso();
  const rows = Array.from({ length: n }, (_, i) => {
    const name = `Customer ${String(i).padStart(5, '0')}`;
    return {
      display_name: name,
      display_name_key: name.toLowerCase(),
      company_name: i % 10 === 0 ? `Stagecraft ${i}` : '',
      email: `c${i}@example.com`,
      active: true,
      created_at: at,
      updated_at: at,
    };
  });
  await t.container.db.batchInsert('customers', rows, 500);
}

describe('customer picker', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  describe('GET /admin/customers/search', () => {
    it('answers JSON: names that start with the query first, then other matches (company, email)', async () => {
      const { agent } = await staffAgent(t);
      await makeCustomer(t, 'Zed Sound', { companyName: 'Acme Holdings' });
      await makeCustomer(t, 'Acme Events');
      await makeCustomer(t, 'Big Acme');
      await makeCustomer(t, 'Lights Inc', { email: 'ops@acme.example' });
      await makeCustomer(t, 'Unrelated');
      const res = await agent.get('/admin/customers/search?q=acme');
      expect(res.status).to.equal(200);
      expect(res.type).to.equal('application/json');
      const names = (res.body.customers as { displayName: string }[]).map((c) => c.displayName);
      expect(names).to.deep.equal(['Acme Events', 'Big Acme', 'Lights Inc', 'Zed Sound']);
      expect(res.body.customers[0]).to.have.keys(['id', 'displayName', 'companyName', 'active']);
    });

    it('treats % and _ literally and is for signed-in users only', async () => {
      const { agent } = await staffAgent(t);
      await makeCustomer(t, '100% Audio');
      await makeCustomer(t, '1000 Watts');
      const res = await agent.get('/admin/customers/search?q=100%25');
      expect(res.body.customers.map((c: { displayName: string }) => c.displayName)).to.deep.equal([
        '100% Audio',
      ]);
      const anonymous = await request(t.app).get('/admin/customers/search?q=a');
      expect(anonymous.status).to.equal(303);
    });

    it('stays fast with 10,000 customers: 20 matches per answer, well under 250 ms', async function () {
      this.timeout(60_000);
      const { agent } = await staffAgent(t);
      await seedCustomers(t, 10_000);
      const timings: number[] = [];
      for (const q of ['', 'c', 'customer 09', '09999', 'stagecraft 99', 'c4242@', 'nobody']) {
        const started = performance.now();
        const res = await agent.get(`/admin/customers/search?q=${encodeURIComponent(q)}`);
        timings.push(performance.now() - started);
        expect(res.status).to.equal(200);
        expect(res.body.customers.length).to.be.at.most(20);
      }
      const exact = await agent.get('/admin/customers/search?q=customer%2009999');
      expect(exact.body.customers.map((c: { displayName: string }) => c.displayName)).to.deep.equal([
        'Customer 09999',
      ]);
      timings.sort((a, b) => a - b);
      const median = timings[Math.floor(timings.length / 2)];
      if (process.env.TEST_LOG)
        console.log('search timings (ms)', timings.map((x) => x.toFixed(1)).join(' '));
      expect(median, `median of ${timings.map((x) => x.toFixed(0)).join(', ')} ms`).to.be.below(250);
    });
  });

  describe('GET /admin/invoices/new without JavaScript', () => {
    it('with 10,000 customers lists 100 in the select, and the search box narrows it to the matches', async function () {
      this.timeout(60_000);
      const { agent, _csrf } = await staffAgent(t);
      await seedCustomers(t, 10_000);
      const form = await agent.get('/admin/invoices/new');
      expect(form.status).to.equal(200);
      const options = form.text.match(/<option value="\d+"/g) ?? [];
      expect(options).to.have.length(100);
      expect(form.text).to.contain('Showing the first 100 of 10,000 customers');
      expect(form.text.length, 'no megabyte page').to.be.below(150_000);
      expect(form.text).to.contain('form="customer-search"');

      const found = await agent.get('/admin/invoices/new?customerQuery=Customer%2007321');
      const matches = found.text.match(/<option value="(\d+)"[^>]*>([^<]*)</g) ?? [];
      expect(matches).to.have.length(1);
      expect(matches[0]).to.contain('Customer 07321');
      const id = /<option value="(\d+)"/.exec(matches[0] ?? '')?.[1] ?? '';

      const created = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(
          formBody({
            customerId: id,
            docNumber: '',
            txnDate: '2026-11-28',
            dueDate: '',
            memo: '',
            lines: [speakers],
            _csrf,
          }),
        );
      expect(created.status).to.equal(303);
      const page = await agent.get(created.headers.location);
      expect(page.text).to.contain('Customer 07321');
    });

    it('keeps the chosen customer in the select (?customerId) even outside the first 100', async () => {
      const { agent } = await staffAgent(t);
      await seedCustomers(t, 150);
      const last = await makeCustomer(t, 'Zzz Last Customer');
      const form = await agent.get(`/admin/estimates/new?customerId=${last.id}`);
      expect(form.text).to.match(new RegExp(`<option value="${last.id}" selected>Zzz Last Customer`));
    });
  });
});

describe('customer page', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  it('POST /admin/customers/new stores the State/Region and prints a US address as "Austin, TX 78701"', async () => {
    const { agent, _csrf } = await staffAgent(t);
    const res = await agent.post('/admin/customers/new').type('form').send({
      displayName: 'Capitol Sound',
      billingLine1: '1100 Congress Ave',
      billingCity: 'Austin',
      billingRegion: 'TX',
      billingPostalCode: '78701',
      billingCountry: 'USA',
      _csrf,
    });
    expect(res.status).to.equal(303);
    const page = await agent.get(res.headers.location);
    expect(page.text).to.contain('1100 Congress Ave\nAustin, TX 78701\nUSA');
    const edit = await agent.get(`${res.headers.location}/edit`);
    expect(edit.text).to.match(/name="billingRegion"[^>]*\n?\s*value="TX"/);
    const stored = await t.container.customers.findByDisplayName('Capitol Sound');
    expect(stored?.billingRegion).to.equal('TX');
  });

  it('refuses a State/Region over 100 characters with 422 and stores nothing', async () => {
    const { agent, _csrf } = await staffAgent(t);
    const res = await agent
      .post('/admin/customers/new')
      .type('form')
      .send({ displayName: 'Long Region', billingRegion: 'x'.repeat(101), _csrf });
    expect(res.status).to.equal(422);
    expect(await t.container.customers.findByDisplayName('Long Region')).to.equal(undefined);
  });

  it('prints a UK address with the postcode on its own line', async () => {
    const { agent } = await staffAgent(t);
    const c = await makeCustomer(t, 'London Lights', {
      billingLine1: '1 Stage Lane',
      billingCity: 'London',
      billingRegion: '',
      billingPostalCode: 'SW1A 2AA',
      billingCountry: 'United Kingdom',
    });
    const page = await agent.get(`/admin/customers/${c.id}`);
    expect(page.text).to.contain('1 Stage Lane\nLondon\nSW1A 2AA\nUnited Kingdom');
  });

  it('lists the customer’s estimates and invoices, and not another customer’s', async () => {
    const { agent } = await staffAgent(t);
    const mine = await makeCustomer(t, 'Mine');
    const other = await makeCustomer(t, 'Other');
    const estimate = await t.container.estimates.create(documentValues(mine.id, [speakers]));
    const invoice = await t.container.invoices.create(documentValues(mine.id, [speakers]));
    const foreign = await t.container.invoices.create(documentValues(other.id, [speakers]));
    const page = unescapeHtml((await agent.get(`/admin/customers/${mine.id}`)).text);
    expect(page).to.contain(`href="/admin/estimates/${estimate.id}">${estimate.docNumber}<`);
    expect(page).to.contain(`href="/admin/invoices/${invoice.id}">${invoice.docNumber}<`);
    expect(page).to.not.contain(`href="/admin/invoices/${foreign.id}"`);
    const empty = await agent.get(`/admin/customers/${other.id}`);
    expect(empty.text).to.contain('No estimates for this customer yet.');
  });
});
