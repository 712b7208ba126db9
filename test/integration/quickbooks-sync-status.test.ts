/**
 * Issue 18: one live, honest sync status. The card's sentence and counts (and status.json, which the
 * card polls), the lists' QuickBooks column and filter, a record's state and "Open in QuickBooks", and
 * the staff banner when sync stops — against the real emulator, on SQLite and PostgreSQL.
 */
import { expect } from 'chai';
import request from 'supertest';
import { csrfToken } from '../helpers/app.js';
import {
  connect,
  REALM_A,
  REALM_EMPTY,
  refusedBatchFault,
  startWorld,
  throttledFault,
  type World,
} from '../helpers/quickbooks.js';
import { makeCustomer, staffAgent } from '../helpers/records.js';
import { cloudEvent, deliver } from '../helpers/webhooks.js';

const CARD = '/admin/settings/quickbooks';
const STATUS = '/admin/settings/quickbooks/status.json';

async function drain(w: World) {
  await w.t.container.sync.worker.drain();
}

/** The state badge of each listed customer, by display name. */
function listedStates(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of html.split('<tr>').slice(2)) {
    const name = row.match(/<a href="\/admin\/customers\/\d+">([^<]+)<\/a>/)?.[1];
    const state = row.match(/data-qbo-state="([a-z-]+)"/)?.[1];
    if (name && state) out[name] = state;
  }
  return out;
}

describe('QuickBooks sync status (issue 18)', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  describe('GET /admin/settings/quickbooks/status.json', () => {
    it('is for admins only: staff get 403, the signed-out are sent to sign in', async () => {
      const { agent } = await staffAgent(w.t);
      expect((await agent.get(STATUS)).status).to.equal(403);
      const anonymous = await request(w.t.app).get(STATUS);
      expect(anonymous.status).to.equal(303);
      expect(anonymous.headers.location).to.match(/login/);
    });

    it('says "Not connected" before a connect, and "In step with <company>" once everything is sent', async () => {
      const before = await w.admin.get(STATUS);
      expect(before.status).to.equal(200);
      expect(before.headers['cache-control']).to.equal('no-store');
      expect(before.body).to.include({ connected: false, sentence: 'Not connected to QuickBooks' });
      await connect(w);
      await makeCustomer(w.t, 'Blue Stage');
      await drain(w);
      const after = (await w.admin.get(STATUS)).body;
      expect(after.connected).to.equal(true);
      expect(after.sentence).to.match(/^In step with .+ — last change just now$/);
      expect(after.counts).to.deep.equal({ waiting: 0, failed: 0, conflict: 0 });
      expect(after.push).to.equal(null);
      expect(after.delay).to.equal(null);
    });

    it('while Intuit throttles: the waiting count, a progress bar, the reason and the next try, the same on the card', async () => {
      await connect(w);
      await w.control('POST', '/faults', throttledFault({ method: 'POST', path: '/batch' }, 5));
      for (const name of ['Throttle One', 'Throttle Two', 'Throttle Three']) await makeCustomer(w.t, name);
      await drain(w);
      const s = (await w.admin.get(STATUS)).body;
      expect(s.counts).to.deep.equal({ waiting: 3, failed: 0, conflict: 0 });
      expect(s.push).to.deep.equal({ label: 'Sending 0 of 3', done: 0, total: 3 });
      expect(s.delay.reason).to.equal('Intuit is limiting us');
      // The push worker's first back-off is 30 s; the next try is read from the queue, not guessed.
      expect(s.delay.inSeconds).to.be.within(1, 30);
      const item = await w.t.container.db('qbo_outbox').where({ status: 'pending' }).first();
      expect(s.delay.nextTryAt).to.equal(item.next_attempt_at);
      expect(s.sentence).to.match(/^Sending 0 of 3 — Intuit is limiting us, next try in \d+ s$/);
      expect(s.tone).to.equal('warn');

      const card = (await w.admin.get(CARD)).text;
      expect(card).to.contain('Sending 0 of 3 — Intuit is limiting us, next try in');
      expect(card).to.match(/<progress data-status="push-bar" max="3" value="0"/);
      expect(card).to.contain('3 waiting');
      expect(card).to.contain('href="/admin/customers?quickbooks=waiting"');
      // One source for the counts: never "Nothing waiting" beside changes that wait.
      expect(card).to.not.contain('Nothing waiting');
      expect(card).to.contain('<script src="/js/sync-status.js" defer></script>');
    });

    it('counts what needs an admin: "1 record needs you" after QuickBooks refuses a record', async () => {
      await connect(w);
      await w.control('POST', '/faults', refusedBatchFault('Name is too long'));
      await makeCustomer(w.t, 'Refused Rentals');
      await drain(w);
      const s = (await w.admin.get(STATUS)).body;
      expect(s.counts).to.deep.equal({ waiting: 0, failed: 1, conflict: 0 });
      expect(s.sentence).to.equal('1 record needs you');
      expect(s.tone).to.equal('bad');
      const card = (await w.admin.get(CARD)).text;
      expect(card).to.contain('1 failed');
      expect(card).to.contain('href="/admin/customers?quickbooks=failed"');
    });

    it('gives the automatic pull (webhook events being applied) a bar too, filled as they are applied', async () => {
      await connect(w);
      const created = await w.control('POST', `/companies/${REALM_A}/entities/Customer`, {
        DisplayName: 'From QBO',
      });
      await deliver(w, [
        cloudEvent(REALM_A, 'Customer', String(created.Id), 'created'),
        cloudEvent(REALM_A, 'Customer', '1', 'updated'),
      ]);
      const before = (await w.admin.get(STATUS)).body;
      expect(before.pull).to.deep.equal({
        label: 'Reading changes from QuickBooks: 0 of 2',
        done: 0,
        total: 2,
      });
      expect(before.sentence).to.equal('Reading changes from QuickBooks: 0 of 2');
      await w.t.container.inbound.worker.drain();
      const after = (await w.admin.get(STATUS)).body;
      expect(after.pull).to.equal(null);
      expect(after.sentence).to.match(/^In step with /);
    });

    it('after a disconnect: not syncing, and changes wait for a reconnect to the same company', async () => {
      await connect(w);
      const _csrf = await csrfToken(w.admin, CARD);
      await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({ _csrf });
      const s = (await w.admin.get(STATUS)).body;
      expect(s.connected).to.equal(false);
      expect(s.sentence).to.match(
        /^Not syncing — disconnected from .+; changes wait for a reconnect to the same company$/,
      );
    });
  });

  describe('GET /admin/customers?quickbooks=', () => {
    it("shows each customer's state in a QuickBooks column and filters by it", async () => {
      await connect(w, { realmId: REALM_EMPTY });
      await makeCustomer(w.t, 'In Step Audio');
      await drain(w);
      await w.control('POST', `/companies/${REALM_EMPTY}/entities/Vendor`, {
        DisplayName: 'Vendor Held Name',
      });
      await makeCustomer(w.t, 'Vendor Held Name');
      await drain(w);
      await w.control('POST', '/faults', refusedBatchFault('Something QuickBooks refused'));
      await makeCustomer(w.t, 'Refused Lights');
      await drain(w);
      await makeCustomer(w.t, 'Waiting Staging');

      const all = await w.admin.get('/admin/customers');
      expect(all.text).to.contain('<th scope="col">QuickBooks</th>');
      expect(listedStates(all.text)).to.deep.equal({
        'Waiting Staging': 'waiting',
        'Refused Lights': 'failed',
        'Vendor Held Name': 'conflict',
        'In Step Audio': 'in-step',
      });
      for (const [state, name] of [
        ['in-step', 'In Step Audio'],
        ['waiting', 'Waiting Staging'],
        ['failed', 'Refused Lights'],
        ['conflict', 'Vendor Held Name'],
      ]) {
        const page = await w.admin.get(`/admin/customers?quickbooks=${state}`);
        expect(listedStates(page.text), state).to.deep.equal({ [name]: state });
        expect(page.text).to.match(new RegExp(`<option value="${state}" selected>`));
      }
      const none = await w.admin.get('/admin/customers?quickbooks=not-syncing');
      expect(listedStates(none.text)).to.deep.equal({});
      expect(none.text).to.contain('No customers in this QuickBooks state.');
      // A value that is no state is no filter.
      expect(
        Object.keys(listedStates((await w.admin.get('/admin/customers?quickbooks=bogus')).text)),
      ).to.have.length(4);
    });

    it('lists every record "not syncing" when no company is connected, on estimates and invoices too', async () => {
      const customer = await makeCustomer(w.t, 'Offline Customer');
      await w.t.container.invoices.create({
        customerId: String(customer.id),
        docNumber: 'OFF-1',
        txnDate: '2026-11-20',
        closingDate: '2026-12-20',
        memo: '',
        lines: [{ description: 'PA rental', quantity: '1', unitPrice: '10.00' }],
      });
      const invoices = await w.admin.get('/admin/invoices?quickbooks=not-syncing');
      expect(invoices.text).to.contain('OFF-1');
      expect(invoices.text).to.contain('data-qbo-state="not-syncing"');
      expect((await w.admin.get('/admin/invoices?quickbooks=waiting')).text).to.not.contain('OFF-1');
      expect((await w.admin.get('/admin/estimates')).text).to.contain(
        '<label for="f-quickbooks">QuickBooks</label>',
      );
    });
  });

  describe('GET /admin/customers/:id', () => {
    it("says the state and why, offers Retry to an admin, and opens the record in QuickBooks (the emulator's page)", async () => {
      await connect(w);
      const customer = await makeCustomer(w.t, 'Linked Lighting');
      await drain(w);
      const page = (await w.admin.get(`/admin/customers/${customer.id}`)).text;
      expect(page).to.contain('data-qbo-state="in-step"');
      expect(page).to.contain('nothing waits to be sent');
      const href = page.match(/class="open-in-quickbooks" href="([^"]+)"/)?.[1].replace(/&amp;/g, '&');
      const link = await w.t.container.sync.links.find('customer', customer.id, REALM_A);
      expect(href).to.equal(`${w.emulator.url}/app/customerdetail?nameId=${link!.qboId}&realmId=${REALM_A}`);
      const opened = await fetch(href!);
      expect(opened.status).to.equal(200);
      expect(await opened.text()).to.contain('Linked Lighting');

      await w.control('POST', '/faults', refusedBatchFault('The name is not allowed'));
      const refused = await makeCustomer(w.t, 'Refused Again');
      await drain(w);
      const failed = (await w.admin.get(`/admin/customers/${refused.id}`)).text;
      expect(failed).to.contain('data-qbo-state="failed"');
      expect(failed).to.contain('QuickBooks refused this record');
      expect(failed).to.contain('name="action" value="retry"');
    });

    it('after a throttle says the record waits, why, and when it is tried next', async () => {
      await connect(w);
      await w.control('POST', '/faults', throttledFault({ method: 'POST', path: '/batch' }, 5));
      const customer = await makeCustomer(w.t, 'Throttled Trucking');
      await drain(w);
      const page = (await w.admin.get(`/admin/customers/${customer.id}`)).text;
      expect(page).to.contain('data-qbo-state="waiting"');
      expect(page).to.match(/Not sent yet — Intuit is limiting us; next try in \d+ s\./);
    });
  });

  describe('the staff banner', () => {
    it('is absent while syncing, and says "QuickBooks sync is paused — an admin has been told" once it stops', async () => {
      const { agent } = await staffAgent(w.t);
      expect((await agent.get('/admin/customers')).text).to.not.contain('QuickBooks sync is paused');
      await connect(w);
      expect((await agent.get('/admin/customers')).text).to.not.contain('QuickBooks sync is paused');
      await w.control('POST', `/companies/${REALM_A}/revoke`);
      await w.t.container.quickbooks.client.companyInfo(REALM_A).catch(() => undefined);
      const page = (await agent.get('/admin/customers')).text;
      expect(page).to.contain('QuickBooks sync is paused — an admin has been told.');
      expect(page).to.contain('class="banner banner-info" role="status"');
      // The admin gets the louder banner with the way back, not the staff one.
      const admin = (await w.admin.get('/admin')).text;
      expect(admin).to.contain('was revoked at Intuit');
      expect(admin).to.not.contain('QuickBooks sync is paused');
    });
  });
});
