import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { clickAndWait, currentPath, type Journey, screenshots, VIEWPORTS } from './helpers/browser.js';
import { COMPANY_EMPTY, type IntuitEmulator, REALM_EMPTY } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import { CARD_PATH, signInAndConnect } from './helpers/quickbooks.js';
import { createCustomer, waitForQuickBooksId } from './helpers/records.js';
import type { E2EServer } from './helpers/server.js';

/** The page's figures by data-stat. */
async function figures(page: Page): Promise<Record<string, string>> {
  return page
    .locator('main [data-stat]')
    .evaluateAll((els) =>
      Object.fromEntries(
        els.map((e) => [e.getAttribute('data-stat'), (e.textContent ?? '').replace(/\s+/g, ' ').trim()]),
      ),
    );
}

describe('journey: the operator opens the status page from the QuickBooks card', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  it('shows the queues, the keep-alive and the database, readable at phone width, and links to the history', async () => {
    const { page } = journey;
    const { baseUrl } = server;
    await signInAndConnect(page, server, emulator, { company: COMPANY_EMPTY, realmId: REALM_EMPTY });
    await createCustomer(page, baseUrl, { displayName: 'Pier Sound Hire' });
    await waitForQuickBooksId(page);

    await page.goto(`${baseUrl}${CARD_PATH}`);
    await clickAndWait(page, page.getByRole('link', { name: /^Status: queues/ }));
    expect(currentPath(page)).to.equal('/admin/status');
    const f = await figures(page);
    expect(f).to.include({
      'push-waiting': '0',
      'push-failed': '0',
      'inbox-parked': '0',
      connection: 'Connected',
    });
    expect(f.version).to.match(/^\d+\.\d+\.\d+/);

    // Nothing wider than a phone's screen.
    await page.setViewportSize(VIEWPORTS.phone);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(
      VIEWPORTS.phone.width,
    );
    await page.setViewportSize(VIEWPORTS.laptop);
    await screenshots(page, 'status');

    // A figure leads to where it is dealt with: the failed pushes in the history.
    await clickAndWait(page, page.locator('a.stat', { hasText: 'Failed' }).first());
    expect(currentPath(page)).to.equal('/admin/settings/quickbooks/history');
    expect(new URL(page.url()).searchParams.get('result')).to.equal('failed');
  });
});
