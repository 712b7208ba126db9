/**
 * QuickBooks settings (admins only; mounted under /admin/settings) and Intuit's browser redirects.
 */

import { Router } from 'express';
import { actor } from '../../auth/actor.js';
import { flash } from '../../http/flash.js';
import { QuickBooksError, QuickBooksNotConnectedError } from '../intuit/errors.js';
import type { CardModel, SyncProgress } from './card.js';
import type { ConnectionService, LandingOutcome } from './connection-service.js';
import { rateLimit } from './rate-limit.js';

export interface QuickBooksRoutesDeps {
  service: ConnectionService;
  card: () => Promise<CardModel>;
  appBaseUrl: string;
  /** "Sync now" after the connection check: push what waits, pull what changed. */
  syncNow?: (realmId: string) => Promise<string | undefined>;
  progress?: () => Promise<SyncProgress | undefined>;
}

const CARD = '/admin/settings/quickbooks';

export function quickBooksAdminRoutes(deps: QuickBooksRoutesDeps): Router {
  const router = Router();

  router.get('/quickbooks', async (_req, res) => {
    res.render('quickbooks/card', { title: 'QuickBooks', card: await deps.card() });
  });

  router.post('/quickbooks/connect', async (req, res) => {
    const url = await deps.service.startConnect(actor(req), req.sessionID);
    res.redirect(303, url);
  });

  router.get('/quickbooks/callback', async (req, res) => {
    const outcome = await deps.service.handleCallback({
      query: req.query as Record<string, unknown>,
      callbackUrl: `${deps.appBaseUrl}${req.originalUrl}`,
      sessionId: req.sessionID,
      actor: actor(req),
    });
    if (outcome.kind === 'failed') flash(req, 'error', outcome.message);
    else if (outcome.kind === 'needs_switch_confirmation') {
      flash(
        req,
        'info',
        'This is a different QuickBooks company from the one Heavy AV was linked to. Please confirm below.',
      );
    } else {
      const name = outcome.connection.companyName ?? outcome.connection.realmId;
      flash(
        req,
        'success',
        outcome.reconnect
          ? `Reconnected to ${name}. Changes made meanwhile are being reconciled.`
          : `Connected to ${name}.`,
      );
    }
    res.redirect(303, CARD);
  });

  router.post('/quickbooks/switch', async (req, res) => {
    const confirm = req.body?.confirm === 'yes';
    const connection = await deps.service.resolveSwitch(actor(req), confirm);
    if (confirm && connection)
      flash(
        req,
        'success',
        `Connected to ${connection.companyName ?? connection.realmId}. Links to the earlier company are archived.`,
      );
    else
      flash(
        req,
        'info',
        'Nothing was switched. Heavy AV revoked the access it had just been given to the other company.',
      );
    res.redirect(303, CARD);
  });

  router.get('/quickbooks/disconnect', async (_req, res) => {
    const card = await deps.card();
    if (!card.active) return res.redirect(303, CARD);
    res.render('quickbooks/confirm-disconnect', { title: 'Disconnect QuickBooks', card });
  });

  router.post('/quickbooks/disconnect', async (req, res) => {
    try {
      const outcome = await deps.service.disconnect(actor(req));
      if (outcome.revoke === 'unreachable') {
        flash(
          req,
          'error',
          'Heavy AV deleted its QuickBooks credentials and stopped syncing, but could not reach Intuit to revoke its access. To finish, open QuickBooks → Apps → My Apps and disconnect Heavy AV there.',
        );
      } else {
        flash(
          req,
          'success',
          'QuickBooks is disconnected. Heavy AV revoked its access at Intuit and deleted its stored credentials.',
        );
      }
    } catch (err) {
      if (!(err instanceof QuickBooksNotConnectedError)) throw err;
      flash(req, 'info', 'QuickBooks was not connected.');
    }
    res.redirect(303, CARD);
  });

  router.post('/quickbooks/sync', async (req, res) => {
    try {
      const connection = await deps.service.check();
      const extra = deps.syncNow ? await deps.syncNow(connection.realmId) : undefined;
      flash(
        req,
        'success',
        `QuickBooks answered: connected to ${connection.companyName ?? connection.realmId}.${extra ? ` ${extra}` : ''}`,
      );
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, CARD);
  });

  return router;
}

const LANDING_TEXT: Record<LandingOutcome, { title: string; text: string }> = {
  cleared: {
    title: 'QuickBooks is disconnected',
    text: 'Intuit confirmed that Heavy AV no longer has access to your QuickBooks company. Heavy AV deleted its stored credentials and stopped syncing. Your estimates and invoices keep their QuickBooks numbers for reference, and nothing in QuickBooks was deleted.',
  },
  not_connected: {
    title: 'QuickBooks is not connected',
    text: 'Heavy AV has no active connection to this QuickBooks company, so there was nothing to disconnect.',
  },
  still_connected: {
    title: 'QuickBooks is still connected',
    text: 'Heavy AV checked with Intuit, and the connection is still active, so nothing was changed. If you meant to disconnect, use "Disconnect" on Heavy AV’s QuickBooks settings page or disconnect the app in QuickBooks.',
  },
  unverified: {
    title: 'We could not confirm the disconnect yet',
    text: 'Intuit could not be reached to confirm the disconnect, so Heavy AV changed nothing for now. If you disconnected Heavy AV in QuickBooks, Heavy AV will notice at its next sync and stop.',
  },
};

/** What a visitor who is not a signed-in admin reads, whatever the outcome. */
const ANONYMOUS_LANDING = {
  title: 'Disconnecting from QuickBooks',
  text: 'If you disconnected Heavy AV in QuickBooks, Heavy AV checks with Intuit and stops syncing once Intuit confirms it. Nothing in QuickBooks is deleted. Sign in as an admin to see the state of the connection.',
};

function landingText(outcome: LandingOutcome, admin: boolean): { title: string; text: string } {
  return admin ? LANDING_TEXT[outcome] : ANONYMOUS_LANDING;
}

/** GET /quickbooks/disconnect: where Intuit sends the browser after a disconnect in QuickBooks. */
export function quickBooksPublicRoutes(deps: { service: ConnectionService }): Router {
  const router = Router();
  // Each hit makes a call to Intuit: limit how often anyone can make us do that.
  // Per peer: everyone behind one proxy shares it; a rare page (one visit per disconnect) needs little.
  const limit = rateLimit({ windowMs: 60_000, max: 10, maxPerPeer: 30 });
  router.get('/quickbooks/disconnect', limit, async (req, res) => {
    const hint = typeof req.query.realmId === 'string' ? req.query.realmId : undefined;
    const outcome = await deps.service.verifyDisconnect(hint);
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
