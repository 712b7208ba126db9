/**
 * Records the way an admin makes them: the customer and invoice forms, and the record pages' "QuickBooks"
 * section (views/partials/quickbooks-links.ejs), read as facts. Plus a bounded "reload until" for changes
 * that arrive from background work (the push worker, the webhook inbox).
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { clickAndWait, currentPath } from './browser.js';

export interface CustomerInput {
  displayName: string;
  companyName?: string;
  email?: string;
}

export interface LineInput {
  description: string;
  quantity: string;
  unitPrice: string;
}

export interface InvoiceInput {
  /** The customer's display name, as the select shows it; omit to leave "Choose a customer…". */
  customer?: string;
  docNumber?: string;
  txnDate: string;
  dueDate?: string;
  memo?: string;
  lines: LineInput[];
}

/** /admin/customers/new → fill → Create customer; answers the new customer's page path. */
export async function createCustomer(page: Page, baseUrl: string, input: CustomerInput): Promise<string> {
  await page.goto(`${baseUrl}/admin/customers/new`);
  await page.getByLabel('Display name').fill(input.displayName);
  if (input.companyName) await page.getByLabel('Company name').fill(input.companyName);
  if (input.email) await page.getByLabel('Email').fill(input.email);
  await clickAndWait(page, page.getByRole('button', { name: 'Create customer' }));
  const path = currentPath(page);
  expect(path, 'redirected to the new customer').to.match(/^\/admin\/customers\/\d+$/);
  expect(await page.locator('h1').textContent()).to.contain(input.displayName);
  return path;
}

/**
 * Picks a customer on an estimate or invoice form: through the combobox when JavaScript runs (type, then
 * click the option), or in the plain select without it.
 */
export async function chooseCustomer(page: Page, name: string): Promise<void> {
  // With JavaScript the picker is a text input with role combobox; without it, a plain <select> (whose
  // implicit role is combobox too, so the tag decides).
  const combobox = page.locator('input[role="combobox"]#f-customerPicker');
  if (await combobox.count()) {
    await combobox.fill(name);
    await page.getByRole('option', { name }).first().click();
    return;
  }
  await page.locator('#f-customerId').selectOption({ label: name });
}

/** /admin/invoices/new → fill (the form has line rows lines[0..]) → Create invoice. Stays on the result. */
export async function submitInvoiceForm(page: Page, baseUrl: string, input: InvoiceInput): Promise<void> {
  await page.goto(`${baseUrl}/admin/invoices/new`);
  if (input.customer) await chooseCustomer(page, input.customer);
  if (input.docNumber !== undefined) await page.getByLabel('Number').fill(input.docNumber);
  await page.locator('#f-txnDate').fill(input.txnDate);
  if (input.dueDate) await page.locator('#f-dueDate').fill(input.dueDate);
  if (input.memo) await page.getByLabel('Memo').fill(input.memo);
  for (const [i, line] of input.lines.entries()) {
    await page.locator(`#f-lines-${i}-description`).fill(line.description);
    await page.locator(`#f-lines-${i}-quantity`).fill(line.quantity);
    await page.locator(`#f-lines-${i}-unitPrice`).fill(line.unitPrice);
  }
  await clickAndWait(page, page.getByRole('button', { name: 'Create invoice' }));
}

/** Creates the invoice through the form; answers the new invoice's page path. */
export async function createInvoice(page: Page, baseUrl: string, input: InvoiceInput): Promise<string> {
  await submitInvoiceForm(page, baseUrl, input);
  const path = currentPath(page);
  expect(path, 'redirected to the new invoice').to.match(/^\/admin\/invoices\/\d+$/);
  return path;
}

/** The facts of the page's "QuickBooks" section ({} when the record is "Not in QuickBooks yet."). */
export async function quickBooksFacts(page: Page): Promise<Record<string, string>> {
  const section = page.locator('section.qbo-links');
  const dts = await section.locator('dl.facts dt').allTextContents();
  const dds = await section.locator('dl.facts dd').allTextContents();
  const facts: Record<string, string> = {};
  dts.forEach((dt, i) => {
    facts[dt.trim()] = (dds[i] ?? '').replace(/\s+/g, ' ').trim();
  });
  return facts;
}

/** The facts of the record's own card (the first dl.facts in main). */
export async function recordFacts(page: Page): Promise<Record<string, string>> {
  const list = page.locator('main dl.facts').first();
  const dts = await list.locator('dt').allTextContents();
  const dds = await list.locator('dd').allTextContents();
  const facts: Record<string, string> = {};
  dts.forEach((dt, i) => {
    facts[dt.trim()] = (dds[i] ?? '').trim();
  });
  return facts;
}

/**
 * Reloads the page until `check` answers true, at most `timeoutMs` (short poll interval between reloads);
 * fails with `what` when it never does. For effects of background work the page cannot wait for.
 */
export async function reloadUntil(
  page: Page,
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what} (on ${page.url()})`);
    await page.waitForTimeout(options.intervalMs ?? 250);
    await page.reload();
  }
}

/** Waits until the record page shows a QuickBooks id (the push worker sent it); answers the facts. */
export async function waitForQuickBooksId(page: Page): Promise<Record<string, string>> {
  let facts: Record<string, string> = {};
  await reloadUntil(page, 'the record page shows its QuickBooks id', async () => {
    facts = await quickBooksFacts(page);
    // Nothing left to send: the record's state (issue 18) is no longer "waiting" (or "failed").
    const states = await page
      .locator('.qbo-state[data-qbo-state]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-qbo-state')));
    return Boolean(facts['QuickBooks id']) && !states.some((s) => s === 'waiting' || s === 'failed');
  });
  return facts;
}
