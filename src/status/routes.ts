/**
 * GET /admin/status (admins; mounted with the signed-in users' routers under /admin) and GET /metrics
 * (Prometheus; mounted beside /healthz, before the session, so a scrape never creates a session row).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import { ForbiddenError } from '../http/errors.js';
import { bytes, duration } from './format.js';
import type { StatusMetrics } from './metrics.js';
import type { StatusService } from './status-service.js';

const requireAdminForStatus: RequestHandler = (req, _res, next) => {
  if (req.session?.user?.role !== 'admin')
    return next(new ForbiddenError('Only admins can see the status page.'));
  next();
};

export function statusRoutes({ status }: { status: StatusService }): Router {
  const router = Router();
  router.get('/status', requireAdminForStatus, async (_req, res) => {
    res.render('status/index', { title: 'Status', report: await status.report(), duration, bytes });
  });
  return router;
}

/** Compares digests, so neither the token's length nor its first differing byte shows in the timing. */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function metricsRoutes({
  token,
  metrics,
}: {
  token: string | undefined;
  metrics: StatusMetrics;
}): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    // Unset: the endpoint does not exist, as far as anyone can tell.
    if (!token) return void res.status(404).type('text').send('Not found');
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    if (!match || !sameToken(match[1], token)) {
      return void res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="metrics"')
        .type('text')
        .send('Unauthorized');
    }
    res.type(metrics.contentType).send(await metrics.text());
  });
  return router;
}
