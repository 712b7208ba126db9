import { expect } from 'chai';
import request from 'supertest';
import type { RecordChange } from '../../src/records/hooks.js';
import { createUser, csrfFrom, signIn, startTestApp, type TestApp } from '../helpers/app.js';
import { TestHooks } from '../helpers/record-hooks.js';
import { makeCustomer, rowCount, staffAgent } from '../helpers/records.js';

const acme = {
  displayName: 'Acme Events',
  companyName: 'Acme Events Ltd',
  email: 'books@acme.example',
  phone: '+1 555 0100',
  billingLine1: '1 Stage Road',
  billingCity: 'Springfield',
  billingPostalCode: '12345',
  billingCountry: 'USA',
};

describe('customers', () => {
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

  describe('GET /admin/customers/new and POST /admin/customers/new', () => {
    it('lets staff create a customer: 303 to its page with a flash, every field stored', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const form = await agent.get('/admin/customers/new');
      expect(form.status).to.equal(200);
      for (const name of Object.keys(acme)) expect(form.text).to.contain(`name="${name}"`);

      const res = await agent
        .post('/admin/customers/new')
        .type('form')
        .send({ ...acme, _csrf });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.match(/^\/admin\/customers\/\d+$/);
      const page = await agent.get(res.headers.location);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('Customer “Acme Events” created.');
      expect(page.text).to.contain('books@acme.example');
      expect(page.text).to.contain('Not in QuickBooks yet');

      const stored = await t.container.customers.findByDisplayName('acme events');
      expect(stored).to.include({ ...acme, active: true });
    });

    it('redirects anonymous visitors to the sign-in page and stores nothing', async () => {
      await createUser(t);
      for (const path of ['/admin/customers', '/admin/customers/new', '/admin/customers/1']) {
        const res = await request(t.app).get(path);
        expect(res.status, path).to.equal(303);
        expect(res.headers.location).to.equal('/admin/login');
      }
      // A POST too (e.g. a form left open until the session expired): to sign in, not CSRF's 403.
      for (const path of [
        '/admin/customers/new',
        '/admin/customers/1/edit',
        '/admin/settings/quickbooks/sync',
      ]) {
        const post = await request(t.app).post(path).type('form').send(acme);
        expect(post.status, path).to.equal(303);
        expect(post.headers.location, path).to.equal('/admin/login');
      }
      expect(await rowCount(t, 'customers')).to.equal(0);
    });

    it('refuses a POST without _csrf with 403 and stores nothing', async () => {
      const { agent } = await staffAgent(t);
      const res = await agent.post('/admin/customers/new').type('form').send(acme);
      expect(res.status).to.equal(403);
      expect(await rowCount(t, 'customers')).to.equal(0);
    });

    const invalid: [string, Record<string, string>, string, string][] = [
      ['a missing display name', { displayName: '  ' }, 'displayName', 'Enter a display name.'],
      ['a bad email', { email: 'not-an-email' }, 'email', 'Enter a valid email address.'],
      ['a colon in the display name', { displayName: 'Acme: West' }, 'displayName', 'cannot contain'],
    ];
    for (const [story, change, field, message] of invalid) {
      it(`re-renders the form with 422, the message and the entered values for ${story}`, async () => {
        const { agent, _csrf } = await staffAgent(t);
        const res = await agent
          .post('/admin/customers/new')
          .type('form')
          .send({ ...acme, ...change, _csrf });
        expect(res.status).to.equal(422);
        expect(res.text).to.contain(message);
        expect(res.text).to.match(new RegExp(`id="f-${field}-error"`));
        expect(res.text).to.contain('value="Springfield"');
        expect(res.text).to.contain(`value="${change[field] ?? ''}"`);
        expect(await rowCount(t, 'customers')).to.equal(0);
      });
    }

    it('refuses a display name that differs only in case and spacing (422, nothing stored)', async () => {
      const { agent, _csrf } = await staffAgent(t);
      await makeCustomer(t, 'Acme Events');
      const res = await agent
        .post('/admin/customers/new')
        .type('form')
        .send({ ...acme, displayName: '  ACME   events ', _csrf });
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('A customer with this display name already exists.');
      expect(res.text).to.contain('value="  ACME   events "');
      expect(await rowCount(t, 'customers')).to.equal(1);
    });

    it('lets admins create customers too', async () => {
      await createUser(t);
      const agent = await signIn(t);
      const page = await agent.get('/admin/customers/new');
      const _csrf = csrfFrom(page.text);
      const res = await agent
        .post('/admin/customers/new')
        .type('form')
        .send({ ...acme, _csrf });
      expect(res.status).to.equal(303);
      expect(await rowCount(t, 'customers')).to.equal(1);
    });
  });

  describe('GET /admin/customers', () => {
    it('lists customers, newest first, and escapes what it shows', async () => {
      const { agent } = await staffAgent(t);
      await makeCustomer(t, 'Older Co');
      await makeCustomer(t, '<b>Bold</b> & Sons');
      const res = await agent.get('/admin/customers');
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('&lt;b&gt;Bold&lt;/b&gt; &amp; Sons');
      expect(res.text).to.not.contain('<b>Bold</b>');
      expect(res.text.indexOf('Bold')).to.be.lessThan(res.text.indexOf('Older Co'));
    });

    it('searches display name, company and email case-insensitively with ?q=', async () => {
      const { agent } = await staffAgent(t);
      await makeCustomer(t, 'Stage Lights', { email: 'hello@stage.example' });
      await makeCustomer(t, 'Sound Hire', { companyName: 'BIG Sound Ltd' });
      await makeCustomer(t, '100% Audio');
      const byName = await agent.get('/admin/customers').query({ q: 'stage' });
      expect(byName.text).to.contain('Stage Lights');
      expect(byName.text).to.not.contain('Sound Hire');
      const byCompany = await agent.get('/admin/customers').query({ q: 'big sound' });
      expect(byCompany.text).to.contain('Sound Hire');
      expect(byCompany.text).to.not.contain('Stage Lights');
      const literalPercent = await agent.get('/admin/customers').query({ q: '0%' });
      expect(literalPercent.text).to.contain('100% Audio');
      expect(literalPercent.text).to.not.contain('Stage Lights');
      const none = await agent.get('/admin/customers').query({ q: 'zzz' });
      expect(none.text).to.contain('No customer matches');
    });

    it('paginates 25 to a page with ?page=, keeping the search in the links', async () => {
      const { agent } = await staffAgent(t);
      for (let i = 1; i <= 30; i++) await makeCustomer(t, `Client ${String(i).padStart(2, '0')}`);
      const first = await agent.get('/admin/customers');
      expect(first.text).to.contain('Client 30');
      expect(first.text).to.not.contain('Client 05');
      expect(first.text).to.contain('Page 1 of 2');
      const second = await agent.get('/admin/customers').query({ page: '2' });
      expect(second.text).to.contain('Client 05');
      expect(second.text).to.contain('Client 01');
      expect(second.text).to.not.contain('Client 06');
      const searched = await agent.get('/admin/customers').query({ q: 'client', page: '1' });
      expect(searched.text).to.contain('href="/admin/customers?q=client&amp;page=2"');
      const beyond = await agent.get('/admin/customers').query({ page: '99' });
      expect(beyond.status).to.equal(200);
      expect(beyond.text).to.contain('Page 2 of 2');
    });
  });

  describe('GET /admin/customers/:id', () => {
    beforeEach(withTestHooks);

    it('answers 404 for an unknown or malformed id', async () => {
      const { agent } = await staffAgent(t);
      expect((await agent.get('/admin/customers/999')).status).to.equal(404);
      expect((await agent.get('/admin/customers/abc')).status).to.equal(404);
    });

    it('shows the QuickBooks links the sync reports', async () => {
      const { agent } = await staffAgent(t);
      const customer = await makeCustomer(t);
      hooks.onLinks(async (type, id) =>
        type === 'customer' && id === customer.id
          ? [
              {
                realmId: '9130350',
                companyName: 'Sandbox Co',
                qboId: '58',
                syncToken: '3',
                lastSyncedAt: '2026-11-28T10:00:00.000Z',
                readOnly: true,
                state: 'linked',
                pending: null,
              },
            ]
          : [],
      );
      const res = await agent.get(`/admin/customers/${customer.id}`);
      expect(res.text).to.contain('Sandbox Co');
      expect(res.text).to.contain('9130350');
      expect(res.text).to.contain('2026-11-28T10:00:00.000Z');
      // Issue 18: a link of a company not connected is "not syncing" (edits wait), never "read-only".
      expect(res.text).to.contain('not syncing — changes wait for a reconnect');
      expect(res.text).to.not.contain('read-only');
      expect(res.text).to.not.contain('Not in QuickBooks yet');
    });
  });

  describe('GET /admin/customers/:id/edit and POST /admin/customers/:id', () => {
    it('shows the stored values and saves changes', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t, 'Acme Events', { email: 'old@acme.example' });
      const form = await agent.get(`/admin/customers/${customer.id}/edit`);
      expect(form.status).to.equal(200);
      expect(form.text).to.contain('value="old@acme.example"');
      const res = await agent
        .post(`/admin/customers/${customer.id}`)
        .type('form')
        .send({ ...acme, displayName: 'Acme Events West', _csrf });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`/admin/customers/${customer.id}`);
      const stored = await t.container.customers.get(customer.id);
      expect(stored.displayName).to.equal('Acme Events West');
      expect(stored.email).to.equal('books@acme.example');
    });

    it("keeps a customer's own name but refuses another customer's (422, unchanged)", async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t, 'Acme Events');
      await makeCustomer(t, 'Other Co');
      const same = await agent
        .post(`/admin/customers/${customer.id}`)
        .type('form')
        .send({ ...acme, displayName: 'ACME EVENTS', _csrf });
      expect(same.status).to.equal(303);
      const clash = await agent
        .post(`/admin/customers/${customer.id}`)
        .type('form')
        .send({ ...acme, displayName: 'other co', _csrf });
      expect(clash.status).to.equal(422);
      expect(clash.text).to.contain('already exists');
      expect((await t.container.customers.get(customer.id)).displayName).to.equal('ACME EVENTS');
    });
  });

  describe('recording changes for the sync', () => {
    beforeEach(withTestHooks);

    it('calls recordChange inside the write transaction, for creates and updates', async () => {
      const calls: (RecordChange & { seen: boolean })[] = [];
      hooks.onChange(async (trx, change) => {
        // The row is visible through the transaction it was written in.
        const seen = Boolean(await trx('customers').where({ id: change.id }).first());
        calls.push({ ...change, seen });
      });
      const { agent, _csrf } = await staffAgent(t);
      const created = await agent
        .post('/admin/customers/new')
        .type('form')
        .send({ ...acme, _csrf });
      const id = Number(created.headers.location.split('/').pop());
      await agent
        .post(`/admin/customers/${id}`)
        .type('form')
        .send({ ...acme, phone: '555', _csrf });
      expect(calls).to.deep.equal([
        { type: 'customer', id, action: 'create', seen: true },
        { type: 'customer', id, action: 'update', seen: true },
      ]);
    });

    it('rolls the whole write back when recordChange fails', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t, 'Acme Events');
      hooks.onChange(async () => {
        throw new Error('outbox unavailable');
      });
      const create = await agent
        .post('/admin/customers/new')
        .type('form')
        .send({ ...acme, displayName: 'New Co', _csrf });
      expect(create.status).to.equal(500);
      expect(await rowCount(t, 'customers')).to.equal(1);
      const update = await agent
        .post(`/admin/customers/${customer.id}`)
        .type('form')
        .send({ ...acme, displayName: 'Renamed', _csrf });
      expect(update.status).to.equal(500);
      expect((await t.container.customers.get(customer.id)).displayName).to.equal('Acme Events');
    });

    it('does not record a change for writes that come from QuickBooks', async () => {
      const calls: RecordChange[] = [];
      hooks.onChange(async (_trx, change) => {
        calls.push(change);
      });
      const fromQbo = await t.container.customers.createFromQuickBooks({ ...acme, active: false });
      expect(fromQbo.active).to.equal(false);
      const applied = await t.container.customers.applyFromQuickBooks(fromQbo.id, { ...acme, phone: '777' });
      expect(applied.phone).to.equal('777');
      expect(calls).to.deep.equal([]);
    });
  });
});
