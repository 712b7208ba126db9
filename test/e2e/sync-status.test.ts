/**
 * Issue 18: the card tells the truth while it happens. Intuit throttles a push (429s injected through the
 * emulator's faults API): the card, left open, shows the waiting count, a progress bar, the reason and the
 * next try without a reload, then "In step" once the retry goes through. The lists' QuickBooks column and
 * filter and a record's state and "Open in QuickBooks" on the way; axe finds nothing on any page.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { refusedBatchFault, throttledFault } from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';
import { axeAtBothWidths } from './helpers/axe.js';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { COMPANY_EMPTY, type IntuitEmulator, REALM_EMPTY } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import { CARD_PATH, signInAndConnect } from './helpers/quickbooks.js';
import type { E2EServer } from './helpers/server.js';

/** Intuit's answer to an app over its limits. */
const THROTTLED = throttledFault({ method: 'POST', path: '/batch' }, 50);

const sentence = (page: Page) => page.locator('[data-status="sentence"]');

/** Waits for the open card (never reloaded) to say `pattern`. */
async function cardSays(page: Page, pattern: RegExp, timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    ([source, flags]) =>
      new RegExp(source, flags).test(document.querySelector('[data-status="sentence"]')?.textContent ?? ''),
    [pattern.source, pattern.flags] as const,
    { timeout },
  );
  return (await sentence(page).textContent()) ?? '';
}

describe('journey: a throttled push, live on the card; the lists and records say where each record stands (issue 18)', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  // A short, fixed back-off: the journey sees the next try come and go (production waits 30 s and more).
  quickBooksJourneyHooks(
    (w) => {
      ({ emulator, server, journey } = w);
    },
    { server: { container: { sync: { retryDelayMs: () => 6000 } } } },
  );

  it('shows progress, the reason and the next try without a reload, then In step; filters the list; opens a record in QuickBooks', async function () {
    this.timeout(120_000);
    const { page } = journey;
    const { baseUrl } = server;
    await signInAndConnect(page, server, emulator, { company: COMPANY_EMPTY, realmId: REALM_EMPTY });
    expect(await cardSays(page, /^In step with /)).to.contain(COMPANY_EMPTY);
    expect(await axeAtBothWidths(page, 'card in step')).to.deep.equal([]);

    // The card stays open; a marker on the window proves it is never reloaded.
    await page.evaluate(() => {
      (window as any).__sameDocument = true;
    });
    await emulator.control('POST', '/faults', THROTTLED);
    for (const name of ['Harbour Lights', 'Quay Staging', 'Dockside Audio']) await makeCustomer(server, name);

    const throttled = await cardSays(page, /Intuit is limiting us, next try in \d+ s/);
    expect(throttled).to.match(
      /^(Sending \d of 3|3 changes waiting) — Intuit is limiting us, next try in \d+ s$/,
    );
    const bar = page.locator('[data-status="push-bar"]');
    expect(await bar.isVisible()).to.equal(true);
    expect(await bar.getAttribute('max')).to.equal('3');
    expect(await page.locator('[data-count="waiting"]').textContent()).to.equal('3 waiting');
    expect(await page.locator('[data-status="delay-reason"]').textContent()).to.equal(
      'Intuit is limiting us',
    );
    expect(await page.evaluate(() => (window as any).__sameDocument)).to.equal(true);
    expect(await axeAtBothWidths(page, 'card throttled')).to.deep.equal([]);
    await screenshots(page, 'quickbooks-card-throttled');

    // The waiting count links to the filtered list; each row says "waiting", a record says why.
    await clickAndWait(page, page.getByRole('link', { name: 'Customers waiting' }));
    expect(`${currentPath(page)}${new URL(page.url()).search}`).to.equal(
      '/admin/customers?quickbooks=waiting',
    );
    const states = await page
      .locator('tbody [data-qbo-state]')
      .evaluateAll((els) => els.map((e) => e.textContent));
    expect(states).to.deep.equal(['waiting', 'waiting', 'waiting']);
    expect(await page.locator('#f-quickbooks').inputValue()).to.equal('waiting');
    expect(await axeAtBothWidths(page, 'customers waiting')).to.deep.equal([]);
    await screenshots(page, 'customers-list-quickbooks-waiting');
    await clickAndWait(page, page.getByRole('link', { name: 'Harbour Lights' }));
    const state = page.locator('.qbo-state');
    expect(await state.getAttribute('data-qbo-state')).to.equal('waiting');
    expect(await state.textContent()).to.match(/Not sent yet — Intuit is limiting us; next try in \d+ s\./);
    expect(await axeAtBothWidths(page, 'customer waiting')).to.deep.equal([]);
    await screenshots(page, 'customer-quickbooks-waiting');
    const customerPath = currentPath(page);

    // Intuit lets us through again: the open card fills its bar and says In step, still without a reload.
    await page.goto(`${baseUrl}${CARD_PATH}`);
    await page.evaluate(() => {
      (window as any).__sameDocument = true;
    });
    await emulator.control('DELETE', '/faults');
    await cardSays(page, /^In step with /);
    expect(await page.locator('[data-count="waiting"]').textContent()).to.equal('0 waiting');
    expect(await page.locator('[data-status="push"]').isHidden()).to.equal(true);
    expect(await page.evaluate(() => (window as any).__sameDocument)).to.equal(true);
    await screenshots(page, 'quickbooks-card-in-step');

    // The list in step, the record with its link to QuickBooks (the emulator's own read-only page).
    await page.goto(`${baseUrl}/admin/customers?quickbooks=in-step`);
    expect(await page.locator('tbody [data-qbo-state]').count()).to.equal(3);
    expect(await axeAtBothWidths(page, 'customers in step')).to.deep.equal([]);
    await page.goto(`${baseUrl}${customerPath}`);
    expect(await page.locator('.qbo-state').getAttribute('data-qbo-state')).to.equal('in-step');
    expect(await axeAtBothWidths(page, 'customer in step')).to.deep.equal([]);
    await screenshots(page, 'customer-quickbooks-in-step');
    const opened = page.context().waitForEvent('page');
    await page.getByRole('link', { name: /Open in QuickBooks/ }).click();
    const qbo = await opened;
    await qbo.waitForLoadState();
    expect(qbo.url()).to.match(
      new RegExp(`^${emulator.url}/app/customerdetail\\?nameId=\\d+&realmId=${REALM_EMPTY}$`),
    );
    expect(await qbo.locator('h1').textContent()).to.equal('Customer Harbour Lights');
    await qbo.close();
  });

  it('shows a record QuickBooks refused, with "Retry failed", without a reload; the retry clears it', async function () {
    this.timeout(120_000);
    const { page } = journey;
    await signInAndConnect(page, server, emulator, { company: COMPANY_EMPTY, realmId: REALM_EMPTY });
    await cardSays(page, /^In step with /);
    const retry = page.getByRole('button', { name: 'Retry failed' });
    expect(await retry.count()).to.equal(0);
    await page.evaluate(() => {
      (window as any).__sameDocument = true;
    });

    // Intuit refuses the next create, once.
    await emulator.control('POST', '/faults', refusedBatchFault('Something QuickBooks refused'));
    await makeCustomer(server, 'Refused Rigging');
    await retry.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.locator('[data-issues-text="failed"]').textContent()).to.equal('1 record');
    expect(await page.locator('[data-count="failed"]').textContent()).to.equal('1 failed');
    expect(await page.evaluate(() => (window as any).__sameDocument)).to.equal(true);
    expect(await axeAtBothWidths(page, 'card with a failed record')).to.deep.equal([]);
    await screenshots(page, 'quickbooks-card-failed-live');

    // The retry goes through (the fault was for one answer): the block goes away, still on the open card.
    await clickAndWait(page, retry);
    await page.evaluate(() => {
      (window as any).__sameDocument = true;
    });
    await cardSays(page, /^In step with /);
    await page.locator('[data-issues]').waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await page.locator('[data-count="failed"]').textContent()).to.equal('0 failed');
    expect(await page.evaluate(() => (window as any).__sameDocument)).to.equal(true);
  });
});
