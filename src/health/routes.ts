import { Router } from 'express';
import type { Knex } from 'knex';

/** GET /healthz: 200 when the database answers, 503 when it does not. No session, no secrets. */
export function healthRoutes(db: Knex): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await db.raw('select 1');
      res.set('Cache-Control', 'no-store').json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'unavailable', database: 'error' });
    }
  });
  return router;
}
