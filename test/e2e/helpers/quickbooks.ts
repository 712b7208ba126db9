/**
 * Steps the QuickBooks journeys share: an admin signing in through the form, the trip through the
 * emulator's consent page, and reading the connection card the way an admin reads it.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { clickAndWait, currentPath } from './browser.js';
import { COMPANY_A, type IntuitEmulator, REALM_A } from './emulator.js';
import type { E2EServer } from './server.js';

export const CARD_PATH = '/admin/settings/quickbooks';
export const ADMIN = { email: 'owner@heavy-av.example', password: 'amplifier cable stage left' };

/** Creates the admin (as setup would have) and signs in through the login form. */
export async function signInAdmin(page: Page, server: E2EServer): Promise<void> {
  await server.container.auth.createUser({ ...ADMIN, role: 'admin' });
  await page.goto(`${server.baseUrl}/admin/login`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
  expect(currentPath(page)).to.equal('/admin');
}

/** Follows "QuickBooks" in the main navigation to the connection card. */
export async function openCardFromNav(page: Page): Promise<void> {
  await clickAndWait(
    page,
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'QuickBooks' }),
  );
  expect(currentPath(page)).to.equal(CARD_PATH);
}

/** What the card's "Connection" section says. */
export async function cardState(page: Page) {
  const section = page.locator('section[aria-labelledby="conn-h"]');
  const facts: Record<string, string> = {};
  const dts = await section.locator('dl.facts dt').allTextContents();
  const dds = await section.locator('dl.facts dd').allTextContents();
  dts.forEach((dt, i) => {
    facts[dt.trim()] = (dds[i] ?? '').trim();
  });
  return {
    badge: ((await section.locator('h2 .badge').textContent()) ?? '').trim(),
    facts,
    text: ((await section.textContent()) ?? '').replace(/\s+/g, ' '),
    connectButtons: await page.getByRole('button', { name: 'Connect to QuickBooks' }).count(),
    disconnectLinks: await section.getByRole('link', { name: 'Disconnect' }).count(),
  };
}

export async function expectConnected(page: Page, realmId = REALM_A, company = COMPANY_A): Promise<void> {
  expect(currentPath(page)).to.equal(CARD_PATH);
  const card = await cardState(page);
  expect(card.badge).to.equal('Connected');
  expect(card.facts.Company).to.equal(company);
  expect(card.facts['Realm id']).to.equal(realmId);
  expect(card.disconnectLinks, 'Disconnect on the card').to.equal(1);
  expect(card.connectButtons, 'no Connect button while connected').to.equal(0);
}

/** `badge`: "Not connected" after a disconnect in Heavy AV, "Access revoked" when Intuit ended it. */
export async function expectNotConnected(page: Page, badge = 'Not connected'): Promise<void> {
  expect(currentPath(page)).to.equal(CARD_PATH);
  const card = await cardState(page);
  expect(card.badge).to.equal(badge);
  expect(card.facts).to.deep.equal({});
  expect(card.disconnectLinks).to.equal(0);
  expect(card.connectButtons).to.equal(1);
}

/**
 * On the card: Connect → the emulator's consent page (first company pre-selected) → Connect → back on the
 * card. Checks the consent page on the way; leaves the browser on the card.
 */
export async function connectThroughConsent(
  page: Page,
  emulator: IntuitEmulator,
  options: { onConsentPage?: () => Promise<void>; company?: string } = {},
): Promise<void> {
  await clickAndWait(page, page.getByRole('button', { name: 'Connect to QuickBooks' }));
  expect(page.url().startsWith(`${emulator.url}/connect/oauth2`), page.url()).to.equal(true);
  expect(await page.locator('h1').textContent()).to.contain('Connect');
  const first = page.getByRole('radio', { name: new RegExp(COMPANY_A) });
  expect(await first.isChecked(), 'first company pre-selected').to.equal(true);
  // A journey that needs a blank slate picks another company, as an admin would.
  if (options.company) await page.getByRole('radio', { name: new RegExp(options.company) }).check();
  await options.onConsentPage?.();
  await clickAndWait(page, page.getByRole('button', { name: 'Connect', exact: true }));
  expect(currentPath(page)).to.equal(CARD_PATH);
}

/**
 * The opening every connected journey shares: the admin signs in, opens the card from the navigation,
 * connects company A through Intuit's consent page, and sees it connected.
 */
export async function signInAndConnect(
  page: Page,
  server: E2EServer,
  emulator: IntuitEmulator,
  /** Which company to choose on the consent page (default: the one pre-selected, the full US company). */
  target?: { company: string; realmId: string },
): Promise<void> {
  await signInAdmin(page, server);
  await openCardFromNav(page);
  await connectThroughConsent(page, emulator, { company: target?.company });
  await expectConnected(page, target?.realmId, target?.company);
}
