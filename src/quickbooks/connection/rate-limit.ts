import type { RequestHandler } from 'express';
import { clientAddress } from '../../http/client-address.js';

/**
 * A small fixed-window limiter for public endpoints that cost us a call to Intuit. In memory: with
 * several instances each allows its budgets, which is still a bound.
 *
 * Two budgets: per client address (req.ip, as TRUST_PROXY lets Express believe it) and per connection
 * peer (the socket's address: the proxy, when there is one). X-Forwarded-For is only as honest as
 * whoever connected: if the port is reachable past the proxy, a direct client can write any address
 * there and would get a fresh client budget per forged address; the peer budget still holds them.
 * (The README says the port must not be reachable past the proxy.)
 */
export function rateLimit(options: { windowMs: number; max: number; maxPerPeer: number }): RequestHandler {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const spend = (key: string, max: number, now: number): number | undefined => {
    let entry = hits.get(key);
    if (!entry || entry.resetAt <= now) {
      if (hits.size > 10_000) hits.clear();
      entry = { count: 0, resetAt: now + options.windowMs };
      hits.set(key, entry);
    }
    entry.count++;
    return entry.count > max ? entry.resetAt : undefined;
  };
  return (req, res, next) => {
    const now = Date.now();
    const client = clientAddress(req);
    const peer = req.socket.remoteAddress ?? 'unknown';
    const blockedUntil =
      spend(`client:${client}`, options.max, now) ??
      (peer === client ? undefined : spend(`peer:${peer}`, options.maxPerPeer, now));
    if (blockedUntil) {
      res.set('Retry-After', String(Math.ceil((blockedUntil - now) / 1000)));
      res.status(429).render('errors/error', {
        title: 'Too many requests',
        status: 429,
        message: 'Too many requests from your address. Please wait a minute and try again.',
      });
      return;
    }
    next();
  };
}
