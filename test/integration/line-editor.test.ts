import { expect } from 'chai';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { formBody, makeCustomer, rowCount, staffAgent, unescapeHtml } from '../helpers/records.js';

type Line = { description: string; quantity: string; unitPrice: string; remove?: string };

function invoiceForm(customerId: number, lines: Line[], extra: Record<string, unknown> = {}) {
  return {
    customerId: String(customerId),
    docNumber: '',
    txnDate: '2026-11-28',
    dueDate: '',
    memo: '',
    lines,
    ...extra,
  };
}

/** The rows of the line editor in a page: how many, and whether the header appears once. */
function editor(html: string) {
  const table = /<table class="line-editor">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return {
    theads: (table.match(/<thead>/g) ?? []).length,
    headerCells: (table.match(/<th scope="col"/g) ?? []).length,
    rows: (table.match(/<tr class="line-row"/g) ?? []).length,
    amounts: [...table.matchAll(/data-amount>([^<]*)</g)].map((m) => unescapeHtml(m[1])),
    total: unescapeHtml(/<output data-total[^>]*>([^<]*)</.exec(table)?.[1] ?? ''),
  };
}

describe('the line editor (estimate and invoice forms)', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  describe('GET /admin/invoices/new', () => {
    beforeEach(async () => {
      t = await startTestApp();
    });

    it('shows one table header for all rows, three rows, Remove boxes and an Add line submit button', async () => {
      const { agent } = await staffAgent(t);
      const res = await agent.get('/admin/invoices/new');
      expect(res.status).to.equal(200);
      const e = editor(res.text);
      expect(e.theads).to.equal(1);
      expect(e.headerCells).to.equal(5);
      expect(e.rows).to.equal(3);
      expect(res.text).to.contain('<button type="submit" name="action" value="add-line"');
      expect(res.text).to.contain('name="lines[2][remove]" value="1"');
      expect(res.text).to.contain(
        '<label for="f-lines-0-description" class="visually-hidden">Description (line 1)</label>',
      );
      expect(e.total).to.equal('$0.00');
      // The script is a file (the CSP forbids inline scripts).
      expect(res.text).to.contain('<script src="/js/lines.js" defer></script>');
      const script = await agent.get('/js/lines.js');
      expect(script.status).to.equal(200);
      expect(script.text).to.contain('data-add-line');
    });
  });

  describe('POST /admin/invoices/new with action=add-line (no JavaScript)', () => {
    beforeEach(async () => {
      t = await startTestApp();
    });

    it('re-renders the form with one more row, keeps what was typed, shows amounts and saves nothing', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const res = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(
          formBody({
            ...invoiceForm(customer.id, [
              { description: 'Line array', quantity: '2', unitPrice: '$1,250.00' },
              { description: 'Cable', quantity: '1.5', unitPrice: '0.35' },
              { description: '', quantity: '', unitPrice: '' },
            ]),
            memo: 'Festival',
            action: 'add-line',
            _csrf,
          }),
        );
      expect(res.status).to.equal(200);
      const e = editor(res.text);
      expect(e.rows).to.equal(4);
      expect(e.amounts).to.deep.equal(['$2,500.00', '$0.53', '—', '—']);
      expect(e.total).to.equal('$2,500.53');
      expect(unescapeHtml(res.text)).to.contain('value="$1,250.00"');
      expect(res.text).to.contain('value="Cable"');
      expect(res.text).to.contain('>Festival</textarea>');
      expect(res.text).to.contain('id="f-lines-3-description"');
      expect(res.text).to.not.contain('Please correct the highlighted fields.');
      expect(await rowCount(t, 'invoices')).to.equal(0);
    });

    it('drops the lines ticked Remove when it re-renders, and when it saves', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const lines = [
        { description: 'Keep me', quantity: '1', unitPrice: '10' },
        { description: 'Drop me', quantity: '1', unitPrice: '99', remove: '1' },
        { description: 'Keep me too', quantity: '2', unitPrice: '5' },
      ];
      const again = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody({ ...invoiceForm(customer.id, lines), action: 'add-line', _csrf }));
      expect(again.status).to.equal(200);
      expect(again.text).to.not.contain('Drop me');
      expect(editor(again.text).rows).to.equal(3);
      expect(again.text).to.contain('name="lines[1][description]" type="text" value="Keep me too"');

      const saved = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody({ ...invoiceForm(customer.id, lines), _csrf }));
      expect(saved.status).to.equal(303);
      const invoice = await t.container.invoices.getWithLines(
        Number(saved.headers.location.split('/').pop()),
      );
      expect(invoice!.lines.map((l) => l.description)).to.deep.equal(['Keep me', 'Keep me too']);
      expect(invoice!.totalCents).to.equal(2000);
    });

    it('does not add beyond the 100-line limit', async () => {
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      const lines = Array.from({ length: 100 }, (_, i) => ({
        description: `L${i}`,
        quantity: '1',
        unitPrice: '1',
      }));
      const res = await agent
        .post('/admin/invoices/new')
        .type('form')
        .send(formBody({ ...invoiceForm(customer.id, lines), action: 'add-line', _csrf }));
      expect(res.status).to.equal(200);
      expect(editor(res.text).rows).to.equal(100);
      expect(res.text).to.match(/data-add-line\s+disabled/);
    });
  });

  describe('money typed in the company locale', () => {
    let lastAgent: {
      agent: Awaited<ReturnType<typeof staffAgent>>['agent'];
      _csrf: string;
      customerId: number;
    };
    const saveWith = async (env: Record<string, string>, unitPrice: string, quantity = '1') => {
      t = await startTestApp({ env });
      const { agent, _csrf } = await staffAgent(t);
      const customer = await makeCustomer(t);
      lastAgent = { agent, _csrf, customerId: customer.id };
      return agent
        .post('/admin/estimates/new')
        .type('form')
        .send(
          formBody({
            customerId: String(customer.id),
            txnDate: '2026-11-28',
            lines: [{ description: 'Stage', quantity, unitPrice }],
            _csrf,
          }),
        );
    };

    for (const [env, price, quantity] of [
      [{}, '$1,250.00', '1'],
      [{ COMPANY_LOCALE: 'fr-FR', COMPANY_CURRENCY: 'EUR' }, '1 250,00 €', '1'],
      [{ COMPANY_LOCALE: 'de-DE', COMPANY_CURRENCY: 'EUR' }, '1.250,00', '1,0'],
    ] as [Record<string, string>, string, string][]) {
      it(`stores ${price} as 125000 cents (${env.COMPANY_LOCALE ?? 'en-US'})`, async () => {
        const res = await saveWith(env, price, quantity);
        expect(res.status, res.text).to.equal(303);
        const estimate = await t.container.estimates.getWithLines(
          Number(res.headers.location.split('/').pop()),
        );
        expect(estimate!.lines[0].unitPriceCents).to.equal(125000);
        expect(estimate!.totalCents).to.equal(125000);
      });
    }

    it('refuses 1250,00 in an en-US company with a message in its own format, and stores nothing', async () => {
      const res = await saveWith({}, '1250,00');
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('Enter an amount like 1,250.00.');
      expect(res.text).to.contain('value="1250,00"');
      expect(await rowCount(t, 'estimates')).to.equal(0);
    });

    it('shows stored prices in the locale on the edit form, so they save back unchanged', async () => {
      const res = await saveWith({ COMPANY_LOCALE: 'de-DE', COMPANY_CURRENCY: 'EUR' }, '1.250,00', '1,5');
      const path = res.headers.location;
      const { agent, _csrf, customerId } = lastAgent;
      const form = await agent.get(`${path}/edit`);
      expect(form.text).to.contain('value="1.250,00"');
      expect(form.text).to.contain('value="1,5"');
      expect(editor(form.text).amounts[0]).to.equal('1.875,00\u00a0€');
      const page = await agent.get(path);
      expect(unescapeHtml(page.text)).to.contain('1.875,00\u00a0€');
      // The values as the edit form shows them, sent back: nothing changes.
      const saved = await agent
        .post(path)
        .type('form')
        .send(
          formBody({
            customerId: String(customerId),
            docNumber: '1001',
            txnDate: '2026-11-28',
            lines: [{ description: 'Stage', quantity: '1,5', unitPrice: '1.250,00' }],
            _csrf,
          }),
        );
      expect(saved.status).to.equal(303);
      const estimate = await t.container.estimates.getWithLines(Number(path.split('/').pop()));
      expect(estimate!.lines[0]).to.deep.include({ quantityThousandths: 1500, unitPriceCents: 125000 });
      expect(estimate!.totalCents).to.equal(187500);
    });
  });
});
