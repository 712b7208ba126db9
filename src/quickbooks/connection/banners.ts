/**
 * Page middleware: says on every page that QuickBooks sync has stopped.
 * - Admins: that Intuit revoked the access, with the way back (a deliberate disconnect is no alarm).
 * - Staff: a quiet note that sync is paused (after a disconnect, a revocation, or tokens this instance
 *   cannot read), so nobody wonders why an edit does not reach QuickBooks. Admins hear of it by their
 *   own banner, the card and the alerts (src/notifications), hence "an admin has been told".
 */
import type { RequestHandler } from 'express';
import type { ConnectionsRepository } from './connections-repository.js';

export const SYNC_PAUSED_TEXT =
  'QuickBooks sync is paused — an admin has been told. Your changes are kept and go out once it is back.';

export function syncBanners(connections: ConnectionsRepository): RequestHandler {
  return async (req, res, next) => {
    const role = req.session?.user?.role;
    if (!role) return next();
    const [active, latest] = [await connections.active(), await connections.latest()];
    if (role === 'admin') {
      if (!active && latest?.status === 'revoked') {
        res.locals.banners = [
          {
            kind: 'error',
            text: `QuickBooks access to ${latest.companyName ?? latest.realmId} was revoked at Intuit; syncing has stopped.`,
            href: '/admin/settings/quickbooks',
            linkText: 'Reconnect',
          },
        ];
      }
      return next();
    }
    const unreadable = active
      ? (await connections.unreadable()).some((c) => c.realmId === active.realmId)
      : false;
    // Never connected: nothing was ever syncing, so nothing is paused.
    if ((!active && latest) || unreadable) res.locals.banners = [{ kind: 'info', text: SYNC_PAUSED_TEXT }];
    next();
  };
}
