/**
 * The card's "Lines" section (admins only, mounted under /admin/settings): the default item and tax code
 * for lines, and reading the company's items and tax codes again.
 */
import { Router } from 'express';
import { flash } from '../../http/flash.js';
import { QuickBooksError } from '../intuit/errors.js';
import { DefaultsError, type LineSettingsService } from './line-settings.js';

const CARD = '/admin/settings/quickbooks';

export function lineDefaultsRoutes(deps: {
  lineSettings: LineSettingsService;
  /** The connected company, if any. */
  activeRealm(): Promise<string | undefined>;
  /** Queues again the records that stopped for want of an item or tax code; returns how many. */
  requeueStopped(realmId: string): Promise<number>;
}): Router {
  const router = Router();

  router.post('/quickbooks/defaults', async (req, res) => {
    const realmId = await deps.activeRealm();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    if (!realmId) {
      flash(req, 'error', 'Connect to QuickBooks first: the items and tax codes are those of the company.');
    } else {
      try {
        const saved = await deps.lineSettings.setDefaults(realmId, {
          itemId: text(body.itemId),
          taxCodeId: text(body.taxCodeId),
        });
        const requeued = await deps.requeueStopped(realmId);
        const again = requeued ? ` ${requeued} record(s) waiting for an item are being sent again.` : '';
        flash(
          req,
          'success',
          (saved.defaultItemName
            ? `Lines without an item of their own now use "${saved.defaultItemName}".`
            : 'No default item: every line must name its own QuickBooks item.') + again,
        );
      } catch (err) {
        if (!(err instanceof DefaultsError || err instanceof QuickBooksError)) throw err;
        flash(req, 'error', err.message);
      }
    }
    res.redirect(303, `${CARD}#lines-h`);
  });

  router.post('/quickbooks/defaults/refresh', async (req, res) => {
    const realmId = await deps.activeRealm();
    const read = realmId ? await deps.lineSettings.tryRefresh(realmId) : undefined;
    if (read) flash(req, 'success', `Read ${read.items.length} items and ${read.taxCodes.length} tax codes.`);
    else flash(req, 'error', 'QuickBooks could not be read just now. Try again in a moment.');
    res.redirect(303, `${CARD}#lines-h`);
  });

  return router;
}
