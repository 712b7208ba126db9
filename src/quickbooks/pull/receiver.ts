/**
 * POST /webhooks/quickbooks: Intuit's webhook deliveries. Taken before Express sees the request
 * (decision 018): no session, no CSRF, no body parser, no page headers, the signature instead.
 *
 * Order matters:
 *   body        the exact bytes (any content type: application/json, application/cloudevents+json, …;
 *               gzip, deflate or br undone first), at most 1 MB → 413; an unknown content encoding → 415
 *   signature   HMAC over those bytes before anything reads them → 401, nothing stored
 *   parse       JSON, then the classic or CloudEvents shape → 400, nothing stored
 *   store       the delivery staged as it arrived (one row), for the connected company's events; the
 *               other companies' events counted and dropped
 *   200         right after the insert; the worker unpacks the events into the inbox and fetches the
 *               entities later (decision 016)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import getRawBody from 'raw-body';
import type { RawRoute } from '../../http/raw-routes.js';
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
  /** Told the status of every answer the receiver gives: the delivery counter. */
  onAnswer?: (status: number) => void;
}

/**
 * The receiver, in front of Express rather than a route inside it: Express's own work per request (its
 * prototypes set on req and res, its router, the body parser's checks) cost more CPU and garbage than
 * everything the receiver does itself, measured at about half of each delivery's time (decision 018).
 * Only POST to the exact path (as Express matched it: any case, one trailing slash, any query) is taken;
 * anything else, GET included, goes on to the app.
 */
export function webhookReceiver(deps: WebhookRouteDeps): RawRoute {
  const receive = receiver(deps);
  return (req, res) => {
    if (req.method !== 'POST' || !isWebhookPath(req.url)) return false;
    receive(req, res);
    return true;
  };
}

function isWebhookPath(url: string | undefined): boolean {
  if (!url) return false;
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  if (path.length === WEBHOOK_PATH.length + 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path.length === WEBHOOK_PATH.length && path.toLowerCase() === WEBHOOK_PATH;
}

/** What the synchronous checks decided: an answer now, or a delivery to store. */
type Checked = { status: number; text: string } | Accepted;

/** A verified, well-formed delivery: its text, and its events counted by company if the company is known. */
interface Accepted {
  body: string;
  realmId: string | undefined;
  kept: number;
  dropped: number;
  /** Kept only when the connected company was not known without waiting (store() then counts). */
  events?: InboundEvent[];
}

function receiver(deps: WebhookRouteDeps) {
  const answer = (res: ServerResponse, status: number, text?: string) => {
    if (res.headersSent) return;
    deps.onAnswer?.(status);
    if (res.destroyed) return;
    res.statusCode = status;
    if (text === undefined) return void res.end();
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
  };
  const fail = (res: ServerResponse, err: unknown) => {
    deps.logger.error({ err }, 'webhook could not be stored');
    answer(res, 500, 'not stored');
  };

  const receive = (req: IncomingMessage, res: ServerResponse): void => {
    const source = decoded(req);
    if (!source) {
      const encoding = String(req.headers['content-encoding']).slice(0, 40);
      deps.logger.warn({ encoding }, 'webhook refused: content encoding');
      req.resume();
      answer(res, 415, 'unsupported content encoding');
      return;
    }
    const length = source === req ? req.headers['content-length'] : undefined;
    getRawBody(source, { length, limit: MAX_BODY }, (err, body) => {
      if (err) return answer(res, ...bodyError(err));
      let checked: Checked;
      try {
        checked = check(deps, body, req.headers['intuit-signature']);
      } catch (e) {
        return fail(res, e);
      }
      if (!('body' in checked)) return answer(res, checked.status, checked.text);
      const accepted = checked;
      store(deps, accepted)
        .then(() => {
          answer(res, 200);
          if (accepted.kept) deps.onStored?.();
        })
        .catch((e) => fail(res, e));
    });
  };
  // Nothing in front of the receiver catches for it (Express no longer does): a throw here would take the
  // process down, so it is answered 500 and logged instead.
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      receive(req, res);
    } catch (err) {
      fail(res, err);
    }
  };
}

/**
 * Signature, JSON, shape and company, without waiting for anything: the request's buffer and the parsed
 * events are let go here, before the commit is waited for (what a delivery holds across the commit
 * survives the young generation's collections; decision 016).
 */
function check(deps: WebhookRouteDeps, body: Buffer, signature: unknown): Checked {
  if (!verifySignature(body, signature, deps.verifierToken)) {
    deps.logger.warn({ bytes: body.length }, 'webhook refused: missing or wrong intuit-signature');
    return { status: 401, text: 'invalid signature' };
  }
  const text = body.toString('utf8');
  let events: InboundEvent[];
  try {
    events = parseDelivery(JSON.parse(text));
  } catch (err) {
    if (!(err instanceof SyntaxError || err instanceof WebhookBodyError)) throw err;
    deps.logger.warn('webhook refused: signed, but not a QuickBooks webhook body');
    return { status: 400, text: 'malformed body' };
  }
  // The connected company is usually known without waiting (ActiveRealm keeps it for a moment).
  const realmId = deps.activeRealm.peek()?.realmId;
  if (realmId === undefined) return { body: text, realmId, kept: 0, dropped: 0, events };
  let kept = 0;
  for (const e of events) if (e.realmId === realmId) kept++;
  return { body: text, realmId, kept, dropped: events.length - kept };
}

/** Each event by its own realm: one delivery can mix companies. Staged as it arrived (the bytes verified). */
async function store(deps: WebhookRouteDeps, accepted: Accepted): Promise<void> {
  if (accepted.events) {
    const events = accepted.events;
    accepted.events = undefined;
    accepted.realmId = await deps.activeRealm.get();
    accepted.kept = events.filter((e) => e.realmId === accepted.realmId).length;
    accepted.dropped = events.length - accepted.kept;
  }
  const { realmId, body, kept, dropped } = accepted;
  if (realmId !== undefined && kept) await deps.inbox.stage({ realmId, body, eventCount: kept });
  if (dropped) await deps.inbox.count(DROPPED_NOT_CONNECTED, dropped);
}

/** The body as sent: gzip, deflate and br undone (as Express's body parser did); undefined if unknown. */
function decoded(req: IncomingMessage): Readable | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return req;
  const inflate =
    encoding === 'gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!inflate) return undefined;
  req.on('error', (err) => inflate.destroy(err));
  return req.pipe(inflate);
}

/** raw-body's and zlib's errors as answers: too large 413, anything else about the body 400. */
function bodyError(err: Error & { type?: string; status?: number }): [number, string] {
  if (err.type === 'entity.too.large') return [413, 'too large'];
  const status = Number(err.status);
  return [status >= 400 && status < 500 ? status : 400, 'bad request'];
}
