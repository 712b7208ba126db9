import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { documentValues, makeCustomer } from '../helpers/records.js';
import { clickAndWait, currentPath, type Journey, screenshots, VIEWPORTS } from './helpers/browser.js';
import { appJourneyHooks } from './helpers/journey.js';
import { signInAdmin } from './helpers/quickbooks.js';
import { chooseCustomer } from './helpers/records.js';
import type { E2EServer } from './helpers/server.js';

const rows = (page: Page) => page.locator('table.line-editor tbody tr.line-row');
const amount = (page: Page, i: number) => rows(page).nth(i).locator('[data-amount]');
const total = (page: Page) => page.locator('[data-total]');

/** Nothing at phone width is wider than the screen (no sideways scrolling). */
async function expectNoSidewaysScroll(page: Page) {
  await page.setViewportSize(VIEWPORTS.phone);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className}[${Math.round(el.getBoundingClientRect().left)}-${Math.round(el.getBoundingClientRect().right)}] in ${el.parentElement?.className}[${Math.round(el.parentElement?.getBoundingClientRect().right ?? 0)}]`,
      )
      .slice(0, 8),
  );
  expect(width, `page width at 390 px (too wide: ${wide.join(', ')})`).to.be.at.most(VIEWPORTS.phone.width);
  await page.setViewportSize(VIEWPORTS.laptop);
}

describe('journey: the line editor, with and without JavaScript, and a paid invoice', () => {
  let server: E2EServer;
  let journey: Journey;

  const open = appJourneyHooks();

  it('with JavaScript: adds and removes lines in place, shows line amounts and a running total, saves what the server computes', async () => {
    server = await open.server();
    journey = await open.journey();
    const { page } = journey;
    await signInAdmin(page, server);
    await makeCustomer(server, 'Riverside Theatre');
    await page.goto(`${server.baseUrl}/admin/invoices/new`);
    await chooseCustomer(page, 'Riverside Theatre');
    // A marker that survives only if the page is not reloaded.
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    expect(await rows(page).count()).to.equal(3);
    expect(await page.locator('table.line-editor thead').count()).to.equal(1);

    await page.locator('#f-lines-0-description').fill('Line array (weekend)');
    await page.locator('#f-lines-0-quantity').fill('2');
    await page.locator('#f-lines-0-unitPrice').fill('$1,250.00');
    expect(await amount(page, 0).textContent()).to.equal('$2,500.00');
    expect(await total(page).textContent()).to.equal('$2,500.00');

    await page.getByRole('button', { name: 'Add line' }).click();
    expect(await rows(page).count()).to.equal(4);
    expect(
      await page.locator('#f-lines-3-description').evaluate((el) => el === document.activeElement),
    ).to.equal(true);
    await page.locator('#f-lines-3-description').fill('Sound engineer');
    await page.locator('#f-lines-3-quantity').fill('8');
    await page.locator('#f-lines-3-unitPrice').fill('65.5');
    expect(await total(page).textContent()).to.equal('$3,024.00');

    // Remove the blank second row: the rows after it move up and are renumbered.
    // click, not check(): the row (and the box) is gone at once, so there is no checked box to verify.
    await page.getByLabel('Remove line 2').click();
    expect(await rows(page).count()).to.equal(3);
    expect(await page.locator('#f-lines-2-description').inputValue()).to.equal('Sound engineer');
    expect(await page.locator('#f-lines-2-description').getAttribute('name')).to.equal(
      'lines[2][description]',
    );
    expect(await total(page).textContent()).to.equal('$3,024.00');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).to.equal(1);

    await expectNoSidewaysScroll(page);
    await screenshots(page, 'line-editor-js');
    await clickAndWait(page, page.getByRole('button', { name: 'Create invoice' }));
    expect(currentPath(page)).to.match(/^\/admin\/invoices\/\d+$/);
    expect(await page.locator('tfoot .total').textContent()).to.equal('$3,024.00');
    const saved = (await server.container.invoices.list({})).items[0];
    expect(saved.totalCents).to.equal(302400);
    expect(await page.locator('h1 .pill').textContent()).to.equal('Open');
  });

  it('without JavaScript: "Add line" and "Remove" go through the server and keep what was typed', async () => {
    server = await open.server();
    journey = await open.journey({ javaScriptEnabled: false });
    const { page } = journey;
    await signInAdmin(page, server);
    await makeCustomer(server, 'Riverside Theatre');
    await page.goto(`${server.baseUrl}/admin/estimates/new`);
    await chooseCustomer(page, 'Riverside Theatre');
    await page.locator('#f-lines-0-description').fill('Moving heads');
    await page.locator('#f-lines-0-quantity').fill('4');
    await page.locator('#f-lines-0-unitPrice').fill('$1,250.00');
    await page.locator('#f-lines-1-description').fill('Drop this line');
    await page.locator('#f-lines-1-quantity').fill('1');
    await page.locator('#f-lines-1-unitPrice').fill('10');
    await page.getByLabel('Remove line 2').check();

    await clickAndWait(page, page.getByRole('button', { name: 'Add line' }));
    expect(currentPath(page)).to.equal('/admin/estimates/new');
    expect(await rows(page).count(), 'the removed row is gone, one row added').to.equal(3);
    expect(await page.locator('#f-lines-0-unitPrice').inputValue()).to.equal('$1,250.00');
    expect(await page.locator('#f-customerId').inputValue()).to.not.equal('');
    expect(await page.content()).to.not.contain('Drop this line');
    // The server worked out the amounts for the re-rendered form.
    expect(await amount(page, 0).textContent()).to.equal('$5,000.00');
    expect(await total(page).textContent()).to.equal('$5,000.00');
    expect(await server.container.estimates.count()).to.equal(0);
    await expectNoSidewaysScroll(page);
    await screenshots(page, 'line-editor-no-js');

    // Enter in a field saves (the form's first submit button is "Create"), it does not add a line.
    await page.locator('#f-lines-2-description').fill('Hazer');
    await page.locator('#f-lines-2-quantity').fill('1');
    await page.locator('#f-lines-2-unitPrice').fill('75');
    const loaded = page.waitForEvent('load');
    await page.locator('#f-lines-2-unitPrice').press('Enter');
    await loaded;
    expect(currentPath(page)).to.match(/^\/admin\/estimates\/\d+$/);
    expect(await page.locator('tfoot .total').textContent()).to.equal('$5,075.00');
    const estimate = (await server.container.estimates.list({})).items[0];
    expect(estimate.totalCents).to.equal(507500);
    expect(estimate.docNumber).to.equal('1001');
  });

  it('shows a paid invoice as Paid, in the list and on its page', async () => {
    server = await open.server({ env: { COMPANY_TIMEZONE: 'UTC' } });
    journey = await open.journey();
    const { page } = journey;
    await signInAdmin(page, server);
    const customer = await makeCustomer(server, 'Riverside Theatre');
    const invoices = server.container.invoices;
    const line = [{ description: 'PA hire', quantity: '1', unitPrice: '480' }];
    const paid = await invoices.create(documentValues(customer.id, line, { txnDate: '2026-11-02' }));
    await invoices.create(
      documentValues(customer.id, line, { txnDate: '2026-01-02', closingDate: '2026-01-10' }),
    );
    // What the pull stores when QuickBooks reports Balance 0 (a payment in full).
    const doc = (await invoices.getWithLines(paid.id))!;
    await invoices.applyFromQuickBooks(paid.id, { ...doc, closingDate: doc.dueDate, balanceCents: 0 });

    await page.goto(`${server.baseUrl}/admin/invoices?sort=status&dir=asc`);
    const pills = await page.locator('table tbody .pill').allTextContents();
    expect(pills).to.deep.equal(['Overdue', 'Paid']);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).to.contain('Status');
    await expectNoSidewaysScroll(page);
    await screenshots(page, 'invoices-list-status');
    await clickAndWait(page, page.getByRole('link', { name: paid.docNumber, exact: true }));
    expect(await page.locator('h1 .pill').textContent()).to.equal('Paid');
    await screenshots(page, 'invoice-paid');

    await page.goto(`${server.baseUrl}/admin`);
    expect(await page.locator('[data-stat="unpaid-invoices"]').textContent()).to.equal('1');
    expect(await page.locator('[data-stat="overdue-owed"]').textContent()).to.equal('$480.00 past due');
    await screenshots(page, 'dashboard');
  });
});
