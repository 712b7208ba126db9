import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { control, REALM_EMPTY, start } from './helpers.js';

describe("emulator: QuickBooks Online's record pages (Open in QuickBooks)", () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await start();
  });
  afterEach(async () => emu.close());

  it('shows a customer of the company named by realmId, read-only and without script', async () => {
    const customer = (
      await control(emu, 'POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
        DisplayName: 'Pier Sound Hire',
      })
    ).body;
    const page = await fetch(`${emu.url}/app/customerdetail?nameId=${customer.Id}&realmId=${REALM_EMPTY}`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.contain('<h1>Customer Pier Sound Hire</h1>');
    expect(html).to.not.contain('<script');
    expect(html).to.not.contain('<form');
    expect(page.headers.get('content-security-policy')).to.contain("default-src 'none'");
  });

  it('answers 404 for an id the company does not have, another company, no realmId, or an id that is not a number', async () => {
    for (const path of [
      `/app/invoice?txnId=999&realmId=${REALM_EMPTY}`,
      `/app/estimate?txnId=1&realmId=0000`,
      '/app/customerdetail?nameId=1',
      `/app/invoice?txnId=abc&realmId=${REALM_EMPTY}`,
    ]) {
      expect((await fetch(`${emu.url}${path}`)).status, path).to.equal(404);
    }
  });
});
