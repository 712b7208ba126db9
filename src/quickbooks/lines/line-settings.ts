/**
 * Items and tax for lines (SPEC capability 18). Reads the company's active sellable items and tax codes and
 * how it taxes (Preferences.TaxPrefs: no sales tax; US automated sales tax, where QuickBooks computes the
 * tax from lines marked TAX/NON; otherwise a tax code on every line, as in Canada), keeps them per company,
 * and holds the defaults the admin chose on the card. Nothing assumes an item id: when a company is first
 * read and nothing is chosen yet, its active item named "Services" (case-insensitive) is proposed as the
 * default, shown on the card, and the admin can change it; without one, documents stop with a message
 * that says to choose the item on the card.
 */
import type { Logger } from '../../logger.js';
import type { ConnectionLifecycle } from '../connection/lifecycle.js';
import type { QboClient } from '../intuit/client.js';
import { QuickBooksError } from '../intuit/errors.js';
import type { LineSetup, TaxMode } from '../mapping/to-quickbooks.js';
import type { CatalogItem, LineSettings, LineSettingsRepository } from './settings-repository.js';

/** Item types a sales line can carry (a Category groups items; bundles are not modelled). */
const SELLABLE = new Set(['Service', 'NonInventory', 'Inventory']);

/** A catalog older than this is read again when the card is shown. */
const STALE_MS = 60 * 60 * 1000;

export class DefaultsError extends Error {}

export interface LineChoices {
  taxMode: TaxMode;
  items: CatalogItem[];
  taxCodes: { id: string; name: string }[];
  defaultItemId: string | null;
  defaultItemName: string | null;
  defaultTaxCodeId: string | null;
}

export class LineSettingsService {
  constructor(
    private readonly deps: {
      client: Pick<QboClient, 'find' | 'preferences'>;
      settings: LineSettingsRepository;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** What a push needs: the stored choices, read from QuickBooks first when the company was never read. */
  async setup(realmId: string, signal?: AbortSignal): Promise<LineSetup> {
    const s = (await this.deps.settings.get(realmId)) ?? (await this.refresh(realmId, signal));
    return { defaultItemId: s.defaultItemId, defaultTaxCodeId: s.defaultTaxCodeId, taxMode: s.taxMode };
  }

  get(realmId: string): Promise<LineSettings | undefined> {
    return this.deps.settings.get(realmId);
  }

  /** Reads items, tax codes and tax preferences from QuickBooks and stores them; proposes "Services". */
  async refresh(realmId: string, signal?: AbortSignal): Promise<LineSettings> {
    const { client } = this.deps;
    const options = { signal };
    const [items, taxCodes, prefs] = await Promise.all([
      client.find(realmId, 'Item', {}, options),
      client.find(realmId, 'TaxCode', {}, options),
      client.preferences(realmId, options),
    ]);
    const sellable = items
      .filter((i) => i.Active !== false && SELLABLE.has(i.Type ?? '') && i.Name)
      .map((i) => ({ id: i.Id, name: i.Name ?? '', type: i.Type ?? '' }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const codes = taxCodes.filter((c) => c.Active !== false).map((c) => ({ id: c.Id, name: c.Name ?? c.Id }));
    const taxPrefs = prefs.TaxPrefs;
    const taxMode: TaxMode = !taxPrefs?.UsingSalesTax
      ? 'none'
      : taxPrefs.PartnerTaxEnabled
        ? 'automated'
        : 'per-line';
    const before = await this.deps.settings.get(realmId);
    const proposed = sellable.find((i) => i.name.toLowerCase() === 'services');
    const chosen = before?.defaultItemId
      ? { id: before.defaultItemId, name: before.defaultItemName }
      : proposed
        ? { id: proposed.id, name: proposed.name }
        : { id: null, name: null };
    const settings: LineSettings = {
      realmId,
      defaultItemId: chosen.id,
      defaultItemName: chosen.name,
      defaultTaxCodeId: before?.defaultTaxCodeId ?? null,
      taxMode,
      items: sellable,
      taxCodes: codes,
      refreshedAt: new Date(this.now()).toISOString(),
    };
    await this.deps.settings.save(settings);
    return settings;
  }

  /** For the card: the stored choices, read again when stale; never fails for Intuit's sake. */
  async forCard(realmId: string): Promise<LineSettings | undefined> {
    const stored = await this.deps.settings.get(realmId);
    if (stored && this.now() - Date.parse(stored.refreshedAt) < STALE_MS) return stored;
    return (await this.tryRefresh(realmId)) ?? stored;
  }

  /** Refresh, or undefined (logged) when QuickBooks cannot be read now. */
  async tryRefresh(realmId: string): Promise<LineSettings | undefined> {
    try {
      return await this.refresh(realmId);
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      this.deps.logger.warn({ realmId, code: err.code }, 'QuickBooks items and tax codes not read');
      return undefined;
    }
  }

  /** The card's form: `itemId` must be one of the company's active items, `taxCodeId` one of its codes. */
  async setDefaults(realmId: string, input: { itemId: string; taxCodeId: string }): Promise<LineSettings> {
    const s = (await this.deps.settings.get(realmId)) ?? (await this.refresh(realmId));
    const item = input.itemId ? s.items.find((i) => i.id === input.itemId) : undefined;
    if (input.itemId && !item) throw new DefaultsError('That item is not an active item of this company.');
    const code = input.taxCodeId ? s.taxCodes.find((c) => c.id === input.taxCodeId) : undefined;
    if (input.taxCodeId && !code) throw new DefaultsError('That tax code is not active in this company.');
    const next: LineSettings = {
      ...s,
      defaultItemId: item?.id ?? null,
      defaultItemName: item?.name ?? null,
      defaultTaxCodeId: code?.id ?? null,
    };
    await this.deps.settings.save(next);
    return next;
  }

  /** For the line editor: the choices of the connected company. */
  async choices(realmId: string): Promise<LineChoices | undefined> {
    const s = await this.deps.settings.get(realmId);
    if (!s) return undefined;
    const { taxMode, items, taxCodes, defaultItemId, defaultItemName, defaultTaxCodeId } = s;
    return { taxMode, items, taxCodes, defaultItemId, defaultItemName, defaultTaxCodeId };
  }

  /** Registered on the lifecycle hub: items and tax codes are read when a company is connected. */
  lifecycle(): Partial<ConnectionLifecycle> {
    return {
      connected: async (realmId) => {
        await this.tryRefresh(realmId);
      },
    };
  }
}
