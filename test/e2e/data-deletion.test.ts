import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { COMPANY_EMPTY, type IntuitEmulator, REALM_EMPTY } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import { CARD_PATH, expectNotConnected, signInAndConnect } from './helpers/quickbooks.js';
import { createCustomer, createInvoice, quickBooksFacts, waitForQuickBooksId } from './helpers/records.js';
import type { E2EServer } from './helpers/server.js';

const DATA_PATH = '/admin/settings/quickbooks/data';

/** The counts table of the data, confirm or receipt page, by kind (data-kind) → number. */
async function counts(page: Page, scope = 'main'): Promise<Record<string, number>> {
  return page
    .locator(`${scope} table.counts tbody tr[data-kind]`)
    .evaluateAll((rows) =>
      Object.fromEntries(
        rows.map((r) => [r.getAttribute('data-kind'), Number(r.querySelector('td')?.textContent?.trim())]),
      ),
    );
}

describe('journey 7: data deletion (disconnect → cached data → file a request → process → receipt)', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  it('deletes the cached QuickBooks data after a disconnect and keeps the customers and invoices', async () => {
    const { page } = journey;
    const { baseUrl } = server;
    // Its invoices need a blank slate: the full companies refuse what Heavy AV sends today (issue 15).
    await signInAndConnect(page, server, emulator, { company: COMPANY_EMPTY, realmId: REALM_EMPTY });

    // Some synced data: a customer and an invoice that reached QuickBooks.
    const customerPath = await createCustomer(page, baseUrl, { displayName: 'Harbor Lights Festival' });
    await waitForQuickBooksId(page);
    const invoicePath = await createInvoice(page, baseUrl, {
      customer: 'Harbor Lights Festival',
      docNumber: 'INV-2001',
      txnDate: '2025-06-20',
      lines: [{ description: 'Festival stage PA, 3 days', quantity: '3', unitPrice: '1200.00' }],
    });
    await waitForQuickBooksId(page);

    // While connected, the data page shows the counts but refuses a request: disconnect first.
    await page.goto(`${baseUrl}${CARD_PATH}`);
    await clickAndWait(
      page,
      page.getByRole('link', { name: 'Cached QuickBooks data and deletion requests' }),
    );
    expect(currentPath(page)).to.equal(DATA_PATH);
    expect((await counts(page)).links).to.equal(2);
    expect(await page.getByRole('status').first().textContent()).to.contain('Disconnect QuickBooks first');
    expect(await page.getByRole('button', { name: 'File a deletion request' }).count()).to.equal(0);

    // Disconnect (the card's dialog), then QuickBooks settings → cached data.
    await page.goto(`${baseUrl}${CARD_PATH}`);
    await page
      .locator('section[aria-labelledby="conn-h"] .actions')
      .getByRole('link', { name: 'Disconnect' })
      .click();
    const dialog = page.locator('dialog#disconnect-dialog');
    await dialog.waitFor({ state: 'visible' });
    await clickAndWait(page, dialog.getByRole('button', { name: 'Disconnect' }));
    await expectNotConnected(page);
    await clickAndWait(
      page,
      page.getByRole('link', { name: 'Cached QuickBooks data and deletion requests' }),
    );
    expect(currentPath(page)).to.equal(DATA_PATH);
    const before = await counts(page);
    expect(before.links, 'the customer and the invoice keep their QuickBooks ids').to.equal(2);
    expect(before.syncEvents, 'the history of the pushes').to.be.greaterThan(0);
    expect(before.connectionRemnants, 'the disconnected company').to.equal(1);
    expect(await page.locator('main').textContent()).to.contain('No deletion requests yet.');
    await screenshots(page, 'quickbooks-data');

    // File a request → the review page lists what will go.
    await page.getByLabel('Note (optional)').fill('Asked by the owner after leaving QuickBooks.');
    await clickAndWait(page, page.getByRole('button', { name: 'File a deletion request' }));
    expect(currentPath(page)).to.match(
      /^\/admin\/settings\/quickbooks\/data\/deletion-requests\/\d+\/process$/,
    );
    expect(await page.locator('h1').textContent()).to.equal('Delete the cached QuickBooks data?');
    expect(await page.locator('main').textContent()).to.contain(
      'Asked by the owner after leaving QuickBooks.',
    );
    const planned = await counts(page);
    expect(planned.links).to.equal(2);
    await screenshots(page, 'quickbooks-confirm-deletion');

    // Process → the receipt shows what was deleted.
    await clickAndWait(page, page.getByRole('button', { name: 'Delete the cached QuickBooks data' }));
    expect(currentPath(page)).to.match(/^\/admin\/settings\/quickbooks\/data\/deletion-requests\/\d+$/);
    const receipt = page.locator('section[aria-labelledby="receipt-h"]');
    expect(await receipt.getByRole('heading', { name: 'Receipt' }).count()).to.equal(1);
    expect(await page.locator('section[aria-labelledby="req-h"] .badge').textContent()).to.equal('processed');
    const deleted = await counts(page, 'section[aria-labelledby="receipt-h"]');
    expect(deleted.links).to.equal(2);
    expect(deleted.syncEvents).to.equal(before.syncEvents);
    expect(await receipt.textContent()).to.contain(REALM_EMPTY);
    expect(await receipt.getByRole('link', { name: 'Download the receipt (JSON)' }).count()).to.equal(1);
    await screenshots(page, 'quickbooks-deletion-receipt');

    // The data page: no QuickBooks ids left, the request processed.
    await clickAndWait(page, page.getByRole('link', { name: 'Back to QuickBooks data' }));
    expect(currentPath(page)).to.equal(DATA_PATH);
    const after = await counts(page);
    expect(after.links).to.equal(0);
    expect(after.archivedLinks).to.equal(0);
    expect(after.syncEvents).to.equal(0);
    expect(await page.locator('tr[data-request-id] .badge').allTextContents()).to.deep.equal(['processed']);

    // The records stay: listed, and their pages say they are not in QuickBooks.
    await page.goto(`${baseUrl}/admin/customers`);
    expect(await page.locator('main').textContent()).to.contain('Harbor Lights Festival');
    await page.goto(`${baseUrl}/admin/invoices`);
    expect(await page.locator('main').textContent()).to.contain('INV-2001');
    for (const path of [customerPath, invoicePath]) {
      await page.goto(`${baseUrl}${path}`);
      expect(await quickBooksFacts(page), path).to.deep.equal({});
      expect(await page.locator('section.qbo-links').textContent()).to.contain('Not in QuickBooks yet.');
    }
  });
});
