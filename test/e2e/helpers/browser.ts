/**
 * Chromium for the browser journeys: Debian's build driven by playwright-core (`npx playwright install`
 * cannot download browsers here; see reference/toolchain.md). One browser per test file, a fresh context
 * (cookies, storage) per journey, screenshots at a phone and a laptop width.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // No calls home, no updates, no sync: the journeys must not depend on (or talk to) the internet.
  '--disable-background-networking',
  '--no-first-run',
  '--disable-quic',
  '--disable-component-update',
  '--disable-sync',
];

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  laptop: { width: 1280, height: 800 },
} as const;

export const SCREENSHOT_DIR = path.resolve('test-results', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

export interface Journey {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh context per journey, so no cookie or session leaks from one journey into the next. */
export async function newJourney(
  browser: Browser,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<Journey> {
  const context = await browser.newContext({
    viewport: VIEWPORTS.laptop,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page, close: () => context.close() };
}

/**
 * Saves the current page at both widths as `<name>-phone.png` and `<name>-laptop.png` (full page, unless
 * `fullPage: false`: a modal dialog's backdrop covers only the viewport, which is what the user sees), then
 * puts the viewport back as it was. Returns the file paths.
 */
export async function screenshots(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  const files: string[] = [];
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    const file = path.join(SCREENSHOT_DIR, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
    files.push(file);
  }
  if (before) await page.setViewportSize(before);
  return files;
}

/** Clicks a control that submits a form or follows a link, and waits for the next page to load. */
export async function clickAndWait(page: Page, target: Locator): Promise<void> {
  const loaded = page.waitForEvent('load');
  await target.click();
  await loaded;
}

/** Path of the page's current URL (without origin and query). */
export function currentPath(page: Page): string {
  return new URL(page.url()).pathname;
}
