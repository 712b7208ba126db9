import { expect } from 'chai';
import { type Journey, screenshots } from './helpers/browser.js';
import {
  COMPANY_A,
  COMPANY_B,
  COMPANY_EMPTY,
  type IntuitEmulator,
  REALM_A,
  REALM_B,
  REALM_EMPTY,
} from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import {
  cardState,
  connectThroughConsent,
  expectConnected,
  openCardFromNav,
  signInAdmin,
} from './helpers/quickbooks.js';
import type { E2EServer } from './helpers/server.js';

describe('journey 2: connect (card → Connect → emulator consent → back on the card, connected)', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  it('connects an admin to the first emulator company through the consent page and shows it on the card', async () => {
    const { page } = journey;
    await signInAdmin(page, server);
    await openCardFromNav(page);

    const before = await cardState(page);
    expect(before.badge).to.equal('Not connected');
    expect(before.connectButtons).to.equal(1);
    expect(before.disconnectLinks).to.equal(0);
    expect(await page.locator('main').textContent()).to.contain('local QuickBooks emulator — not Intuit');
    await screenshots(page, 'quickbooks-card-not-connected');

    await connectThroughConsent(page, emulator, {
      onConsentPage: async () => {
        // The three emulated companies are offered; the full US one is chosen unless the admin picks another.
        const companies = await page.getByRole('radio').count();
        expect(companies).to.equal(3);
        for (const [company, realm] of [
          [COMPANY_B, REALM_B],
          [COMPANY_EMPTY, REALM_EMPTY],
        ]) {
          expect(await page.getByRole('radio', { name: new RegExp(company) }).isChecked()).to.equal(false);
          expect(await page.locator('body').textContent()).to.contain(realm);
        }
        await screenshots(page, 'emulator-consent');
      },
    });

    await expectConnected(page);
    expect(await page.getByRole('status').first().textContent()).to.contain(`Connected to ${COMPANY_A}.`);
    expect(await page.locator('main').textContent()).to.contain(REALM_A);
    await screenshots(page, 'quickbooks-card-connected');

    // The connection is Heavy AV's own record, not just a page: a reload shows the same.
    await page.reload();
    await expectConnected(page);
    expect(await page.getByRole('status').count(), 'the flash message is shown once').to.equal(0);

    // The emulator granted exactly one company, the one on the card.
    const grants = await emulator.control<{ realmId: string }[]>('GET', '/grants');
    expect(grants.map((g) => g.realmId)).to.deep.equal([REALM_A]);
  });
});
