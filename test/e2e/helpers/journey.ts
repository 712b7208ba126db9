/**
 * The hooks every QuickBooks journey needs: one browser per file, and per journey a fresh emulator, a
 * fresh Heavy AV (new database) registered with it, and a new browser context.
 */
import type { Browser } from 'playwright-core';
import { type Journey, launchBrowser, newJourney } from './browser.js';
import { IntuitEmulator } from './emulator.js';
import { type E2EServer, type StartServerOptions, startServer } from './server.js';

export interface JourneyWorld {
  emulator: IntuitEmulator;
  server: E2EServer;
  journey: Journey;
}

/** Registers the mocha hooks; `use` receives each journey's fresh world before the test runs. */
export function quickBooksJourneyHooks(
  use: (world: JourneyWorld) => void,
  options: { javaScriptEnabled?: boolean; server?: Omit<StartServerOptions, 'services'> } = {},
): void {
  let browser: Browser;
  let world: JourneyWorld | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    const emulator = new IntuitEmulator();
    const server = await startServer({ ...options.server, services: [emulator.service] });
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

export interface AppJourneys {
  /** A fresh Heavy AV (new database), closed after the test. */
  server(options?: StartServerOptions): Promise<E2EServer>;
  /** A new browser context (optionally without JavaScript), closed after the test. */
  journey(options?: { javaScriptEnabled?: boolean }): Promise<Journey>;
}

/**
 * The hooks of a journey without QuickBooks: one browser per file; servers and contexts are made by the test
 * (or its beforeEach) through the returned object and closed after each test, the last made first.
 */
export function appJourneyHooks(): AppJourneys {
  let browser: Browser;
  const opened: { close(): Promise<void> }[] = [];
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => browser?.close());
  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await thing.close();
  });
  return {
    async server(options) {
      const server = await startServer(options);
      opened.push(server);
      return server;
    },
    async journey(options) {
      const journey = await newJourney(browser, options);
      opened.push(journey);
      return journey;
    },
  };
}
