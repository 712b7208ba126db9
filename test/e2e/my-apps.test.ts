import { expect } from 'chai';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { COMPANY_A, type IntuitEmulator, REALM_A } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import {
  CARD_PATH,
  cardState,
  connectThroughConsent,
  expectConnected,
  expectNotConnected,
  signInAndConnect,
} from './helpers/quickbooks.js';
import type { E2EServer } from './helpers/server.js';

describe('journey 6: disconnect from the emulator’s My Apps page, then reconnect', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  it('lands on Heavy AV’s disconnect page after My Apps → Disconnect, shows the card disconnected, and reconnects through consent', async () => {
    const { page } = journey;
    await signInAndConnect(page, server, emulator);

    // QuickBooks → Apps → My Apps, in the same browser.
    await page.goto(`${emulator.url}/app/myapps`);
    const row = page.getByRole('row').filter({ hasText: COMPANY_A });
    expect(await row.count()).to.equal(1);
    expect(await row.textContent()).to.contain(REALM_A);
    await clickAndWait(page, row.getByRole('button', { name: 'Disconnect' }));

    // Intuit sends the browser to Heavy AV's Disconnect URL; Heavy AV checks with Intuit and explains.
    expect(page.url().startsWith(server.baseUrl), page.url()).to.equal(true);
    expect(currentPath(page)).to.equal('/quickbooks/disconnect');
    expect(new URL(page.url()).searchParams.get('realmId')).to.equal(REALM_A);
    expect(await page.locator('h1').textContent()).to.equal('QuickBooks is disconnected');
    const landing = (await page.locator('main').textContent()) ?? '';
    expect(landing).to.contain('Intuit confirmed');
    expect(landing).to.contain('nothing in QuickBooks was deleted');
    const reconnect = page.getByRole('main').getByRole('link', { name: 'Reconnect QuickBooks' });
    expect(await reconnect.getAttribute('href')).to.equal(CARD_PATH);
    await screenshots(page, 'quickbooks-disconnect-landing');
    expect(await server.container.quickbooks.connections.active()).to.equal(undefined);
    // My Apps revoked the grant itself: Heavy AV had nothing left to revoke.
    expect(await emulator.revokes()).to.deep.equal([]);

    // The card shows it too.
    await clickAndWait(page, reconnect);
    // Not connected: the grant is gone and so are the credentials. A disconnect the admin made at Intuit on
    // purpose is recorded as such: no "revoked" alarm, no banner.
    await expectNotConnected(page, 'Not connected');
    expect((await cardState(page)).text).to.contain("disconnected at Intuit's My Apps page");
    expect(await page.getByRole('alert').filter({ hasText: 'was revoked at Intuit' }).count()).to.equal(0);
    await screenshots(page, 'quickbooks-card-disconnected-at-intuit');

    // Reconnect through consent: the same company resumes.
    await connectThroughConsent(page, emulator);
    await expectConnected(page);
    expect(await page.getByRole('status').first().textContent()).to.contain(`Reconnected to ${COMPANY_A}`);
    const grants = await emulator.control<{ realmId: string }[]>('GET', '/grants');
    expect(grants.map((g) => g.realmId)).to.deep.equal([REALM_A]);
  });
});
