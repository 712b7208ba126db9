import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';
import { clickAndWait, currentPath, screenshots, VIEWPORTS } from './helpers/browser.js';
import { IntuitEmulator, REALM_A } from './helpers/emulator.js';
import { appJourneyHooks } from './helpers/journey.js';
import { ADMIN, CARD_PATH, cardState, expectNotConnected, signInAndConnect } from './helpers/quickbooks.js';
import type { SideServiceStarter } from './helpers/server.js';

const DAY = 86_400_000;

/** A real SMTP server on a loopback port beside the app, handed to it as SMTP_URL. */
function smtpService(onStart: (smtp: TestSmtp) => void): SideServiceStarter {
  return async () => {
    const smtp = await startSmtp();
    onStart(smtp);
    return { env: { SMTP_URL: smtp.url }, close: () => smtp.close() };
  };
}

describe('journey: the admin hears that QuickBooks access was revoked, by email', () => {
  const journeys = appJourneyHooks();

  it('tests the email settings from the card; a revocation found by the keep-alive is mailed; the link opens the card that explains it', async () => {
    const emulator = new IntuitEmulator();
    let smtp: TestSmtp | undefined;
    const server = await journeys.server({ services: [emulator.service, smtpService((s) => (smtp = s))] });
    const { page } = await journeys.journey();
    const mails = () => smtp!.mails;
    await signInAndConnect(page, server, emulator);

    // The card's alerts section: email to every admin, no chat; "Send a test" says where it went.
    const section = page.locator('section#notifications');
    expect(await section.locator('[data-notify="email"]').textContent()).to.equal(
      `${ADMIN.email} (every active admin)`,
    );
    expect(await section.locator('[data-notify="webhook"]').textContent()).to.contain('NOTIFY_WEBHOOK_URL');
    await clickAndWait(page, section.getByRole('button', { name: 'Send a test' }));
    expect(currentPath(page)).to.equal(CARD_PATH);
    expect(await page.getByRole('status').first().textContent()).to.equal(
      `Test email sent to ${ADMIN.email}.`,
    );
    expect(mails().map((m) => m.subject)).to.deep.equal(['[Heavy AV] Heavy AV test alert']);
    await screenshots(page, 'alerts-settings');

    // Intuit revokes the access; the keep-alive is the first to find out.
    await emulator.control('POST', `/companies/${REALM_A}/revoke`);
    await server.container.db('qbo_connections').update({
      refresh_token_issued_at: new Date(Date.now() - 40 * DAY).toISOString(),
    });
    expect(await server.container.quickbooks.keepAlive.runOnce()).to.equal(false);

    const mail = await until(() => mails()[1], 10_000, 'the alert in the SMTP server');
    expect(mail.subject).to.equal('[Heavy AV] QuickBooks connection lost: syncing has stopped');
    expect(mail.to).to.deep.equal([ADMIN.email]);
    const link = /Open in Heavy AV: (\S+)/.exec(mail.text)?.[1];
    expect(link).to.equal(`${server.baseUrl}${CARD_PATH}`);

    // The link opens the card, which explains what happened and how to fix it.
    await page.goto(link!);
    await expectNotConnected(page, 'Access revoked');
    const card = await cardState(page);
    expect(card.text).to.contain("Intuit reported that Heavy AV's access to");
    expect(card.text).to.contain('go out when you reconnect');
    expect(await section.locator('[data-alert-kind="connection_lost"]').textContent()).to.contain(
      'QuickBooks connection lost: syncing has stopped',
    );
    await screenshots(page, 'alerts-card-revoked');

    // The operator's page: nothing waits to be delivered; its figure leads to the delivery log.
    await page.goto(`${server.baseUrl}/admin/status`);
    expect(await page.locator('[data-stat="alerts-waiting"]').textContent()).to.equal('0');
    await page.setViewportSize(VIEWPORTS.phone);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(
      VIEWPORTS.phone.width,
    );
    await page.setViewportSize(VIEWPORTS.laptop);
    await screenshots(page, 'status-alerts');
    await clickAndWait(page, page.locator('a.stat', { hasText: 'Alerts waiting' }));
    expect(currentPath(page)).to.equal('/admin/settings/quickbooks/history');
    const log = page.locator('section#alerts tbody tr');
    expect(await log.count()).to.equal(2);
    expect(await log.first().textContent()).to.contain('QuickBooks connection lost');
    expect(await log.first().textContent()).to.contain('sent');
  });
});
