import { expect } from 'chai';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { appJourneyHooks } from './helpers/journey.js';
import type { E2EServer } from './helpers/server.js';

const STAFF = {
  email: 'crew@heavy-av.example',
  password: 'gaffer tape and cable ties',
  role: 'staff' as const,
};

describe('journey 8: a staff user and the QuickBooks settings', () => {
  let server: E2EServer;
  let journey: Journey;

  const open = appJourneyHooks();
  beforeEach(async () => {
    server = await open.server();
    await server.container.auth.createUser(STAFF);
    journey = await open.journey();
  });

  it('labels every control of the sign-in form and lets a keyboard user sign in', async () => {
    const { page } = journey;
    await page.goto(`${server.baseUrl}/admin/login`);
    await screenshots(page, 'login');

    const unlabelled = await page.$$eval(
      'form input:not([type="hidden"]), form select, form textarea',
      (controls) =>
        controls
          .filter((el) => {
            const c = el as HTMLInputElement;
            const byLabel = [...(c.labels ?? [])].some((l) => (l.textContent ?? '').trim() !== '');
            return !byLabel && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby');
          })
          .map((el) => (el as HTMLInputElement).name || el.outerHTML),
    );
    expect(await page.locator('form input:not([type="hidden"])').count()).to.be.greaterThan(1);
    expect(unlabelled, 'controls without a label').to.deep.equal([]);

    // Tab reaches the email field (past the skip link and the brand), then the password; Enter submits.
    let focused = '';
    for (let i = 0; i < 6 && focused !== 'email'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    expect(focused, 'Tab reaches the email field').to.equal('email');
    await page.keyboard.type(STAFF.email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('password');
    await page.keyboard.type(STAFF.password);
    const loaded = page.waitForEvent('load');
    await page.keyboard.press('Enter');
    await loaded;
    expect(currentPath(page)).to.equal('/admin');
  });

  it('signs staff in through the form without QuickBooks in the navigation, and shows the 403 page at the settings URL', async () => {
    const { page } = journey;
    await page.goto(`${server.baseUrl}/admin/login`);
    await page.getByLabel('Email').fill(STAFF.email);
    await page.getByLabel('Password').fill(STAFF.password);
    await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
    expect(currentPath(page)).to.equal('/admin');

    const nav = (
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()
    ).map((s) => s.trim());
    expect(nav).to.include.members(['Dashboard', 'Customers', 'Estimates', 'Invoices']);
    expect(nav).not.to.include('QuickBooks');
    expect(
      await page.locator('a[href^="/admin/settings"]').count(),
      'no link to the settings anywhere',
    ).to.equal(0);
    await screenshots(page, 'dashboard-staff');

    const res = await page.goto(`${server.baseUrl}/admin/settings/quickbooks`);
    expect(res?.status()).to.equal(403);
    expect(await page.locator('h1').textContent()).to.equal('Not allowed');
    expect(await page.locator('main').textContent()).to.contain('Only admins can manage QuickBooks');
    await screenshots(page, 'forbidden-403');
  });
});
