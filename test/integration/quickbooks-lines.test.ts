/**
 * Items and tax for lines, and documents whose lines are managed in QuickBooks (issue 15a): the card's
 * defaults (POST /admin/settings/quickbooks/defaults), an item chosen on a line, a missing or inactive
 * item stopping the record with a message that names the fix, and an edit of a document from QuickBooks
 * that leaves its lines alone.
 */
import { expect } from 'chai';
import { createUser, csrfToken, signIn } from '../helpers/app.js';
import {
  connect,
  itemId,
  REALM_A,
  REALM_B,
  REALM_EMPTY,
  startWorld,
  type World,
} from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';

type Entity = Record<string, any>;

const qbo = (w: World, entity: string, realm = REALM_EMPTY): Promise<Entity[]> =>
  w.control('GET', `/companies/${realm}/entities/${entity}`);

async function postDefaults(w: World, fields: Record<string, string>) {
  const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
  return w.admin
    .post('/admin/settings/quickbooks/defaults')
    .type('form')
    .send({ _csrf, ...fields });
}

async function invoiceForm(w: World, fields: Record<string, string>) {
  const _csrf = await csrfToken(w.admin, '/admin/invoices/new');
  return w.admin
    .post('/admin/invoices/new')
    .type('form')
    .send({ _csrf, txnDate: '2026-11-20', ...fields });
}

describe('QuickBooks lines: items and tax', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  describe('POST /admin/settings/quickbooks/defaults', () => {
    it('the card proposes the company\'s "Services" item after a connect; the admin chooses another', async () => {
      await connect(w, { realmId: REALM_EMPTY });
      const services = await itemId(w, REALM_EMPTY);
      const hours = await itemId(w, REALM_EMPTY, 'Hours');
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('Lines: item and tax');
      expect(card.text).to.match(new RegExp(`<option value="${services}" selected>Services`));

      const saved = await postDefaults(w, { itemId: hours, taxCodeId: '' });
      expect(saved.status).to.equal(303);
      const after = await w.admin.get('/admin/settings/quickbooks');
      expect(after.text).to.contain('now use &#34;Hours&#34;');
      expect(after.text).to.match(new RegExp(`<option value="${hours}" selected>Hours`));

      const customer = await makeCustomer(w.t, 'Defaults Co');
      await w.t.container.invoices.create({
        customerId: String(customer.id),
        docNumber: 'D-1',
        txnDate: '2026-11-20',
        closingDate: '',
        memo: '',
        lines: [{ description: 'Crew', quantity: '2', unitPrice: '50.00' }],
      });
      await w.t.container.sync.worker.drain();
      const pushed = (await qbo(w, 'Invoice')).find((i) => i.DocNumber === 'D-1')!;
      expect(pushed.Line[0].SalesItemLineDetail.ItemRef.value).to.equal(hours);
    });

    it('refuses an item that is not an active item of the company, staff (403) and a missing _csrf (403)', async () => {
      await connect(w, { realmId: REALM_EMPTY });
      const refused = await postDefaults(w, { itemId: '999' });
      expect(refused.status).to.equal(303);
      expect((await w.admin.get('/admin/settings/quickbooks')).text).to.contain('not an active item');

      const noCsrf = await w.admin
        .post('/admin/settings/quickbooks/defaults')
        .type('form')
        .send({ itemId: '2' });
      expect(noCsrf.status).to.equal(403);
      await createUser(w.t, 'staff@example.com', 'staff password 1234', 'staff');
      const staff = await signIn(w.t, 'staff@example.com', 'staff password 1234');
      const _csrf = await csrfToken(staff, '/admin');
      const res = await staff
        .post('/admin/settings/quickbooks/defaults')
        .type('form')
        .send({ _csrf, itemId: '2' });
      expect(res.status).to.equal(403);
      const row = await w.t.container.db('qbo_line_settings').where({ realm_id: REALM_EMPTY }).first();
      expect(row.default_item_id).to.equal(await itemId(w, REALM_EMPTY));
    });
  });

  it('a company without a "Services" item: documents stop with "choose the QuickBooks item on the card"', async () => {
    const services = await itemId(w, REALM_EMPTY);
    await w.control('POST', `/companies/${REALM_EMPTY}/entities/Item/${services}`, { Active: false });
    await connect(w, { realmId: REALM_EMPTY });
    const card = await w.admin.get('/admin/settings/quickbooks');
    expect(card.text).to.contain('No QuickBooks item is chosen');
    const customer = await makeCustomer(w.t, 'No Item Co');
    const invoice = await w.t.container.invoices.create({
      customerId: String(customer.id),
      docNumber: 'NI-1',
      txnDate: '2026-11-20',
      closingDate: '',
      memo: '',
      lines: [{ description: 'Crew', quantity: '1', unitPrice: '10.00' }],
    });
    await w.t.container.sync.worker.drain();
    const failed = await w.t.container
      .db('qbo_outbox')
      .where({ record_type: 'invoice', record_id: invoice.id });
    expect(failed.map((o: Entity) => o.status)).to.deep.equal(['failed']);
    expect(failed[0].last_error).to.contain('choose the QuickBooks item on the card');
    expect((await qbo(w, 'Invoice')).filter((i) => i.DocNumber === 'NI-1')).to.deep.equal([]);
    const page = await w.admin.get(`/admin/invoices/${invoice.id}`);
    expect(page.text).to.contain('choose the QuickBooks item on the card');
    // The customer itself went out: only the document waits for an item.
    expect((await qbo(w, 'Customer')).some((c) => c.DisplayName === 'No Item Co')).to.equal(true);

    // The admin chooses an item on the card: the stopped invoice goes out without a "Retry".
    const hours = await itemId(w, REALM_EMPTY, 'Hours');
    await postDefaults(w, { itemId: hours });
    await w.t.container.sync.worker.drain();
    const pushed = (await qbo(w, 'Invoice')).find((i) => i.DocNumber === 'NI-1')!;
    expect(pushed.Line[0].SalesItemLineDetail.ItemRef.value).to.equal(hours);
    const items = await w.t.container
      .db('qbo_outbox')
      .where({ record_type: 'invoice', record_id: invoice.id });
    expect(items.map((o: Entity) => o.status)).to.deep.equal(['done']);
  });

  it("a default item made inactive in QuickBooks stops the record with Intuit's 2500 and the fix", async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const services = await itemId(w, REALM_EMPTY);
    await w.control('POST', `/companies/${REALM_EMPTY}/entities/Item/${services}`, { Active: false });
    const customer = await makeCustomer(w.t, 'Gone Item Co');
    const invoice = await w.t.container.invoices.create({
      customerId: String(customer.id),
      docNumber: 'GI-1',
      txnDate: '2026-11-20',
      closingDate: '',
      memo: '',
      lines: [{ description: 'Crew', quantity: '1', unitPrice: '10.00' }],
    });
    await w.t.container.sync.worker.drain();
    const [item] = await w.t.container
      .db('qbo_outbox')
      .where({ record_type: 'invoice', record_id: invoice.id });
    expect(item.status).to.equal('failed');
    expect(item.last_error_code).to.equal('2500');
    expect(item.last_error).to.contain('choose the QuickBooks item on the card');
  });

  it('an item chosen on a line of the form (lines[N][itemId]) is the one QuickBooks books the line to', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const hours = await itemId(w, REALM_EMPTY, 'Hours');
    const services = await itemId(w, REALM_EMPTY);
    const customer = await makeCustomer(w.t, 'Form Item Co');
    const form = await w.admin.get('/admin/invoices/new');
    expect(form.text).to.contain('name="lines[0][itemId]"');
    expect(form.text).to.contain('Default: Services');
    const res = await invoiceForm(w, {
      customerId: String(customer.id),
      docNumber: 'FI-1',
      'lines[0][description]': 'Engineer',
      'lines[0][quantity]': '3',
      'lines[0][unitPrice]': '40.00',
      'lines[0][itemId]': hours,
      'lines[1][description]': 'Mixer',
      'lines[1][quantity]': '1',
      'lines[1][unitPrice]': '90.00',
      'lines[1][itemId]': '',
    });
    expect(res.status, res.text).to.equal(303);
    await w.t.container.sync.worker.drain();
    const pushed = (await qbo(w, 'Invoice')).find((i) => i.DocNumber === 'FI-1')!;
    const sales = pushed.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail');
    expect(sales.map((l: Entity) => l.SalesItemLineDetail.ItemRef.value)).to.deep.equal([hours, services]);
    const id = Number(res.headers.location.split('/').pop());
    const edit = await w.admin.get(`/admin/invoices/${id}/edit`);
    expect(edit.text).to.match(new RegExp(`<option value="${hours}" selected>Hours`));
  });

  it('US automated sales tax: lines[N][taxable] marks a line TAX, the others go NON', async () => {
    await connect(w, { realmId: REALM_A });
    const customer = await makeCustomer(w.t, 'Taxed Form Co', {
      billingCity: 'Oakland',
      billingPostalCode: '94607',
    });
    const res = await invoiceForm(w, {
      customerId: String(customer.id),
      docNumber: 'TX-2',
      'lines[0][description]': 'PA rental',
      'lines[0][quantity]': '1',
      'lines[0][unitPrice]': '200.00',
      'lines[0][taxable]': 'on',
      'lines[1][description]': 'Crew',
      'lines[1][quantity]': '1',
      'lines[1][unitPrice]': '100.00',
      'lines[1][taxable]': 'off',
    });
    expect(res.status, res.text).to.equal(303);
    await w.t.container.sync.worker.drain();
    const pushed = (await qbo(w, 'Invoice', REALM_A)).find((i) => i.DocNumber === 'TX-2')!;
    const codes = pushed.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail').map(
      (l: Entity) => l.SalesItemLineDetail.TaxCodeRef.value,
    );
    expect(codes).to.deep.equal(['TAX', 'NON']);
    expect(pushed.TxnTaxDetail.TotalTax).to.be.greaterThan(0);
  });

  it("Canadian company: lines[N][taxCodeId] books a line to its own GST/HST code, the others to the card's", async () => {
    await connect(w, { realmId: REALM_B });
    const services = await itemId(w, REALM_B);
    const codes = (await qbo(w, 'TaxCode', REALM_B)).filter((c: Entity) => c.Active !== false);
    expect(codes.length, 'active tax codes in the Canadian company').to.be.greaterThan(1);
    const [byDefault, ownCode] = codes.map((c: Entity) => String(c.Id));
    const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    const saved = await w.admin
      .post('/admin/settings/quickbooks/defaults')
      .type('form')
      .send({ _csrf, itemId: services, taxCodeId: byDefault });
    expect(saved.status).to.equal(303);
    const customer = await makeCustomer(w.t, 'Vancouver Stage');
    const form = await w.admin.get('/admin/invoices/new');
    expect(form.text).to.contain('name="lines[0][taxCodeId]"');
    const res = await invoiceForm(w, {
      customerId: String(customer.id),
      docNumber: 'CA-2',
      'lines[0][description]': 'Rigging',
      'lines[0][quantity]': '2',
      'lines[0][unitPrice]': '150.00',
      'lines[0][taxCodeId]': ownCode,
      'lines[1][description]': 'Crew',
      'lines[1][quantity]': '1',
      'lines[1][unitPrice]': '100.00',
      'lines[1][taxCodeId]': '',
    });
    expect(res.status, res.text).to.equal(303);
    await w.t.container.sync.worker.drain();
    const pushed = (await qbo(w, 'Invoice', REALM_B)).find((i) => i.DocNumber === 'CA-2');
    expect(pushed, 'the invoice reached QuickBooks').to.not.equal(undefined);
    const sent = pushed!.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail').map(
      (l: Entity) => l.SalesItemLineDetail.TaxCodeRef.value,
    );
    expect(sent).to.deep.equal([ownCode, byDefault]);
    const id = Number(res.headers.location.split('/').pop());
    const edit = await w.admin.get(`/admin/invoices/${id}/edit`);
    expect(edit.text).to.match(new RegExp(`<option value="${ownCode}" selected>`));
  });

  it('Canadian company without a default tax code: documents stop and say to choose the tax code on the card', async () => {
    await connect(w, { realmId: REALM_B });
    const customer = await makeCustomer(w.t, 'Halifax Hall');
    const invoice = await w.t.container.invoices.create({
      customerId: String(customer.id),
      docNumber: 'CA-NT',
      txnDate: '2026-11-20',
      closingDate: '',
      memo: '',
      lines: [{ description: 'Crew', quantity: '1', unitPrice: '10.00' }],
    });
    await w.t.container.sync.worker.drain();
    const [item] = await w.t.container
      .db('qbo_outbox')
      .where({ record_type: 'invoice', record_id: invoice.id });
    expect(item.status).to.equal('failed');
    expect(item.last_error_code).to.equal('tax_code_missing');
    expect(item.last_error).to.contain('choose the default tax code on the card');
    const card = await w.admin.get('/admin/settings/quickbooks');
    expect(card.text).to.contain('Default tax code');
  });

  it('a link from before snapshots: a memo edit reads QuickBooks once and never rewrites its lines', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    const hours = await itemId(w, REALM_EMPTY, 'Hours');
    const customer = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
      DisplayName: 'Legacy Client',
    });
    const invoice = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 12.38,
          Description: 'Cable',
          SalesItemLineDetail: { ItemRef: { value: hours }, Qty: 1, UnitPrice: 12.375 },
        },
      ],
    });
    await w.t.container.inbound.cdc.sweep(REALM_EMPTY);
    const link = await w.t.container
      .db('qbo_links')
      .where({ record_type: 'invoice', qbo_id: invoice.Id })
      .first();
    const localId = Number(link.record_id);
    // As an upgrade leaves it: no snapshot, and lines the old pull rounded (12.375 → 12.38).
    await w.t.container.db('qbo_links').where({ id: link.id }).update({ snapshot_json: null });
    await w.t.container.db('invoices').where({ id: localId }).update({ managed_lines_json: null });
    await w.t.container.db('invoice_lines').insert({
      invoice_id: localId,
      position: 1,
      description: 'Cable',
      quantity_thousandths: 1000,
      unit_price_cents: 1238,
      amount_cents: 1238,
    });
    const local = (await w.t.container.invoices.getWithLines(localId))!;
    await w.t.container.invoices.update(localId, {
      customerId: String(local.customerId),
      docNumber: local.docNumber,
      txnDate: local.txnDate,
      closingDate: (local as Entity).dueDate ?? '',
      memo: 'Upgraded',
      lines: [{ description: 'Cable', quantity: '1', unitPrice: '12.38' }],
    });
    await w.t.container.sync.worker.drain();
    const after = (await qbo(w, 'Invoice')).find((i) => i.Id === invoice.Id)!;
    expect(after.CustomerMemo?.value).to.equal('Upgraded');
    expect(after.Line).to.deep.equal(invoice.Line);
  });

  describe('a document whose lines are managed in QuickBooks', () => {
    async function pulledWithDiscount(): Promise<{ invoice: Entity; localId: number }> {
      await connect(w, { realmId: REALM_EMPTY });
      const services = await itemId(w, REALM_EMPTY);
      const customer = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
        DisplayName: 'Discounted Client',
      });
      const invoice = await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
        CustomerRef: { value: customer.Id },
        Line: [
          {
            DetailType: 'SalesItemLineDetail',
            Amount: 200,
            Description: 'Stage hire',
            SalesItemLineDetail: { ItemRef: { value: services }, Qty: 1, UnitPrice: 200 },
          },
          {
            DetailType: 'DiscountLineDetail',
            Amount: 0,
            DiscountLineDetail: { PercentBased: true, DiscountPercent: 5 },
          },
        ],
      });
      await w.t.container.inbound.cdc.sweep(REALM_EMPTY);
      const link = await w.t.container
        .db('qbo_links')
        .where({ record_type: 'invoice', qbo_id: invoice.Id })
        .first();
      return { invoice, localId: Number(link.record_id) };
    }

    it("is shown read-only with a plain note, its edit form has no line editor, and a memo edit leaves QuickBooks' lines alone", async () => {
      const { invoice, localId } = await pulledWithDiscount();
      const page = await w.admin.get(`/admin/invoices/${localId}`);
      expect(page.text).to.contain('Lines managed in QuickBooks');
      expect(page.text).to.contain('Discount (5%)');
      expect(page.text).to.contain('190.00');
      const edit = await w.admin.get(`/admin/invoices/${localId}/edit`);
      expect(edit.text).to.contain('Lines managed in QuickBooks');
      expect(edit.text).to.not.contain('name="lines[0][description]"');

      const local = (await w.t.container.invoices.findById(localId))!;
      const _csrf = await csrfToken(w.admin, `/admin/invoices/${localId}/edit`);
      const saved = await w.admin
        .post(`/admin/invoices/${localId}`)
        .type('form')
        .send({
          _csrf,
          customerId: String(local.customerId),
          docNumber: local.docNumber,
          txnDate: local.txnDate,
          memo: 'Paid by card',
          // Lines sent anyway (a script): ignored for a document managed in QuickBooks.
          'lines[0][description]': 'Rewritten',
          'lines[0][quantity]': '1',
          'lines[0][unitPrice]': '1.00',
        });
      expect(saved.status, saved.text).to.equal(303);
      await w.t.container.sync.worker.drain();
      const after = (await qbo(w, 'Invoice')).find((i) => i.Id === invoice.Id)!;
      expect(after.CustomerMemo?.value).to.equal('Paid by card');
      expect(after.Line).to.deep.equal(invoice.Line);
      expect(after.TotalAmt).to.equal(invoice.TotalAmt);
      expect((await w.t.container.invoices.findById(localId))!.totalCents).to.equal(19000);
    });

    it('a change in QuickBooks that makes the lines plain again gives the editor back', async () => {
      const { invoice, localId } = await pulledWithDiscount();
      const services = await itemId(w, REALM_EMPTY);
      await w.control('POST', `/companies/${REALM_EMPTY}/entities/Invoice/${invoice.Id}`, {
        Line: [
          {
            DetailType: 'SalesItemLineDetail',
            Amount: 180,
            Description: 'Stage hire',
            SalesItemLineDetail: { ItemRef: { value: services }, Qty: 1, UnitPrice: 180 },
          },
        ],
      });
      await w.t.container.inbound.cdc.sweep(REALM_EMPTY);
      const doc = (await w.t.container.invoices.getWithLines(localId))!;
      expect(doc.managedLines).to.equal(null);
      expect(doc.lines.map((l) => [l.description, l.amountCents, l.itemId])).to.deep.equal([
        ['Stage hire', 18000, services],
      ]);
      const edit = await w.admin.get(`/admin/invoices/${localId}/edit`);
      expect(edit.text).to.contain('name="lines[0][description]"');
    });
  });
});
