/**
 * axe-core (WCAG 2 A/AA) on every page of the app, at 1280 and 390 px: signed out (setup, login, help,
 * privacy, 404), then as an admin with QuickBooks not connected and connected, over a customer, an
 * estimate and an invoice made through the forms. Every violation found is printed, then the test fails.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { makeCustomer } from '../helpers/records.js';
import { axeAtBothWidths } from './helpers/axe.js';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { COMPANY_B, type IntuitEmulator, REALM_B } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import { CARD_PATH, connectThroughConsent, expectConnected, signInAdmin } from './helpers/quickbooks.js';
import { chooseCustomer, createCustomer, createInvoice } from './helpers/records.js';
import type { E2EServer } from './helpers/server.js';

describe('journey: accessibility (axe, WCAG 2 A/AA) on every page at 1280 and 390 px', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  it('finds no violation on any page', async function () {
    // A budget for the work, not a wait: 30+ pages, each analysed by axe at two widths (about 2 s a page
    // on a quiet machine, 65 s in all), more than the suite's 60 s per journey.
    this.timeout(240_000);
    const { page } = journey;
    const violations: string[] = [];
    const visited: string[] = [];
    const check = async (label: string, path?: string, status = 200) => {
      if (path) {
        const res = await page.goto(`${server.baseUrl}${path}`);
        expect(res?.status(), `${label}: ${path}`).to.equal(status);
      }
      visited.push(label);
      violations.push(...(await axeAtBothWidths(page, label)));
    };

    // Signed out, before anyone exists: setup; then the public pages.
    await check('setup', '/admin/setup');
    await check('help', '/help');
    await check('help: contact', '/help/contact');
    await check('help: disconnect QuickBooks', '/help/quickbooks/disconnect');
    await check('privacy', '/privacy');
    await check('privacy: QuickBooks', '/privacy/quickbooks');
    await check('404 signed out', '/no-such-page', 404);

    await signInAdmin(page, server);
    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
    await check('login', '/admin/login');
    // A failed sign-in shows the error state of the form.
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByLabel('Password').fill('not the password at all');
    await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
    await check('login with an error');

    await signInAgain(page, server);
    await check('dashboard (fresh)', '/admin');
    await check('QuickBooks card (not connected)', CARD_PATH);
    await connectThroughConsent(page, emulator);
    await expectConnected(page);
    await check('QuickBooks card (connected, with a flash message)');

    await check('new customer', '/admin/customers/new');
    await clickAndWait(page, page.getByRole('button', { name: 'Create customer' }));
    await check('new customer with errors');
    const customer = await createCustomer(page, server.baseUrl, {
      displayName: 'Riverside Festival',
      companyName: 'Riverside Events LLC',
      email: 'events@riverside.example',
    });
    await check('customer page (with a flash message)');
    await check('customers', '/admin/customers');
    await check('edit customer', `${customer}/edit`);

    const invoice = await createInvoice(page, server.baseUrl, {
      customer: 'Riverside Festival',
      txnDate: '2026-11-20',
      memo: 'Main stage',
      lines: [{ description: 'PA system, 2 days', quantity: '2', unitPrice: '$1,250.00' }],
    });
    await check('invoice page', invoice);
    await check('invoices', '/admin/invoices');
    await check('new invoice', '/admin/invoices/new');
    await clickAndWait(page, page.getByRole('button', { name: 'Create invoice' }));
    await check('new invoice with errors');
    await check('edit invoice', `${invoice}/edit`);

    await page.goto(`${server.baseUrl}/admin/estimates/new`);
    await check('new estimate');
    // The picker's list open, as someone typing sees it.
    await page.locator('input[role="combobox"]#f-customerPicker').fill('River');
    await page.getByRole('option', { name: 'Riverside Festival' }).first().waitFor({ state: 'visible' });
    await check('new estimate, customer picker open');
    await chooseCustomer(page, 'Riverside Festival');
    await page.locator('#f-txnDate').fill('2026-11-18');
    await page.locator('#f-lines-0-description').fill('Stage deck 4x8');
    await page.locator('#f-lines-0-quantity').fill('6');
    await page.locator('#f-lines-0-unitPrice').fill('65');
    await clickAndWait(page, page.getByRole('button', { name: 'Create estimate' }));
    expect(currentPath(page)).to.match(/^\/admin\/estimates\/\d+$/);
    const estimate = currentPath(page);
    await check('estimate page', estimate);
    await check('estimates', '/admin/estimates');
    await check('edit estimate', `${estimate}/edit`);
    await check('customer page with documents', customer);

    await check('dashboard (with numbers)', '/admin');
    await check('history', '/admin/settings/quickbooks/history');
    await check('data page', '/admin/settings/quickbooks/data');
    await check('operator status (connected)', '/admin/status');
    await check('change password', '/admin/account/password');
    await check('help (signed in)', '/help');
    await check('privacy (signed in)', '/privacy');
    await check('404 signed in', '/admin/customers/999999', 404);

    // People: the users page, an invitation with its one-time link, the invitee's pages as staff.
    await check('users', '/admin/users');
    await page.getByLabel('Email', { exact: true }).fill('crew@heavy-av.example');
    await page.getByLabel('Role', { exact: true }).selectOption('staff');
    await clickAndWait(page, page.getByRole('button', { name: 'Create invitation' }));
    await check('users with an issued invitation link');
    const link = await page.getByLabel('One-time link').inputValue();
    await clickAndWait(page, page.getByRole('button', { name: 'Reset link for owner@heavy-av.example' }));
    const resetLink = await page.getByLabel('One-time link').inputValue();
    expect(resetLink).to.match(/\/password-resets\//);
    const guestContext = await page
      .context()
      .browser()!
      .newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const guest = await guestContext.newPage();
      await guest.goto(resetLink);
      visited.push('password reset');
      violations.push(...(await axeAtBothWidths(guest, 'password reset')));
      await guest.goto(link);
      visited.push('invitation');
      violations.push(...(await axeAtBothWidths(guest, 'invitation')));
      await guest.getByLabel('New password').fill('roadcase on wheels 42');
      await clickAndWait(guest, guest.getByRole('button', { name: 'Create my account' }));
      await guest.getByLabel('Email').fill('crew@heavy-av.example');
      await guest.getByLabel('Password').fill('roadcase on wheels 42');
      await clickAndWait(guest, guest.getByRole('button', { name: 'Sign in' }));
      expect(currentPath(guest)).to.equal('/admin');
      violations.push(...(await axeAtBothWidths(guest, 'dashboard as staff')));
      expect((await guest.goto(`${server.baseUrl}/admin/users`))?.status()).to.equal(403);
      violations.push(...(await axeAtBothWidths(guest, '403 for staff')));
      visited.push('dashboard as staff', '403 for staff');
    } finally {
      await guestContext.close();
    }

    // Disconnect: the dialog on the card (JavaScript), the confirm page (without), then the card after.
    await page.goto(`${server.baseUrl}${CARD_PATH}`);
    await page.getByRole('link', { name: 'Disconnect', exact: true }).click();
    await page.locator('dialog#disconnect-dialog').waitFor({ state: 'visible' });
    await check('disconnect dialog open');
    await check('disconnect confirm page', '/admin/settings/quickbooks/disconnect');
    await clickAndWait(page, page.getByRole('button', { name: 'Disconnect', exact: true }));
    expect(currentPath(page)).to.equal(CARD_PATH);
    await check('QuickBooks card (disconnected, with a flash message)');

    // Another company than before: the switch question, then amounts in its currency (CAD).
    await connectThroughConsent(page, emulator, { company: COMPANY_B });
    await check('QuickBooks card (switch to another company?)');
    await clickAndWait(page, page.getByRole('button', { name: 'Switch and archive old links' }));
    await expectConnected(page, REALM_B, COMPANY_B);
    await page.goto(`${server.baseUrl}${invoice}`);
    expect(await page.locator('main').textContent()).to.contain('CA$2,500.00');
    await check('invoice page (Canadian company: CA$)');
    await screenshots(page, 'invoice-cad');

    // Cached data and a deletion request, once disconnected: file, review, process, receipt.
    await page.goto(`${server.baseUrl}/admin/settings/quickbooks/disconnect`);
    await clickAndWait(page, page.getByRole('button', { name: 'Disconnect', exact: true }));
    await check('operator status (disconnected)', '/admin/status');
    await check('data page (disconnected)', '/admin/settings/quickbooks/data');
    await page.getByLabel('Note (optional)').fill('Asked by the owner.');
    await clickAndWait(page, page.getByRole('button', { name: 'File a deletion request' }));
    await check('confirm deletion');
    await clickAndWait(page, page.getByRole('button', { name: 'Delete the cached QuickBooks data' }));
    await check('deletion receipt');
    await check('data page with a processed request', '/admin/settings/quickbooks/data');

    expect(visited.length).to.be.greaterThan(30);
    expect(violations, `\n${violations.join('\n\n')}\n`).to.deep.equal([]);
  });

  it('finds no violation on the pages as they are without JavaScript (plain select picker, "Add line" submit)', async () => {
    // The app's only scripts are its files under /js (the CSP allows no other): refusing them gives the
    // page exactly as a browser without JavaScript gets it, while axe (which needs timers) still runs.
    const context = await journey.context.browser()!.newContext({ viewport: { width: 1280, height: 800 } });
    await context.route(/\/js\/[^/]+\.js(\?|$)/, (route) => route.abort());
    const violations: string[] = [];
    try {
      const page = await context.newPage();
      const check = async (label: string, path?: string) => {
        if (path) expect((await page.goto(`${server.baseUrl}${path}`))?.status(), path).to.equal(200);
        violations.push(...(await axeAtBothWidths(page, `no JS: ${label}`)));
      };
      await check('login', '/admin/login');
      await signInAdmin(page, server);
      await makeCustomer(server, 'Harbour Lights Gala');
      await check('dashboard', '/admin');
      await check('new invoice', '/admin/invoices/new');
      expect(await page.locator('select#f-customerId').count(), 'the plain select').to.equal(1);
      expect(await page.locator('input[role="combobox"]').count(), 'no combobox').to.equal(0);
      await page.locator('#f-lines-0-description').fill('Wireless mic kit');
      await clickAndWait(page, page.getByRole('button', { name: 'Add line' }));
      expect(await page.locator('#f-lines-1-description').count(), 'a second row').to.equal(1);
      await check('new invoice after "Add line"');
      await check('customer search in the picker', '/admin/estimates/new?customerQuery=Harbour');
      await check('QuickBooks card', CARD_PATH);
    } finally {
      await context.close();
    }
    expect(violations, `\n${violations.join('\n\n')}\n`).to.deep.equal([]);
  });
});

async function signInAgain(page: Page, server: E2EServer): Promise<void> {
  await page.goto(`${server.baseUrl}/admin/login`);
  await page.getByLabel('Email').fill('owner@heavy-av.example');
  await page.getByLabel('Password').fill('amplifier cable stage left');
  await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
  expect(currentPath(page)).to.equal('/admin');
}
