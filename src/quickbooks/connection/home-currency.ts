/**
 * The connected company's home currency, so that every amount is printed in what QuickBooks keeps the
 * books in (Preferences.CurrencyPrefs.HomeCurrency; CompanyInfo.Country as a hint when Preferences says
 * nothing). Read from Intuit when a company is connected and on "Sync now", stored on the connection
 * (qbo_connections.home_currency), and read back for pages through a short in-memory cache: pages ask on
 * every request, the answer changes only on connect, disconnect or switch (which clear the cache here;
 * the time limit covers another process doing them).
 */
import type { Knex } from 'knex';
import { isCurrency } from '../../locale/settings.js';
import type { Logger } from '../../logger.js';
import { QuickBooksError } from '../intuit/errors.js';
import type { ConnectionLifecycle } from './lifecycle.js';

/** What QuickBooks' API offers that this needs: Preferences and CompanyInfo reads. */
export interface CurrencySource {
  preferences(realmId: string): Promise<{ CurrencyPrefs?: { HomeCurrency?: { value?: string } } }>;
  companyInfo(realmId: string): Promise<{ Country?: string }>;
}

/** QuickBooks Online's regional editions and their currency, for a company whose Preferences say nothing. */
const COUNTRY_CURRENCY: Record<string, string> = {
  US: 'USD',
  CA: 'CAD',
  GB: 'GBP',
  UK: 'GBP',
  AU: 'AUD',
  IN: 'INR',
  FR: 'EUR',
};

const CACHE_MS = 5_000;

export class HomeCurrency {
  private cached: { value: string | null; until: number } | undefined;
  /** Until then nothing is cached: a disconnect announces itself before the row changes. */
  private uncachedUntil = 0;

  constructor(
    private readonly deps: {
      db: Knex;
      client: CurrencySource;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  /** The active connection's stored home currency, or null when none is connected (or none was read). */
  async current(): Promise<string | null> {
    const now = this.now();
    if (this.cached && this.cached.until > now) return this.cached.value;
    const row = await this.deps
      .db('qbo_connections')
      .where({ status: 'connected' })
      .first<{ home_currency: string | null } | undefined>('home_currency');
    const value = row?.home_currency ?? null;
    if (now >= this.uncachedUntil) this.cached = { value, until: now + CACHE_MS };
    return value;
  }

  /** Drops the cached answer, and caches none for a while (the change may not be written yet). */
  forget(): void {
    this.cached = undefined;
    this.uncachedUntil = this.now() + CACHE_MS;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * Asks QuickBooks and stores the answer. Never throws for Intuit's sake: a company whose currency
   * cannot be read now keeps what was stored (or the setting), and the next "Sync now" tries again.
   */
  async refresh(realmId: string): Promise<string | null> {
    try {
      const code = await this.read(realmId);
      if (code) {
        await this.deps.db('qbo_connections').where({ realm_id: realmId }).update({ home_currency: code });
      }
      return code;
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      this.deps.logger.warn({ realmId, code: err.code }, 'QuickBooks home currency not read');
      return null;
    } finally {
      this.forget();
    }
  }

  private async read(realmId: string): Promise<string | null> {
    const prefs = await this.deps.client.preferences(realmId);
    const home = prefs.CurrencyPrefs?.HomeCurrency?.value?.toUpperCase();
    if (home && isCurrency(home)) return home;
    const country = (await this.deps.client.companyInfo(realmId)).Country?.toUpperCase();
    return (country && COUNTRY_CURRENCY[country]) || null;
  }

  /** Registered on the lifecycle hub: read at connect; any change of company clears the cache. */
  lifecycle(): Partial<ConnectionLifecycle> {
    return {
      connected: async (realmId) => {
        await this.refresh(realmId);
      },
      stopping: async () => this.forget(),
      resumed: async () => this.forget(),
      archived: async () => this.forget(),
    };
  }
}
