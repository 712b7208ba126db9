import express, { type Request, type Response, Router } from 'express';
import { qboTimestamp } from './clock.js';
import { myAppsPage } from './consent-views.js';
import { sendHtml } from './http.js';
import type { EmulatorState } from './state.js';

/**
 * Intuit's "My Apps" page (QuickBooks → Apps → My Apps): one row per company connected to the app. The
 * Disconnect button revokes the app's grants for that company and then sends the *browser* to the app's
 * Disconnect URL with `realmId` — a redirect, not a server-to-server call, so it proves nothing on its own.
 */
export function myAppsRouter(state: EmulatorState): Router {
  const router = Router();
  router.get('/app/myapps', (req, res) => list(state, req, res));
  router.post('/app/myapps/disconnect', express.urlencoded({ extended: false, limit: '10kb' }), (req, res) =>
    disconnect(state, req, res),
  );
  return router;
}

function list(state: EmulatorState, req: Request, res: Response, notice?: string): void {
  const earliest = new Map<string, number>();
  for (const g of state.grants.liveGrants()) {
    earliest.set(g.realmId, Math.min(earliest.get(g.realmId) ?? Number.POSITIVE_INFINITY, g.createdAt));
  }
  const rows = [...earliest].map(([realmId, since]) => ({
    realmId,
    companyName: state.companies.get(realmId)?.name ?? realmId,
    connectedSince: qboTimestamp(since),
  }));
  const message =
    notice ?? (req.query.notice === 'not-connected' ? 'That company was not connected.' : undefined);
  sendHtml(res, 200, myAppsPage(state.app.appName, rows, message));
}

function disconnect(state: EmulatorState, req: Request, res: Response) {
  const realmId = typeof req.body?.realmId === 'string' ? req.body.realmId : '';
  res.locals.realmId = realmId || null;
  const revoked = realmId ? state.grants.revokeRealm(realmId, state.app.clientId) : 0;
  if (revoked === 0) {
    res.redirect(303, '/app/myapps?notice=not-connected');
    return;
  }
  state.log(`My Apps: disconnected realm ${realmId} (${revoked} grant(s) revoked)`);
  if (!state.app.disconnectUrl) {
    return list(state, req, res, 'Disconnected. The app has no Disconnect URL configured.');
  }
  const url = new URL(state.app.disconnectUrl);
  url.searchParams.set('realmId', realmId);
  res.redirect(302, url.toString());
}
