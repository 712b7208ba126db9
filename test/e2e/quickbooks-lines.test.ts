import { expect } from 'chai';
import { until } from '../helpers/until.js';
import { axeAtBothWidths } from './helpers/axe.js';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { type IntuitEmulator, REALM_A } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import { CARD_PATH, signInAndConnect } from './helpers/quickbooks.js';
import { chooseCustomer } from './helpers/records.js';
import type { E2EServer } from './helpers/server.js';

type Entity = Record<string, any>;

describe("journey: items and tax on lines (the card's defaults, an item chosen on a line, lines managed in QuickBooks)", () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  const entities = (entity: string) =>
    emulator.control<Entity[]>('GET', `/companies/${REALM_A}/entities/${entity}`);
  const itemNamed = async (name: string) =>
    (await entities('Item')).find((i) => i.Name === name && i.Active)!;

  it('chooses the default item on the card, books a line to another item with sales tax, and shows a QuickBooks invoice with a discount read-only', async () => {
    const { page } = journey;
    await signInAndConnect(page, server, emulator);

    // The card proposes the company's "Services" item; the admin keeps the proposal but looks at the choices.
    const lines = page.locator('section[aria-labelledby="lines-h"]');
    expect(await lines.textContent()).to.contain('automated sales tax');
    const services = await itemNamed('Services');
    expect(await page.getByLabel('Default item').inputValue()).to.equal(services.Id);
    const rental = await itemNamed('PA System Rental');
    await page.getByLabel('Default item').selectOption(rental.Id);
    await clickAndWait(page, page.getByRole('button', { name: 'Save defaults' }));
    expect(currentPath(page)).to.equal(CARD_PATH);
    expect(await page.getByRole('status').first().textContent()).to.contain('PA System Rental');
    expect(await axeAtBothWidths(page, 'card with line defaults')).to.deep.equal([]);
    await lines.scrollIntoViewIfNeeded();
    await screenshots(page, 'quickbooks-card-line-defaults');

    // An invoice: line 1 names its own item and is taxable; line 2 (added in place) takes the default.
    await server.container.customers.create({
      displayName: 'Oakland Gala',
      companyName: '',
      email: '',
      phone: '',
      billingLine1: '1 Broadway',
      billingCity: 'Oakland',
      billingPostalCode: '94607',
      billingCountry: 'USA',
    });
    await page.goto(`${server.baseUrl}/admin/invoices/new`);
    await chooseCustomer(page, 'Oakland Gala');
    await page.locator('#f-docNumber').fill('GALA-1');
    const hours = await itemNamed('Hours');
    await page.locator('#f-lines-0-description').fill('Sound engineer');
    await page.locator('#f-lines-0-quantity').fill('6');
    await page.locator('#f-lines-0-unitPrice').fill('65.00');
    await page.getByLabel('QuickBooks item (line 1)').selectOption(hours.Id);
    await page.getByLabel('Sales tax (line 1)').selectOption('on');
    await page.locator('#f-lines-1-description').fill('Line array, weekend');
    await page.locator('#f-lines-1-quantity').fill('1');
    await page.locator('#f-lines-1-unitPrice').fill('900.00');
    await page.getByRole('button', { name: 'Add line' }).click();
    expect(
      await page.getByLabel('QuickBooks item (line 4)').inputValue(),
      'a new line starts from the default',
    ).to.equal('');
    expect(await axeAtBothWidths(page, 'invoice form with items')).to.deep.equal([]);
    await screenshots(page, 'line-with-item');
    await clickAndWait(page, page.getByRole('button', { name: 'Create invoice' }));
    expect(currentPath(page)).to.match(/^\/admin\/invoices\/\d+$/);
    expect(await page.locator('main').textContent()).to.contain('Hours, taxable');

    const pushed = await until(async () => (await entities('Invoice')).find((i) => i.DocNumber === 'GALA-1'));
    const sales = pushed.Line.filter((l: Entity) => l.DetailType === 'SalesItemLineDetail');
    expect(
      sales.map((l: Entity) => [l.SalesItemLineDetail.ItemRef.value, l.SalesItemLineDetail.TaxCodeRef.value]),
    ).to.deep.equal([
      [hours.Id, 'TAX'],
      [rental.Id, 'NON'],
    ]);
    await until(async () => {
      await page.reload();
      return (await page.locator('.qbo-total').count()) > 0;
    });
    expect(await page.locator('.qbo-total').textContent()).to.contain(
      pushed.TxnTaxDetail.TotalTax.toFixed(2),
    );

    // An invoice made in QuickBooks with a discount and a credit: read-only here, with a plain note.
    const customer =
      (await entities('Customer')).find((c) => c.Active && c.Taxable === false) ??
      (await entities('Customer')).find((c) => c.Active)!;
    const made: Entity = await emulator.control('POST', `/companies/${REALM_A}/entities/Invoice`, {
      CustomerRef: { value: customer.Id },
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 400,
          Description: 'Festival stage',
          SalesItemLineDetail: {
            ItemRef: { value: rental.Id },
            Qty: 1,
            UnitPrice: 400,
            TaxCodeRef: { value: 'NON' },
          },
        },
        {
          DetailType: 'SalesItemLineDetail',
          Amount: -50,
          Description: 'Credit: late delivery',
          SalesItemLineDetail: {
            ItemRef: { value: services.Id },
            Qty: 1,
            UnitPrice: -50,
            TaxCodeRef: { value: 'NON' },
          },
        },
        {
          DetailType: 'DiscountLineDetail',
          Amount: 0,
          DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 },
        },
      ],
    });
    await server.container.inbound.cdc.sweep(REALM_A);
    const link = await server.container
      .db('qbo_links')
      .where({ record_type: 'invoice', qbo_id: made.Id })
      .first();
    await page.goto(`${server.baseUrl}/admin/invoices/${link.record_id}`);
    expect(await page.locator('main').textContent()).to.contain('Lines managed in QuickBooks');
    expect(await page.locator('main').textContent()).to.contain('Discount (10%)');
    expect(await axeAtBothWidths(page, 'invoice managed in QuickBooks')).to.deep.equal([]);
    await screenshots(page, 'document-managed-in-quickbooks');
    await clickAndWait(page, page.getByRole('link', { name: 'Edit' }));
    expect(await page.locator('table.line-editor').count(), 'no line editor').to.equal(0);
  });
});
