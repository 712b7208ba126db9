/**
 * Cached QuickBooks data and deletion requests (admins only; mounted under /admin/settings, behind
 * requireAdmin and CSRF).
 */

import { type Request, type Response, Router } from 'express';
import { actor } from '../../auth/actor.js';
import { flash } from '../../http/flash.js';
import { recordId } from '../../records/params.js';
import { CACHED_KINDS } from './cached-data-repository.js';
import { CompanyConnectedError, type DataDeletionService, DISCONNECT_HREF } from './service.js';

const DATA = '/admin/settings/quickbooks/data';
const requestHref = (id: number) => `${DATA}/deletion-requests/${id}`;

function requestId(req: Request): number {
  return recordId(req.params.id);
}

/** 409: a company is connected. Explains why and links to the disconnect page; nothing was stored. */
function refuse(res: Response, err: CompanyConnectedError) {
  res.status(409).render('quickbooks/deletion-refused', {
    title: 'Disconnect QuickBooks first',
    message: err.message,
    company: err.company,
    disconnectHref: DISCONNECT_HREF,
  });
}

export function dataRoutes({ service }: { service: DataDeletionService }): Router {
  const router = Router();

  router.get('/quickbooks/data', async (_req, res) => {
    res.render('quickbooks/data', {
      title: 'QuickBooks data',
      ...(await service.overview()),
      kinds: CACHED_KINDS,
      disconnectHref: DISCONNECT_HREF,
      requestHref,
    });
  });

  router.post('/quickbooks/data/deletion-requests', async (req, res) => {
    const note = typeof req.body?.note === 'string' ? req.body.note.trim().slice(0, 1000) : '';
    try {
      const { request, created } = await service.file(actor(req), note || null);
      flash(
        req,
        created ? 'success' : 'info',
        created
          ? `Deletion request #${request.id} is filed. Review what will be deleted, then process it.`
          : `Deletion request #${request.id} is already waiting; no second request was filed.`,
      );
      res.redirect(303, `${requestHref(request.id)}/process`);
    } catch (err) {
      if (err instanceof CompanyConnectedError) return refuse(res, err);
      throw err;
    }
  });

  router.get('/quickbooks/data/deletion-requests/:id', async (req, res) => {
    const { request, receipt } = await service.receipt(requestId(req));
    if (req.query.format === 'json') {
      if (!receipt)
        return res
          .status(409)
          .json({ error: 'not_processed', message: 'This request has not been processed.' });
      res.set('Content-Disposition', `attachment; filename="quickbooks-deletion-receipt-${request.id}.json"`);
      return res.type('application/json').send(`${JSON.stringify(receipt, null, 2)}\n`);
    }
    res.render('quickbooks/deletion-request', {
      title: `Deletion request #${request.id}`,
      request,
      receipt,
      kinds: CACHED_KINDS,
      href: requestHref(request.id),
    });
  });

  router.get('/quickbooks/data/deletion-requests/:id/process', async (req, res) => {
    const request = await service.request(requestId(req));
    if (request.status === 'processed') return res.redirect(303, requestHref(request.id));
    const { summary, live } = await service.overview();
    res.render('quickbooks/confirm-deletion', {
      title: `Process deletion request #${request.id}`,
      request,
      summary,
      live,
      kinds: CACHED_KINDS,
      disconnectHref: DISCONNECT_HREF,
      action: `${requestHref(request.id)}/process`,
    });
  });

  router.post('/quickbooks/data/deletion-requests/:id/process', async (req, res) => {
    try {
      const u = actor(req);
      const outcome = await service.process(requestId(req), { label: u.email, user: u });
      flash(
        req,
        outcome.alreadyProcessed ? 'info' : 'success',
        outcome.alreadyProcessed
          ? `Request #${outcome.request.id} was already processed (${outcome.receipt.processedAt}); nothing was deleted this time.`
          : `Deleted the cached QuickBooks data. The receipt is kept in the audit log.`,
      );
      res.redirect(303, requestHref(outcome.request.id));
    } catch (err) {
      if (err instanceof CompanyConnectedError) return refuse(res, err);
      throw err;
    }
  });

  return router;
}
