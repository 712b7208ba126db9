import { Router } from 'express';

/** Public help pages, written for admins; linked from the QuickBooks card and the footer. */
export function helpRoutes(): Router {
  const router = Router();
  router.get('/help', (_req, res) => res.render('help/index', { title: 'Help' }));
  router.get('/privacy', (_req, res) => res.render('help/privacy-index', { title: 'Privacy' }));
  router.get('/help/quickbooks/disconnect', (_req, res) =>
    res.render('help/disconnect', { title: 'Disconnecting QuickBooks' }),
  );
  router.get('/privacy/quickbooks', (_req, res) =>
    res.render('help/privacy', { title: 'QuickBooks data and privacy' }),
  );
  router.get('/help/contact', (_req, res) => res.render('help/contact', { title: 'Contact support' }));
  return router;
}
