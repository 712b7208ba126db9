import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import {
  clickAndWait,
  currentPath,
  type Journey,
  launchBrowser,
  newJourney,
  screenshots,
} from './helpers/browser.js';
import { type E2EServer, startServer } from './helpers/server.js';

describe('help pages in the browser (anyone, no sign-in)', () => {
  let browser: Browser;
  let server: E2EServer;
  let journey: Journey;

  before(async () => {
    browser = await launchBrowser();
    server = await startServer({
      env: {
        SUPPORT_EMAIL: 'help@heavy-av.example',
        SUPPORT_PHONE: '+1 555 010 2030',
        SUPPORT_ADDRESS: 'Heavy AV Ltd\\n12 Dock Road\\nPortsmouth PO1 3AX',
      },
    });
  });
  after(async () => {
    await server?.close();
    await browser?.close();
  });
  beforeEach(async () => {
    journey = await newJourney(browser);
  });
  afterEach(async () => journey?.close());

  it('goes from the footer to the disconnect help, then to privacy and contact through the page links', async () => {
    const { page } = journey;
    await page.goto(`${server.baseUrl}/admin/login`);
    await clickAndWait(page, page.getByRole('contentinfo').getByRole('link', { name: 'QuickBooks help' }));
    expect(currentPath(page)).to.equal('/help/quickbooks/disconnect');
    expect(await page.locator('h1').textContent()).to.equal('Disconnecting QuickBooks');
    await screenshots(page, 'help-disconnect');

    const helpLinks = page.getByRole('navigation', { name: 'Help pages' });
    await clickAndWait(page, helpLinks.getByRole('link', { name: 'QuickBooks data and privacy' }));
    expect(currentPath(page)).to.equal('/privacy/quickbooks');
    await screenshots(page, 'help-privacy');

    await clickAndWait(
      page,
      page.getByRole('navigation', { name: 'Help pages' }).getByRole('link', { name: 'Contact support' }),
    );
    expect(currentPath(page)).to.equal('/help/contact');
    expect(await page.locator('a[href^="mailto:"]').textContent()).to.equal('help@heavy-av.example');
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered line breaks (<br>) are what is checked
    expect(await page.locator('address').innerText()).to.equal(
      'Heavy AV Ltd\n12 Dock Road\nPortsmouth PO1 3AX',
    );
    await screenshots(page, 'help-contact');
  });
});
