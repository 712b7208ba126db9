/**
 * POST /webhooks/quickbooks: Intuit's webhook deliveries. Mounted before the session, the body parsers and
 * CSRF (app.ts publicRoutes): no session, no CSRF, the signature instead.
 *
 * Order matters:
 *   rawBody     the exact bytes (any content type: application/json, application/cloudevents+json, …),
 *               at most 1 MB → 413
 *   signature   HMAC over those bytes before anything reads them → 401, nothing stored
 *   parse       JSON, then the classic or CloudEvents shape → 400, nothing stored
 *   store       the delivery staged as it arrived (one row), for the connected company's events; the
 *               other companies' events counted and dropped
 *   200         right after the insert; the worker unpacks the events into the inbox and fetches the
 *               entities later (decision 016)
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
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
   * Told the status of every answer the route gives (200, 401, 400, and the parser's 413 and any error
   * through `refuse`): the delivery counter. Called where the answer is sent rather than from a
   * 'finish' listener, which cost a closure and a listener per delivery on the hot path.
   */
  onAnswer?: (status: number) => void;
}

// Every content type: the signature, not the header, says whether the body is Intuit's.
const rawBody = express.raw({ type: () => true, limit: MAX_BODY });

/** Mounts the receiver on something routes can be added to (the app). */
export type MountRoutes = (app: Pick<Router, 'post' | 'use'>) => void;

/**
 * The receiver's route, mounted straight on the app rather than through a Router of its own: a nested
 * router is one more dispatch per delivery (its layers, its `next`), measured at some 3.5 KB of garbage and
 * 20 µs of CPU per delivery on the hot path.
 */
export function webhookRoutes(deps: WebhookRouteDeps): MountRoutes {
  return (app) => {
    app.post(WEBHOOK_PATH, rawBody, receive(deps));
    app.use(WEBHOOK_PATH, refuse(deps));
  };
}

function receive(deps: WebhookRouteDeps): RequestHandler {
  const answer = deps.onAnswer ?? (() => undefined);
  return async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(body, req.get('intuit-signature'), deps.verifierToken)) {
      deps.logger.warn({ bytes: body.length }, 'webhook refused: missing or wrong intuit-signature');
      answer(401);
      return void res.status(401).type('text').send('invalid signature');
    }
    let events: InboundEvent[];
    const text = body.toString('utf8');
    try {
      events = parseDelivery(JSON.parse(text));
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof WebhookBodyError)) throw err;
      deps.logger.warn('webhook refused: signed, but not a QuickBooks webhook body');
      answer(400);
      return void res.status(400).type('text').send('malformed body');
    }
    // Each event by its own realm: one delivery can mix companies. The connected company is usually known
    // without waiting (ActiveRealm keeps it for a moment).
    const active = deps.activeRealm.peek()?.realmId ?? (await deps.activeRealm.get());
    let kept = 0;
    for (const e of events) if (e.realmId === active) kept++;
    const dropped = events.length - kept;
    // Nothing but the text is needed past this point: what a delivery holds while its commit is written
    // survives the young generation's collections, so the buffer and the parsed events are let go first.
    req.body = undefined;
    events = [];
    // Staged as it arrived (the bytes just verified): the unpack keeps only this company's events.
    if (active !== undefined && kept)
      await deps.inbox.stage({ realmId: active, body: text, eventCount: kept });
    if (dropped) await deps.inbox.count(DROPPED_NOT_CONNECTED, dropped);
    answer(200);
    res.status(200).end();
    if (kept) deps.onStored?.();
  };
}

/** The parser's and the handler's errors answered here, plain, never through the app's HTML pages. */
function refuse({ logger, onAnswer }: WebhookRouteDeps): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const given = err?.type === 'entity.too.large' ? 413 : Number(err?.status) || 500;
    const status = given >= 400 && given < 600 ? given : 500;
    if (status >= 500) logger.error({ err }, 'webhook could not be stored');
    onAnswer?.(status);
    res
      .status(status)
      .type('text')
      .send(status === 413 ? 'too large' : status >= 500 ? 'not stored' : 'bad request');
  };
}
