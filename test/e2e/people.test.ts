import { expect } from 'chai';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { appJourneyHooks } from './helpers/journey.js';
import { ADMIN, signInAdmin } from './helpers/quickbooks.js';
import type { E2EServer } from './helpers/server.js';

describe('journey: the users page (invite → accept → sign in as staff)', () => {
  let server: E2EServer;
  let admin: Journey;
  let invitee: Journey;

  const open = appJourneyHooks();
  beforeEach(async () => {
    server = await open.server();
    admin = await open.journey();
    invitee = await open.journey();
  });

  it('an admin invites a colleague, who sets a password, signs in as staff, and is refused the users page', async () => {
    const { page } = admin;
    await signInAdmin(page, server);
    await clickAndWait(
      page,
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }),
    );
    expect(currentPath(page)).to.equal('/admin/users');
    await page.getByLabel('Email', { exact: true }).fill('crew@heavy-av.example');
    await page.getByLabel('Role', { exact: true }).selectOption('staff');
    await clickAndWait(page, page.getByRole('button', { name: 'Create invitation' }));
    const link = await page.getByLabel('One-time link').inputValue();
    expect(link).to.match(new RegExp(`^${server.baseUrl}/invitations/[A-Za-z0-9_-]{43}$`));
    expect(await page.locator('.issued-link').textContent()).to.contain('Mail is not set up');
    await screenshots(page, 'users-invitation');

    const guest = invitee.page;
    await guest.goto(link);
    expect(await guest.locator('h1').textContent()).to.contain('Join Heavy AV');
    await guest.getByLabel('New password').fill('roadcase on wheels 42');
    await clickAndWait(guest, guest.getByRole('button', { name: 'Create my account' }));
    expect(currentPath(guest)).to.equal('/admin/login');
    expect(await guest.getByRole('status').first().textContent()).to.contain('Your account is ready');
    await guest.getByLabel('Email').fill('crew@heavy-av.example');
    await guest.getByLabel('Password').fill('roadcase on wheels 42');
    await clickAndWait(guest, guest.getByRole('button', { name: 'Sign in' }));
    expect(currentPath(guest)).to.equal('/admin');
    expect(
      await guest.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count(),
    ).to.equal(0);
    const refused = await guest.goto(`${server.baseUrl}/admin/users`);
    expect(refused?.status()).to.equal(403);

    // The link worked once.
    const again = await invitee.context.newPage();
    expect((await again.goto(link))?.status()).to.equal(410);

    // Back on the users page, the admin deactivates the new colleague: their next click signs them out.
    await page.goto(`${server.baseUrl}/admin/users`);
    expect(await page.locator('.people').textContent()).to.contain('crew@heavy-av.example');
    await screenshots(page, 'users-page');
    await clickAndWait(page, page.getByRole('button', { name: 'Deactivate crew@heavy-av.example' }));
    expect(await page.getByRole('status').first().textContent()).to.contain('deactivated');
    await guest.goto(`${server.baseUrl}/admin/customers`);
    expect(currentPath(guest)).to.equal('/admin/login');

    // The admin cannot deactivate themselves while they are the last admin.
    await clickAndWait(page, page.getByRole('button', { name: `Deactivate ${ADMIN.email}` }));
    expect(await page.getByRole('alert').first().textContent()).to.contain('last active admin');
  });
});
