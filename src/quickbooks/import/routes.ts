/**
 * The card's "Bring in from QuickBooks" section (mounted under /admin/settings, admins only, CSRF-checked):
 * the GET only adds the section's model to the card (its own partial) and lets the card's router render;
 * POST /quickbooks/import starts an import and goes back to the card.
 */
import { Router } from 'express';
import { flash } from '../../http/flash.js';
import { ImportRequestError, type ImportService } from './import-service.js';

const CARD = '/admin/settings/quickbooks';

export function importRoutes({ imports }: { imports: ImportService }): Router {
  const router = Router();

  router.get('/quickbooks', async (_req, res, next) => {
    res.locals.qboImport = await imports.card();
    next();
  });

  router.post('/quickbooks/import', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const message = await imports.request({
        customers: body.customers,
        documentsSince: body.documentsSince,
        userId: req.session.user?.id ?? null,
      });
      flash(req, 'success', message);
    } catch (err) {
      if (!(err instanceof ImportRequestError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, `${CARD}#import`);
  });

  return router;
}
