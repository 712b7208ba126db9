import { Router } from 'express';

/** GET /healthz: 200 when the database answers, 503 when it does not. No session, no secrets. */
export function healthRoutes(deps: { pingDatabase: () => Promise<void> }): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await deps.pingDatabase();
      res.set('Cache-Control', 'no-store').json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'unavailable', database: 'error' });
    }
  });
  return router;
}
