import type { RequestHandler } from 'express';

/**
 * A small fixed-window limiter per client address, for public endpoints that cost us a call to Intuit.
 * In memory: with several instances each allows `max`, which is still a bound.
 */
export function rateLimit(options: { windowMs: number; max: number }): RequestHandler {
  const hits = new Map<string, { count: number; resetAt: number }>();
  return (req, res, next) => {
    const now = Date.now();
    const key = req.ip ?? 'unknown';
    let entry = hits.get(key);
    if (!entry || entry.resetAt <= now) {
      if (hits.size > 10_000) hits.clear();
      entry = { count: 0, resetAt: now + options.windowMs };
      hits.set(key, entry);
    }
    entry.count++;
    if (entry.count > options.max) {
      res.set('Retry-After', String(Math.ceil((entry.resetAt - now) / 1000)));
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
