/**
 * QuickBooks settings (admins only; mounted under /admin/settings) and Intuit's browser redirects.
 * The words the admin reads after each step are in messages.ts.
 */

import { type Request, type Response, Router } from 'express';
import { type Actor, actor } from '../../auth/actor.js';
import { type FlashMessage, flash } from '../../http/flash.js';
import { QuickBooksError, QuickBooksNotConnectedError } from '../intuit/errors.js';
import type { CardModel } from './card.js';
import type { ConnectionCheck } from './check.js';
import type { ConnectService } from './connect.js';
import type { DisconnectService } from './disconnect.js';
import type { IntuitDisconnects } from './intuit-disconnect.js';
import {
  callbackMessage,
  disconnectMessage,
  landingText,
  NOT_CONNECTED,
  switchMessage,
  syncNowMessage,
} from './messages.js';
import { rateLimit } from './rate-limit.js';
import type { SyncStatus } from './status.js';
import type { SwitchService } from './switch.js';

export interface QuickBooksRoutesDeps {
  connect: ConnectService;
  switchCompany: SwitchService;
  disconnect: DisconnectService;
  check: ConnectionCheck;
  card: () => Promise<CardModel>;
  /** The card's sentence, counts and progress (status.ts), for GET /quickbooks/status.json. */
  status: () => Promise<SyncStatus>;
  appBaseUrl: string;
  /** "Sync now" after the connection check: push what waits, pull what changed. */
  syncNow?: (realmId: string) => Promise<string | undefined>;
}

const CARD = '/admin/settings/quickbooks';

/** Flash the message on the card and go back to it (post/redirect/get). */
function backToCard(req: Request, res: Response, message: FlashMessage): void {
  flash(req, message.kind, message.text);
  res.redirect(303, CARD);
}

export function quickBooksAdminRoutes(deps: QuickBooksRoutesDeps): Router {
  const router = Router();

  router.get('/quickbooks', async (_req, res) => {
    res.render('quickbooks/card', { title: 'QuickBooks', card: await deps.card() });
  });

  // What public/js/sync-status.js polls to keep the card's sentence, counts and bars current.
  router.get('/quickbooks/status.json', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await deps.status());
  });

  router.post('/quickbooks/connect', async (req, res) => {
    res.redirect(303, await deps.connect.startConnect(actor(req), req.sessionID));
  });

  router.get('/quickbooks/callback', async (req, res) => {
    const outcome = await deps.connect.handleCallback({
      query: req.query as Record<string, unknown>,
      // The exact URL Intuit called: the code exchange sends it back to Intuit.
      callbackUrl: `${deps.appBaseUrl}${req.originalUrl}`,
      sessionId: req.sessionID,
      actor: actor(req),
    });
    backToCard(req, res, callbackMessage(outcome));
  });

  router.post('/quickbooks/switch', async (req, res) => {
    const confirm = req.body?.confirm === 'yes';
    const outcome = await deps.switchCompany.resolveSwitch(actor(req), confirm);
    backToCard(req, res, switchMessage(confirm, outcome));
  });

  router.get('/quickbooks/disconnect', async (_req, res) => {
    const card = await deps.card();
    if (!card.active) return res.redirect(303, CARD);
    res.render('quickbooks/confirm-disconnect', { title: 'Disconnect QuickBooks', card });
  });

  router.post('/quickbooks/disconnect', async (req, res) => {
    backToCard(req, res, await disconnect(deps, actor(req)));
  });

  router.post('/quickbooks/sync', async (req, res) => {
    backToCard(req, res, await syncNow(deps));
  });

  return router;
}

/** Disconnect from Heavy AV; "it was not connected" is an answer for the card, not an error page. */
async function disconnect(deps: QuickBooksRoutesDeps, who: Actor): Promise<FlashMessage> {
  try {
    return disconnectMessage(await deps.disconnect.disconnect(who));
  } catch (err) {
    if (!(err instanceof QuickBooksNotConnectedError)) throw err;
    return NOT_CONNECTED;
  }
}

/** "Sync now": prove the connection, then push and pull; what QuickBooks refused is said on the card. */
async function syncNow(deps: QuickBooksRoutesDeps): Promise<FlashMessage> {
  try {
    const connection = await deps.check.check();
    const extra = deps.syncNow ? await deps.syncNow(connection.realmId) : undefined;
    return syncNowMessage(connection, extra);
  } catch (err) {
    if (!(err instanceof QuickBooksError)) throw err;
    return { kind: 'error', text: err.message };
  }
}

/** GET /quickbooks/disconnect: where Intuit sends the browser after a disconnect in QuickBooks. */
export function quickBooksPublicRoutes(deps: { landing: IntuitDisconnects }): Router {
  const router = Router();
  // Each hit makes a call to Intuit: limit how often anyone can make us do that.
  // Per peer: everyone behind one proxy shares it; a rare page (one visit per disconnect) needs little.
  const limit = rateLimit({ windowMs: 60_000, max: 10, maxPerPeer: 30 });
  router.get('/quickbooks/disconnect', limit, async (req, res) => {
    const hint = typeof req.query.realmId === 'string' ? req.query.realmId : undefined;
    const outcome = await deps.landing.verifyDisconnect(hint);
    res.set('Cache-Control', 'no-store');
    // Anyone can open this URL: only a signed-in admin learns whether QuickBooks is connected.
    const admin = res.locals.currentUser?.role === 'admin';
    res.render('quickbooks/landing', {
      outcome: admin ? outcome : 'anonymous',
      ...landingText(outcome, admin),
    });
  });
  return router;
}
