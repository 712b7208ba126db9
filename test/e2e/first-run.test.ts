import { expect } from 'chai';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { appJourneyHooks } from './helpers/journey.js';
import type { E2EServer } from './helpers/server.js';

const ADMIN = { email: 'owner@heavy-av.example', password: 'amplifier cable stage left' };

describe('journey 1: first run (setup code → first admin → sign in)', () => {
  let server: E2EServer;
  let journey: Journey;

  const open = appJourneyHooks();
  beforeEach(async () => {
    server = await open.server();
    journey = await open.journey();
  });

  it('sends the first visitor to setup, refuses a wrong code, creates the admin with the right one, and signs in again through the form', async () => {
    const { page } = journey;

    await page.goto(`${server.baseUrl}/admin/login`);
    expect(currentPath(page)).to.equal('/admin/setup');
    expect(await page.locator('h1').textContent()).to.equal('Set up Heavy AV');

    // A wrong code: the form comes back with a message on the field and the entered email kept.
    await page.getByLabel('Setup code').fill('AAAA-BBBB-CCCC');
    await page.getByLabel('Your email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await clickAndWait(page, page.getByRole('button', { name: 'Create admin' }));
    expect(currentPath(page)).to.equal('/admin/setup');
    expect(await page.locator('#f-setupCode-error').textContent()).to.contain('setup code is not right');
    expect(await page.getByLabel('Setup code').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByLabel('Your email').inputValue()).to.equal(ADMIN.email);
    expect(await server.container.users.count()).to.equal(0);
    await screenshots(page, 'setup-wrong-code');

    // The code from the server log (here: straight from the container).
    const code = server.container.setupCode.value;
    expect(code, 'setup code').to.be.a('string');
    await page.getByLabel('Setup code').fill(code as string);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await clickAndWait(page, page.getByRole('button', { name: 'Create admin' }));
    expect(currentPath(page)).to.equal('/admin');
    expect(await page.locator('h1').textContent()).to.equal('Dashboard');
    expect(await page.getByRole('status').first().textContent()).to.contain('Your admin account is ready');
    expect(await page.locator('.signout .who').textContent()).to.equal(ADMIN.email);
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(nav.map((s) => s.trim())).to.include('QuickBooks');
    await screenshots(page, 'dashboard-admin');

    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
    expect(currentPath(page)).to.equal('/admin/login');
    expect(await page.locator('.signout').count()).to.equal(0);
    await page.goto(`${server.baseUrl}/admin`);
    expect(currentPath(page), 'signed out: /admin needs sign-in').to.equal('/admin/login');
    // Setup is gone once an admin exists.
    const setup = await page.goto(`${server.baseUrl}/admin/setup`);
    expect(setup?.status()).to.equal(404);

    await page.goto(`${server.baseUrl}/admin/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
    expect(currentPath(page)).to.equal('/admin');
    expect(await page.locator('.signout .who').textContent()).to.equal(ADMIN.email);
  });
});
