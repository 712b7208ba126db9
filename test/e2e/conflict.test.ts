import { expect } from 'chai';
import { axeViolations } from './helpers/axe.js';
import { clickAndWait, currentPath, type Journey, screenshots } from './helpers/browser.js';
import { COMPANY_EMPTY, type IntuitEmulator, REALM_EMPTY } from './helpers/emulator.js';
import { quickBooksJourneyHooks } from './helpers/journey.js';
import {
  CARD_PATH,
  connectThroughConsent,
  expectConnected,
  openCardFromNav,
  signInAdmin,
} from './helpers/quickbooks.js';
import { createCustomer, createInvoice, reloadUntil, waitForQuickBooksId } from './helpers/records.js';
import type { E2EServer } from './helpers/server.js';

type Entity = Record<string, any>;

describe('journey: a number taken in QuickBooks is a conflict an admin resolves in the browser (issue 15)', () => {
  let emulator: IntuitEmulator;
  let server: E2EServer;
  let journey: Journey;
  quickBooksJourneyHooks((w) => {
    ({ emulator, server, journey } = w);
  });

  it("shows the conflict on the invoice and the card, then renumbers it; QuickBooks' own 1001 is never touched", async () => {
    const { page } = journey;
    const { baseUrl } = server;
    // Before connecting: Heavy AV has its first invoice, 1001 (both number from 1001).
    await signInAdmin(page, server);
    await createCustomer(page, baseUrl, { displayName: 'Riverside Gala' });
    const invoicePath = await createInvoice(page, baseUrl, {
      customer: 'Riverside Gala',
      docNumber: '1001',
      txnDate: '2026-11-20',
      lines: [{ description: 'Line array rental', quantity: '2', unitPrice: '150.00' }],
    });

    // Inside QuickBooks, the company's own invoice 1001 (total 42) for its own client.
    const items = await emulator.control<Entity[]>('GET', `/companies/${REALM_EMPTY}/entities/Item`);
    const services = items.find((i) => i.Name === 'Services' && i.Active)!.Id;
    const client = await emulator.control<Entity>('POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
      DisplayName: 'Their Own Client',
    });
    const theirs = await emulator.control<Entity>('POST', `/companies/${REALM_EMPTY}/entities/Invoice`, {
      CustomerRef: { value: client.Id },
      DocNumber: '1001',
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 42,
          SalesItemLineDetail: { ItemRef: { value: services }, Qty: 1, UnitPrice: 42 },
        },
      ],
    });

    // Connecting pushes what waits and sweeps what changed: both meet the other 1001.
    await openCardFromNav(page);
    await connectThroughConsent(page, emulator, { company: COMPANY_EMPTY });
    await expectConnected(page, REALM_EMPTY, COMPANY_EMPTY);
    await page.goto(`${baseUrl}${invoicePath}`);
    const conflict = page.getByRole('region', { name: 'Number taken in QuickBooks' });
    await reloadUntil(page, 'the invoice shows its conflict', async () => (await conflict.count()) > 0);
    const sideBySide = page.getByRole('region', { name: 'Heavy AV and QuickBooks side by side' });
    expect(await sideBySide.textContent()).to.contain('300.00');
    expect(await sideBySide.textContent()).to.contain('42.00');
    expect(await axeViolations(page, 'invoice in conflict')).to.deep.equal([]);
    await screenshots(page, 'invoice-conflict');

    // The card counts it and links to the list of conflicts.
    await page.goto(`${baseUrl}${CARD_PATH}`);
    const counter = page.getByRole('link', { name: /record waits for your decision/ });
    expect(await page.locator('.sync-counts [data-count="conflict"]').textContent()).to.equal(
      '1 in conflict',
    );
    await screenshots(page, 'quickbooks-card-conflicts');
    await clickAndWait(page, counter);
    expect(currentPath(page)).to.equal('/admin/settings/quickbooks/conflicts');
    await clickAndWait(page, page.getByRole('link', { name: /invoice \d+/ }));
    expect(currentPath(page)).to.equal(invoicePath);

    // Resolved in the browser: the next number free on both sides.
    await clickAndWait(page, page.getByRole('button', { name: 'Give it the next free number' }));
    expect(await page.getByRole('status').first().textContent()).to.contain('Renumbered');
    const facts = await waitForQuickBooksId(page);
    const qboInvoices = await emulator.control<Entity[]>('GET', `/companies/${REALM_EMPTY}/entities/Invoice`);
    const ours = qboInvoices.find((i) => i.Id === facts['QuickBooks id'])!;
    expect(ours.DocNumber).to.not.equal('1001');
    expect(ours.TotalAmt).to.equal(300);
    expect(
      qboInvoices.find((i) => i.Id === theirs.Id),
      "QuickBooks' 1001 untouched",
    ).to.deep.equal(theirs);
    expect(await page.getByRole('region', { name: 'Number taken in QuickBooks' }).count()).to.equal(0);
  });
});
