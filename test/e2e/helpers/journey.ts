/**
 * The hooks every QuickBooks journey needs: one browser per file, and per journey a fresh emulator, a
 * fresh Heavy AV (new database) registered with it, and a new browser context.
 */
import type { Browser } from 'playwright-core';
import { type Journey, launchBrowser, newJourney } from './browser.js';
import { IntuitEmulator } from './emulator.js';
import { type E2EServer, startServer } from './server.js';

export interface JourneyWorld {
  emulator: IntuitEmulator;
  server: E2EServer;
  journey: Journey;
}

/** Registers the mocha hooks; `use` receives each journey's fresh world before the test runs. */
export function quickBooksJourneyHooks(
  use: (world: JourneyWorld) => void,
  options: { javaScriptEnabled?: boolean } = {},
): void {
  let browser: Browser;
  let world: JourneyWorld | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    const emulator = new IntuitEmulator();
    const server = await startServer({ services: [emulator.service] });
    const journey = await newJourney(browser, options);
    world = { emulator, server, journey };
    use(world);
  });
  afterEach(async () => {
    await world?.journey.close();
    await world?.server.close();
    world = undefined;
  });
}
