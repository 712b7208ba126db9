/**
 * POST /webhooks/quickbooks: Intuit's webhook deliveries. Mounted before the session, the body parsers and
 * CSRF (app.ts publicRouters): no session, no CSRF, the signature instead.
 *
 * Order matters:
 *   rawBody     the exact bytes (any content type: application/json, application/cloudevents+json, …),
 *               at most 1 MB → 413
 *   signature   HMAC over those bytes before anything reads them → 401, nothing stored
 *   parse       JSON, then the classic or CloudEvents shape → 400, nothing stored
 *   store       one insert of the events of connected companies; the rest counted and dropped
 *   200         right after the insert; the worker fetches the entities later
 */
import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import type { Logger } from '../../logger.js';
import type { ActiveRealm } from './active-realm.js';
import { type InboundEvent, parseDelivery, WebhookBodyError } from './events.js';
import type { InboxRepository } from './inbox-repository.js';
import { verifySignature } from './signature.js';

export const WEBHOOK_PATH = '/webhooks/quickbooks';
export const MAX_BODY = '1mb';
export const DROPPED_NOT_CONNECTED = 'events_dropped_not_connected';

export interface WebhookRouteDeps {
  verifierToken: string;
  inbox: InboxRepository;
  activeRealm: ActiveRealm;
  logger: Logger;
  /** Called after events were stored (wakes the worker). */
  onStored?: () => void;
  /**
   * Middleware run first on the route (the delivery counter, which watches every answer, the body
   * parser's 413 included): on the same route rather than a router of its own in front, so a delivery
   * goes through one router, not two.
   */
  before?: RequestHandler[];
}

// Every content type: the signature, not the header, says whether the body is Intuit's.
const rawBody = express.raw({ type: () => true, limit: MAX_BODY });

export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const router = Router();
  router.post(WEBHOOK_PATH, ...(deps.before ?? []), rawBody, receive(deps));
  router.use(WEBHOOK_PATH, refuse(deps.logger));
  return router;
}

function receive(deps: WebhookRouteDeps): RequestHandler {
  return async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(body, req.get('intuit-signature'), deps.verifierToken)) {
      deps.logger.warn({ bytes: body.length }, 'webhook refused: missing or wrong intuit-signature');
      return void res.status(401).type('text').send('invalid signature');
    }
    let events: InboundEvent[];
    try {
      events = parseDelivery(JSON.parse(body.toString('utf8')));
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof WebhookBodyError)) throw err;
      deps.logger.warn('webhook refused: signed, but not a QuickBooks webhook body');
      return void res.status(400).type('text').send('malformed body');
    }
    // Each event by its own realm: one delivery can mix companies.
    const active = await deps.activeRealm.get();
    const kept = active === undefined ? [] : events.filter((e) => e.realmId === active);
    await deps.inbox.insert(kept);
    const dropped = events.length - kept.length;
    if (dropped) await deps.inbox.count(DROPPED_NOT_CONNECTED, dropped);
    res.status(200).end();
    if (kept.length) deps.onStored?.();
  };
}

/** The parser's and the handler's errors answered here, plain, never through the app's HTML pages. */
function refuse(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const status = err?.type === 'entity.too.large' ? 413 : Number(err?.status) || 500;
    if (status >= 500) logger.error({ err }, 'webhook could not be stored');
    res
      .status(status >= 400 && status < 600 ? status : 500)
      .type('text')
      .send(status === 413 ? 'too large' : status >= 500 ? 'not stored' : 'bad request');
  };
}
