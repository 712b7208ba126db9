import { expect } from 'chai';
import { createUser, signIn, startTestApp, type TestApp } from '../helpers/app.js';
import { connect, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';
import { documentValues, makeCustomer, staffAgent, unescapeHtml } from '../helpers/records.js';

const line = (unitPrice: string) => ({ description: 'Rental', quantity: '1', unitPrice });

function stat(html: string, name: string): string {
  return unescapeHtml(new RegExp(`data-stat="${name}">([^<]*)<`).exec(html)?.[1] ?? '');
}

describe('GET /admin (dashboard)', () => {
  describe('numbers', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startTestApp({ env: { COMPANY_TIMEZONE: 'UTC' } });
    });
    afterEach(async () => t.close());

    it('opens on open estimates, unpaid invoices with what is owed, and overdue', async () => {
      const { agent } = await staffAgent(t);
      const c = await makeCustomer(t);
      const est = t.container.estimates;
      const inv = t.container.invoices;
      await est.create(documentValues(c.id, [line('100')], { closingDate: '2999-01-01' }));
      await est.create(documentValues(c.id, [line('50')]));
      const invoiced = await est.create(documentValues(c.id, [line('7')]));
      await inv.createFromEstimate(invoiced.id); // accepted: no longer open; its invoice is unpaid (7.00)
      await est.create(
        documentValues(c.id, [line('9')], { txnDate: '2020-01-01', closingDate: '2020-01-02' }),
      ); // expired
      await inv.create(documentValues(c.id, [line('1000')], { closingDate: '2999-01-01' }));
      const late = await inv.create(
        documentValues(c.id, [line('200')], { txnDate: '2020-01-01', closingDate: '2020-01-31' }),
      );
      const paid = await inv.create(documentValues(c.id, [line('300')]));
      const withBalance = async (id: number, balanceCents: number) => {
        const doc = (await inv.getWithLines(id))!;
        await inv.applyFromQuickBooks(id, { ...doc, closingDate: doc.dueDate, balanceCents });
      };
      await withBalance(late.id, 12550); // 125.50 still owed of 200.00, past due
      await withBalance(paid.id, 0);

      const res = await agent.get('/admin');
      expect(res.status).to.equal(200);
      expect(stat(res.text, 'open-estimates')).to.equal('2');
      expect(stat(res.text, 'unpaid-invoices')).to.equal('3');
      expect(stat(res.text, 'unpaid-owed')).to.equal('$1,132.50 owed');
      expect(stat(res.text, 'overdue-invoices')).to.equal('1');
      expect(stat(res.text, 'overdue-owed')).to.equal('$125.50 past due');
      expect(unescapeHtml(res.text)).to.contain('$150.00 quoted');
    });

    it('shows zeros, not errors, on an empty install; staff never see the admin checklist', async () => {
      const { agent } = await staffAgent(t);
      const res = await agent.get('/admin');
      expect(stat(res.text, 'open-estimates')).to.equal('0');
      expect(stat(res.text, 'unpaid-owed')).to.equal('$0.00 owed');
      expect(res.text).to.not.contain('Getting started');
    });
  });

  describe('first-run checklist', () => {
    let w: World;
    beforeEach(async () => {
      w = await startWorld();
    });
    afterEach(async () => w.close());

    it('lists add a colleague, connect QuickBooks and import on a fresh install, ticks them off, then goes away', async () => {
      const fresh = await w.admin.get('/admin');
      expect(fresh.text).to.contain('Getting started');
      expect(fresh.text).to.contain('<a href="/admin/users">Add a colleague</a>');
      expect(fresh.text).to.contain('<a href="/admin/settings/quickbooks">Connect QuickBooks</a>');
      expect(fresh.text).to.contain(
        '<a href="/admin/settings/quickbooks">Import your customers from QuickBooks</a>',
      );

      await createUser(w.t, 'colleague@example.com', 'colleague password 1234', 'staff');
      const oneDone = await w.admin.get('/admin');
      expect(oneDone.text).to.contain('<span class="done">Add a colleague</span>');
      expect(oneDone.text).to.contain('<a href="/admin/settings/quickbooks">Connect QuickBooks</a>');

      const callback = await connect(w, { realmId: REALM_A });
      expect(callback.status).to.be.oneOf([302, 303]);
      const twoDone = await w.admin.get('/admin');
      expect(twoDone.text).to.contain('<span class="done">Connect QuickBooks</span>');

      await makeCustomer(w.t, 'Imported Customer');
      const allDone = await w.admin.get('/admin');
      expect(allDone.status).to.equal(200);
      expect(allDone.text).to.not.contain('Getting started');
      // Signing in again changes nothing: the checklist is gone for good once everything is done.
      const again = await signIn(w.t);
      expect((await again.get('/admin')).text).to.not.contain('Getting started');
    });
  });
});
