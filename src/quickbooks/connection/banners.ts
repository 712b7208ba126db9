/** Page middleware: tells admins, on every page, that Intuit revoked the access and syncing stopped. */
import type { RequestHandler } from 'express';
import type { ConnectionsRepository } from './connections-repository.js';

export function revokedBanner(connections: ConnectionsRepository): RequestHandler {
  return async (req, res, next) => {
    if (req.session?.user?.role !== 'admin') return next();
    const [active, latest] = [await connections.active(), await connections.latest()];
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
    next();
  };
}
