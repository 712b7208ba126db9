import { expect } from 'chai';
import { axeAtBothWidths } from './helpers/axe.js';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { type IntuitEmulator, REALM_A } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import { CARD_PATH, signInAndConnect } from './helpers/quickbooks.js';
import { reloadUntil } from './helpers/records.js';
import type { E2EServer } from './helpers/server.js';

type Entity = Record<string, any>;

describe('journey: bring the company along (connect, import the customers, find one by search)', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  it('offers the import after the first connect, brings in the active customers, and one is found in the customers list', async () => {
    const { page } = journey;
    await signInAndConnect(page, server, emulator);

    // The card offers the import up front; nothing is in Heavy AV yet.
    const section = page.locator('section#import');
    expect(await section.locator('[data-import="offer"]').count()).to.equal(1);
    expect(await server.container.customers.count()).to.equal(0);
    await section.scrollIntoViewIfNeeded();
    await screenshots(page, 'quickbooks-import-offer');

    // Customers only (the box is ticked, no date), as an admin would leave it.
    expect(await page.getByLabel('Active customers').isChecked()).to.equal(true);
    await clickAndWait(page, page.getByRole('button', { name: 'Bring in from QuickBooks' }));
    expect(currentPath(page)).to.equal(CARD_PATH);
    expect(await page.getByRole('status').first().textContent()).to.contain('Bringing in active customers');

    await reloadUntil(page, 'the import to finish', async () => {
      return (await page.locator('[data-import-status="finished"]').count()) === 1;
    });
    const active = (
      await emulator.control<Entity[]>('GET', `/companies/${REALM_A}/entities/Customer`)
    ).filter((c) => c.Active !== false);
    const summary = await page.locator('#import-summary').textContent();
    expect(summary).to.contain(`${active.length} imported`);
    expect(await page.locator('[data-import-phase="customers"]').textContent()).to.contain(
      `${active.length} of ${active.length} customers`,
    );
    expect(await axeAtBothWidths(page, 'card after an import')).to.deep.equal([]);
    await page.locator('section#import').scrollIntoViewIfNeeded();
    await screenshots(page, 'quickbooks-import-done');

    // One of them, found by search in the customers list, is linked to its QuickBooks customer.
    const one = active[Math.floor(active.length / 2)];
    await page.goto(`${server.baseUrl}/admin/customers`);
    await page.getByLabel('Search customers').fill(one.DisplayName);
    await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
    const row = page.getByRole('link', { name: one.DisplayName, exact: true });
    expect(await row.count()).to.equal(1);
    await screenshots(page, 'customers-search-after-import');
    await clickAndWait(page, row);
    expect(await page.locator('main').textContent()).to.contain(one.Id);
  });
});
