/**
 * Bad bytes and out-of-range ids (issue 17, point 4): refused at the edge with a 4xx on both engines,
 * never a 500 with a stack or SQL. Run it on PostgreSQL too: that is where these used to fail.
 */
import { expect } from 'chai';
import request from 'supertest';
import { createUser, csrfToken, signIn, startTestApp, type TestApp } from '../helpers/app.js';
import { formBody, makeCustomer, rowCount } from '../helpers/records.js';

function expectRefusedPlainly(res: request.Response, what: string) {
  expect(res.status, what).to.be.within(400, 499);
  expect(res.text, what).to.not.match(/at .*\.(ts|js):\d+/);
  expect(res.text, what).to.not.match(
    /select .* from |insert into|invalid byte sequence|out of range for type/i,
  );
}

describe('bad bytes and ids beyond the columns', () => {
  let t: TestApp;
  let agent: request.Agent;
  let _csrf: string;
  beforeEach(async () => {
    t = await startTestApp();
    await createUser(t);
    agent = await signIn(t);
    _csrf = await csrfToken(agent, '/admin');
  });
  afterEach(async () => t.close());

  it('refuses a NUL byte in the sign-in email with 400, before any session or query', async () => {
    const anonymous = request.agent(t.app);
    const token = await csrfToken(anonymous);
    const res = await anonymous
      .post('/admin/login')
      .type('form')
      .send(`email=a%00b@x.io&password=whatever12345&_csrf=${encodeURIComponent(token)}`);
    expectRefusedPlainly(res, 'login');
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('not allowed');
  });

  it('answers ids beyond the integer column with 404', async () => {
    for (const path of [
      '/admin/customers/2147483648',
      '/admin/customers/99999999999/edit',
      '/admin/estimates/2147483648',
      '/admin/invoices/9999999999',
      '/admin/settings/quickbooks/data/deletion-requests/2147483648',
      '/admin/settings/quickbooks/data/deletion-requests/99999999999/process',
    ]) {
      const res = await agent.get(path);
      expectRefusedPlainly(res, path);
      expect(res.status, path).to.equal(404);
    }
    const post = await agent
      .post('/admin/customers/2147483648')
      .type('form')
      .send({ _csrf, displayName: 'x' });
    expect(post.status).to.equal(404);
  });

  it('refuses NUL in search boxes and filters with 400', async () => {
    for (const path of [
      '/admin/customers?q=%00',
      '/admin/estimates?q=a%00',
      '/admin/invoices?q=%00',
      '/admin/settings/quickbooks/history?entity=%00',
    ]) {
      const res = await agent.get(path);
      expectRefusedPlainly(res, path);
      expect(res.status, path).to.equal(400);
    }
  });

  it('answers a history page cursor beyond the column with 422 and a plain message', async () => {
    for (const q of ['before=99999999999', 'auditBefore=2147483648', 'before=-1', 'before=abc']) {
      const res = await agent.get(`/admin/settings/quickbooks/history?${q}`);
      expectRefusedPlainly(res, q);
      expect(res.status, q).to.equal(422);
      expect(res.text, q).to.contain('That page link is not valid');
    }
  });

  it('refuses a customer named with a NUL byte and stores nothing', async () => {
    const res = await agent
      .post('/admin/customers/new')
      .type('form')
      .send(`displayName=a%00b&_csrf=${_csrf}`);
    expectRefusedPlainly(res, 'customer');
    expect(res.status).to.equal(400);
    expect(await rowCount(t, 'customers')).to.equal(0);
  });

  it('refuses NUL in an invoice line and a customer id beyond the column, storing nothing', async () => {
    const customer = await makeCustomer(t);
    const line = { description: 'PA hire\u0000', quantity: '1', unitPrice: '10' };
    const nul = await agent
      .post('/admin/invoices/new')
      .type('form')
      .send(`${formBody({ customerId: customer.id, txnDate: '2026-11-28', lines: [line] })}&_csrf=${_csrf}`);
    expectRefusedPlainly(nul, 'invoice line');
    const big = await agent
      .post('/admin/invoices/new')
      .type('form')
      .send(
        `${formBody({ customerId: '99999999999', txnDate: '2026-11-28', lines: [{ ...line, description: 'PA hire' }] })}&_csrf=${_csrf}`,
      );
    expectRefusedPlainly(big, 'customer id');
    expect(big.status).to.equal(422);
    expect(big.text).to.contain('Choose a customer from the list');
    expect(await rowCount(t, 'invoices')).to.equal(0);
  });

  it('shows no stack on a 500 unless NODE_ENV=development is set explicitly', async () => {
    const plain = await startTestApp({ env: { NODE_ENV: '' } });
    const dev = await startTestApp({ env: { NODE_ENV: 'development' } });
    try {
      expect(plain.config.nodeEnv, 'unset means development defaults').to.equal('development');
      for (const app of [plain, dev]) await app.container.db.destroy();
      const hidden = await request(plain.app).get('/admin/login');
      expect(hidden.status).to.equal(500);
      expect(hidden.text).to.not.match(/at .*\.(ts|js):\d+/);
      const shown = await request(dev.app).get('/admin/login');
      expect(shown.status).to.equal(500);
      expect(shown.text).to.match(/at .*\.(ts|js):\d+/);
    } finally {
      await plain.database.drop();
      await dev.database.drop();
    }
  });
});
