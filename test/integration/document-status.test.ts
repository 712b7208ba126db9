import { expect } from 'chai';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { documentValues, formBody, makeCustomer, staffAgent, unescapeHtml } from '../helpers/records.js';

const line = (unitPrice: string, description = 'Speakers') => ({ description, quantity: '1', unitPrice });

/** The status pills of a page, in order. */
function pills(html: string): string[] {
  return [...html.matchAll(/<span class="pill [^"]*" data-stage="([^"]+)">/g)].map((m) => m[1]);
}

/** The document numbers of a list page, in order. */
function numbers(html: string, plural: string): string[] {
  return [...html.matchAll(new RegExp(`<td><a href="/admin/${plural}/\\d+">([^<]+)</a></td>`, 'g'))].map(
    (m) => m[1],
  );
}

describe('document status, sorting, numbering and terms', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  describe('invoices: open, partly paid, paid, overdue', () => {
    beforeEach(async () => {
      t = await startTestApp({ env: { COMPANY_TIMEZONE: 'UTC' } });
    });

    it('derives the status from the balance QuickBooks reports and the due date, on the list and the page', async () => {
      const { agent } = await staffAgent(t);
      const c = await makeCustomer(t);
      const today = new Date().toISOString().slice(0, 10);
      const later = '2999-01-01';
      const inv = t.container.invoices;
      const open = await inv.create(
        documentValues(c.id, [line('100')], { txnDate: today, closingDate: later }),
      );
      const partly = await inv.create(
        documentValues(c.id, [line('100')], { txnDate: today, closingDate: later }),
      );
      const paid = await inv.create(
        documentValues(c.id, [line('100')], { txnDate: '2020-01-01', closingDate: '2020-01-31' }),
      );
      const overdue = await inv.create(
        documentValues(c.id, [line('100')], { txnDate: '2020-01-01', closingDate: '2020-01-31' }),
      );
      // What the pull stores from Invoice.Balance (a payment of 40.00 on one, in full on another).
      const fields = async (id: number, balanceCents: number) => {
        const doc = (await inv.getWithLines(id))!;
        return {
          customerId: doc.customerId,
          docNumber: doc.docNumber,
          txnDate: doc.txnDate,
          closingDate: doc.dueDate,
          memo: doc.memo,
          lines: doc.lines,
          balanceCents,
        };
      };
      await inv.applyFromQuickBooks(partly.id, await fields(partly.id, 6000));
      await inv.applyFromQuickBooks(paid.id, await fields(paid.id, 0));

      expect((await inv.get(open.id)).stage).to.equal('open');
      expect((await inv.get(partly.id)).stage).to.equal('partly_paid');
      expect((await inv.get(paid.id)).stage).to.equal('paid');
      expect((await inv.get(overdue.id)).stage).to.equal('overdue');

      const list = await agent.get('/admin/invoices');
      expect(pills(list.text)).to.deep.equal(['overdue', 'paid', 'partly_paid', 'open']);
      expect(list.text).to.contain('>Partly paid</span>');
      const page = await agent.get(`/admin/invoices/${paid.id}`);
      expect(pills(page.text)).to.deep.equal(['paid']);
      expect(page.text).to.contain('<dt>Balance due</dt><dd>$0.00</dd>');
      const partlyPage = await agent.get(`/admin/invoices/${partly.id}`);
      expect(partlyPage.text).to.contain('<dt>Balance due</dt><dd>$60.00</dd>');

      // A person's edit leaves the balance QuickBooks reported as it is.
      const { _csrf } = {
        _csrf: (await agent.get(`/admin/invoices/${paid.id}/edit`)).text.match(
          /name="_csrf" value="([^"]+)"/,
        )![1],
      };
      await agent
        .post(`/admin/invoices/${paid.id}`)
        .type('form')
        .send(
          formBody({
            customerId: String(c.id),
            docNumber: paid.docNumber,
            txnDate: '2020-01-01',
            dueDate: '2020-01-31',
            memo: 'edited',
            lines: [line('100')],
            _csrf,
          }),
        );
      expect((await inv.get(paid.id)).balanceCents).to.equal(0);
    });

    it('shows voided invoices as voided whatever their balance', async () => {
      const { agent } = await staffAgent(t);
      const c = await makeCustomer(t);
      const voided = await t.container.invoices.create(
        documentValues(c.id, [line('5')], { closingDate: '2020-12-31', txnDate: '2020-12-01' }),
      );
      await t.container.invoices.markStatus(voided.id, 'voided');
      const page = await agent.get(`/admin/invoices/${voided.id}`);
      expect(pills(page.text)).to.deep.equal(['voided']);
    });
  });

  describe('estimates: draft, sent, accepted, expired', () => {
    beforeEach(async () => {
      t = await startTestApp();
    });

    it('derives the status from QuickBooks link, invoicing and the expiration date', async () => {
      const { agent } = await staffAgent(t);
      const c = await makeCustomer(t);
      const est = t.container.estimates;
      const draft = await est.create(documentValues(c.id, [line('1')], { closingDate: '2999-01-01' }));
      const sent = await est.create(documentValues(c.id, [line('2')], { closingDate: '2999-01-01' }));
      const accepted = await est.create(
        documentValues(c.id, [line('3')], { txnDate: '2020-01-01', closingDate: '2020-02-01' }),
      );
      const expired = await est.create(
        documentValues(c.id, [line('4')], { txnDate: '2020-01-01', closingDate: '2020-02-01' }),
      );
      const now = new Date().toISOString();
      await t.container.db('qbo_links').insert({
        record_type: 'estimate',
        record_id: sent.id,
        realm_id: '9130350000000001',
        qbo_id: '77',
        state: 'linked',
        created_at: now,
        updated_at: now,
      });
      await t.container.invoices.createFromEstimate(accepted.id);

      const stages = await Promise.all(
        [draft, sent, accepted, expired].map(async (e) => (await est.get(e.id)).stage),
      );
      expect(stages).to.deep.equal(['draft', 'sent', 'accepted', 'expired']);
      const list = await agent.get('/admin/estimates');
      expect(pills(list.text)).to.deep.equal(['expired', 'accepted', 'sent', 'draft']);
      expect((await agent.get(`/admin/estimates/${accepted.id}`)).text).to.contain('>Accepted</span>');
    });
  });

  describe('GET /admin/invoices?sort=…&dir=…', () => {
    beforeEach(async () => {
      t = await startTestApp();
    });

    it('sorts by number, date, customer, total and status, with header links that say how it is sorted', async () => {
      const { agent } = await staffAgent(t);
      const zed = await makeCustomer(t, 'Zed Productions');
      const acme = await makeCustomer(t, 'acme events');
      const inv = t.container.invoices;
      await inv.create(
        documentValues(zed.id, [line('30')], {
          docNumber: '999',
          txnDate: '2026-03-01',
          closingDate: '2999-01-01',
        }),
      );
      await inv.create(
        documentValues(acme.id, [line('10')], {
          docNumber: '1001',
          txnDate: '2026-01-01',
          closingDate: '2026-01-02',
        }),
      );
      await inv.create(
        documentValues(zed.id, [line('20')], {
          docNumber: '1000',
          txnDate: '2026-02-01',
          closingDate: '2999-01-01',
        }),
      );

      const by = async (query: string) =>
        numbers((await agent.get(`/admin/invoices${query}`)).text, 'invoices');
      expect(await by(''), 'newest first by default').to.deep.equal(['1000', '1001', '999']);
      expect(await by('?sort=number&dir=asc'), '999 before 1000').to.deep.equal(['999', '1000', '1001']);
      expect(await by('?sort=number&dir=desc')).to.deep.equal(['1001', '1000', '999']);
      expect(await by('?sort=date&dir=asc')).to.deep.equal(['1001', '1000', '999']);
      expect(await by('?sort=customer&dir=asc'), 'case-insensitive').to.deep.equal(['1001', '1000', '999']);
      expect(await by('?sort=total&dir=desc')).to.deep.equal(['999', '1000', '1001']);
      expect(await by('?sort=status&dir=asc'), 'overdue first').to.deep.equal(['1001', '1000', '999']);
      expect(await by('?sort=bogus&dir=sideways'), 'junk is the default order').to.deep.equal([
        '1000',
        '1001',
        '999',
      ]);

      const page = await agent.get('/admin/invoices?sort=total&dir=desc&q=');
      expect(page.text).to.contain(
        'aria-sort="descending"><a class="sort" href="/admin/invoices?sort=total&amp;dir=asc">',
      );
      expect(page.text).to.contain('<a class="sort" href="/admin/invoices?sort=number&amp;dir=asc">Number');
      expect((page.text.match(/aria-sort=/g) ?? []).length).to.equal(1);
    });

    it('keeps the sort in the search form and the page links', async () => {
      const { agent } = await staffAgent(t);
      const c = await makeCustomer(t);
      for (let i = 0; i < 26; i++)
        await t.container.invoices.create(documentValues(c.id, [line(String(i + 1))]));
      const page = await agent.get('/admin/invoices?sort=total&dir=asc');
      expect(page.text).to.contain('<input type="hidden" name="sort" value="total">');
      expect(page.text).to.contain('<input type="hidden" name="dir" value="asc">');
      expect(unescapeHtml(page.text)).to.contain(
        'href="/admin/invoices?sort=total&dir=asc&page=2" rel="next"',
      );
      const second = await agent.get('/admin/invoices?sort=total&dir=asc&page=2');
      expect(numbers(second.text, 'invoices')).to.deep.equal(['1026']);
    });
  });

  describe('one numbering style', () => {
    beforeEach(async () => {
      t = await startTestApp();
    });

    it('numbers new estimates 1001, 1002 like invoices and keeps older E- numbers readable', async () => {
      const { agent } = await staffAgent(t);
      const c = await makeCustomer(t);
      const legacy = await t.container.estimates.create(
        documentValues(c.id, [line('1')], { docNumber: 'E-1001' }),
      );
      const next = await t.container.estimates.create(documentValues(c.id, [line('1')]));
      const invoice = await t.container.invoices.create(documentValues(c.id, [line('1')]));
      expect(next.docNumber).to.equal('1002');
      expect(invoice.docNumber).to.equal('1001');
      const page = await agent.get(`/admin/estimates/${legacy.id}`);
      expect(page.text).to.contain('Estimate E-1001');
      expect((await agent.get('/admin/estimates?q=E-1001')).text).to.contain('>E-1001</a>');
    });
  });

  describe('default terms', () => {
    it('gives an invoice saved without a due date the default terms (Net 30), and says so on the form', async () => {
      t = await startTestApp();
      const { agent, _csrf } = await staffAgent(t);
      const c = await makeCustomer(t);
      const form = await agent.get('/admin/invoices/new');
      expect(form.text).to.contain('Leave blank: due 30 days after the invoice date (Net 30).');
      const res = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(
          formBody({
            customerId: String(c.id),
            txnDate: '2026-12-15',
            dueDate: '',
            lines: [line('10')],
            _csrf,
          }),
        );
      expect(res.status).to.equal(303);
      const invoice = await t.container.invoices.get(Number(res.headers.location.split('/').pop()));
      expect(invoice.dueDate).to.equal('2027-01-14');
      // A due date that was typed is kept.
      const typed = await t.container.invoices.create(
        documentValues(c.id, [line('1')], { txnDate: '2026-12-15', closingDate: '2026-12-20' }),
      );
      expect(typed.dueDate).to.equal('2026-12-20');
      // An estimate keeps a blank expiration date.
      const estimate = await t.container.estimates.create(documentValues(c.id, [line('1')]));
      expect(estimate.expirationDate).to.equal(null);
    });

    it('uses DEFAULT_TERMS_DAYS, also for an invoice made from an estimate', async () => {
      t = await startTestApp({ env: { DEFAULT_TERMS_DAYS: '14', COMPANY_TIMEZONE: 'UTC' } });
      const c = await makeCustomer(t);
      const invoice = await t.container.invoices.create(
        documentValues(c.id, [line('1')], { txnDate: '2026-12-15' }),
      );
      expect(invoice.dueDate).to.equal('2026-12-29');
      const estimate = await t.container.estimates.create(documentValues(c.id, [line('1')]));
      const { invoice: converted } = await t.container.invoices.createFromEstimate(estimate.id, '2026-12-01');
      expect(converted.dueDate).to.equal('2026-12-15');
    });
  });

  describe('currency, dates and times', () => {
    it('shows every amount with the company currency and dates in its locale; no ISO strings', async () => {
      t = await startTestApp({
        env: { COMPANY_CURRENCY: 'EUR', COMPANY_LOCALE: 'de-DE', COMPANY_TIMEZONE: 'Europe/Berlin' },
      });
      const { agent } = await staffAgent(t);
      const c = await makeCustomer(t);
      const invoice = await t.container.invoices.create(
        documentValues(c.id, [{ description: 'Truss', quantity: '3', unitPrice: '1.633,83' }], {
          txnDate: '2026-12-01',
        }),
      );
      const page = unescapeHtml((await agent.get(`/admin/invoices/${invoice.id}`)).text);
      expect(page).to.contain('4.901,49\u00a0€');
      expect(page).to.contain('1.633,83\u00a0€');
      expect(page).to.contain('<time datetime="2026-12-01">01.12.2026</time>');
      expect(page).to.contain('<time datetime="2026-12-31">31.12.2026</time>'); // Net 30
      // Updated: relative, with the exact time (Berlin) in the title and the instant in datetime.
      expect(page).to.match(
        /<dt>Updated<\/dt><dd><time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z" title="\d\d\.\d\d\.\d{4}, \d\d:\d\d">vor \d+ Sekunden|<dt>Updated<\/dt><dd><time datetime="[^"]+" title="[^"]+">jetzt<\/time>/,
      );
      const visible = page.replace(/<[^>]+>/g, ' ');
      expect(visible, 'no ISO date-time printed as text').to.not.match(/\d{4}-\d\d-\d\dT\d\d:/);
      const list = unescapeHtml((await agent.get('/admin/invoices')).text);
      expect(list).to.contain('4.901,49\u00a0€');
      expect(list).to.contain('01.12.2026');
    });

    it('starts a new document on today in the company time zone', async () => {
      // UTC+14 and UTC-11 are 25 hours apart: never the same calendar day.
      const days: string[] = [];
      for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
        t = await startTestApp({ env: { COMPANY_TIMEZONE: zone } });
        const { agent } = await staffAgent(t);
        const form = await agent.get('/admin/estimates/new');
        days.push(/name="txnDate" type="date"\s+value="([^"]+)"/.exec(form.text)![1]);
        const expected = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
        expect(days[days.length - 1]).to.equal(expected);
        await t.close();
        t = undefined as unknown as TestApp;
      }
      expect(days[0]).to.not.equal(days[1]);
    });
  });
});
