/**
 * Requests taken before Express sees them (decision 018): the webhook receiver, a server-to-server endpoint
 * on the hot path, for which Express's own work per request (its prototypes set on req and res, its router,
 * its final handler) cost more CPU and garbage than the receiver's whole job.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/** True when the request was this route's (it answers it), false to let the app handle it. */
export type RawRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;

/**
 * Express's app function hands every request to `app.handle` (a server's listener, supertest, a parent
 * app alike), so the raw routes are asked there, in order, before Express's own handling.
 */
export function takeRawRoutesFirst(app: Express, routes: RawRoute[]): void {
  if (!routes.length) return;
  const target = app as unknown as { handle: Handle };
  const handle = target.handle;
  target.handle = function (this: unknown, req, res, next) {
    for (const take of routes) if (take(req, res)) return;
    handle.call(this, req, res, next);
  };
}
