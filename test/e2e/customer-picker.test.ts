import { expect } from 'chai';
import { nowIso } from '../../src/db/index.js';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { appJourneyHooks } from './helpers/journey.js';
import { signInAdmin } from './helpers/quickbooks.js';
import type { E2EServer } from './helpers/server.js';

async function seedCustomers(server: E2EServer, n: number): Promise<void> {
  const at = nowIso();
  const rows = Array.from({ length: n }, (_, i) => {
    const name = `Customer ${String(i).padStart(5, '0')}`;
    return {
      display_name: name,
      display_name_key: name.toLowerCase(),
      active: true,
      created_at: at,
      updated_at: at,
    };
  });
  rows.push({
    display_name: 'Riverside Theatre',
    display_name_key: 'riverside theatre',
    active: true,
    created_at: at,
    updated_at: at,
  });
  await server.container.db.batchInsert('customers', rows, 500);
}

async function fillInvoice(journey: Journey): Promise<void> {
  const { page } = journey;
  await page.locator('#f-txnDate').fill('2026-11-28');
  await page.locator('#f-lines-0-description').fill('Stage lights');
  await page.locator('#f-lines-0-quantity').fill('4');
  await page.locator('#f-lines-0-unitPrice').fill('25.00');
  await clickAndWait(page, page.getByRole('button', { name: 'Create invoice' }));
}

describe('journey: the customer picker with 10,000 customers', () => {
  let server: E2EServer;
  let journey: Journey;

  const open = appJourneyHooks();

  it('with JavaScript: a combobox that finds a customer as you type and picks it with the keyboard', async () => {
    server = await open.server();
    journey = await open.journey();
    const { page } = journey;
    await signInAdmin(page, server);
    await seedCustomers(server, 10_000);
    await page.goto(`${server.baseUrl}/admin/invoices/new`);
    const combobox = page.getByRole('combobox', { name: 'Customer', exact: true });
    expect(await page.locator('#f-customerQuery').isVisible(), 'the no-JS search box is hidden').to.equal(
      false,
    );
    await combobox.fill('river');
    const option = page.getByRole('option', { name: 'Riverside Theatre' });
    await option.waitFor();
    expect(await combobox.getAttribute('aria-expanded')).to.equal('true');
    await screenshots(page, 'customer-picker-open', { fullPage: false });
    await combobox.press('ArrowDown');
    expect(await combobox.getAttribute('aria-activedescendant')).to.match(/^customer-option-\d+$/);
    await combobox.press('Enter');
    expect(await combobox.inputValue()).to.equal('Riverside Theatre');
    expect(await combobox.getAttribute('aria-expanded')).to.equal('false');
    await fillInvoice(journey);
    expect(currentPath(page)).to.match(/^\/admin\/invoices\/\d+$/);
    expect(await page.locator('main').textContent()).to.contain('Riverside Theatre');
  });

  it('without JavaScript: a search box narrows the plain select, and the invoice is created', async () => {
    server = await open.server();
    const withJs = await open.journey();
    await signInAdmin(withJs.page, server);
    const cookies = await withJs.context.cookies();
    await withJs.close();
    journey = await open.journey({ javaScriptEnabled: false });
    await journey.context.addCookies(cookies);
    const { page } = journey;
    await seedCustomers(server, 10_000);
    await page.goto(`${server.baseUrl}/admin/invoices/new`);
    expect(await page.locator('#f-customerId option').count()).to.equal(101);
    expect(await page.locator('main').textContent()).to.contain('Showing the first 100 of 10,001 customers');
    await page.getByLabel('Search by name, company or email').fill('riverside');
    await clickAndWait(page, page.getByRole('button', { name: 'Search', exact: true }));
    expect(await page.locator('#f-customerId option').allTextContents()).to.deep.equal([
      'Choose a customer…',
      'Riverside Theatre',
    ]);
    await screenshots(page, 'customer-picker-nojs');
    await page.getByLabel('Customer', { exact: true }).selectOption({ label: 'Riverside Theatre' });
    await fillInvoice(journey);
    expect(currentPath(page)).to.match(/^\/admin\/invoices\/\d+$/);
    expect(await page.locator('main').textContent()).to.contain('Riverside Theatre');
  });
});
