import { Router } from 'express';

export function dashboardRoutes(): Router {
  const router = Router();
  router.get('/', (_req, res) => res.render('dashboard/index', { title: 'Dashboard' }));
  return router;
}
