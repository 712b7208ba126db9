/**
 * Alerts on the admin pages (mounted under /admin/settings, admins only, CSRF-checked):
 * POST /notifications/test sends a test and says on the card how it went; the two GETs only add the
 * notifications section to the QuickBooks card and the delivery log to the history page (their own
 * partials), then let the QuickBooks routers render those pages.
 */
import { Router } from 'express';
import { flash } from '../http/flash.js';
import type { Alerts } from './alerts.js';

const CARD = '/admin/settings/quickbooks';

export function notificationRoutes({ alerts }: { alerts: Alerts }): Router {
  const router = Router();

  router.get('/quickbooks', async (_req, res, next) => {
    res.locals.notifications = await alerts.card();
    next();
  });

  router.get('/quickbooks/history', async (req, res, next) => {
    if (req.query.format !== 'csv') res.locals.alertLog = await alerts.log();
    next();
  });

  router.post('/notifications/test', async (req, res) => {
    const outcomes = await alerts.sendTest();
    if (!outcomes.length) {
      flash(req, 'error', 'Nothing was sent: neither SMTP_URL nor NOTIFY_WEBHOOK_URL is set.');
    }
    for (const o of outcomes) {
      const name = o.channel === 'email' ? 'Test email' : 'Test chat message';
      flash(req, o.ok ? 'success' : 'error', o.ok ? `${name} ${o.text}.` : `${name} not sent: ${o.text}`);
    }
    res.redirect(303, `${CARD}#notifications`);
  });

  return router;
}
