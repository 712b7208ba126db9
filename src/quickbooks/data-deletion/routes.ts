/**
 * Cached QuickBooks data and deletion requests (admins only; mounted under /admin/settings, behind
 * requireAdmin and CSRF).
 */

import { type Request, type Response, Router } from 'express';
import { actor } from '../../auth/actor.js';
import { type FlashMessage, flash } from '../../http/flash.js';
import { recordId } from '../../records/params.js';
import { CACHED_KINDS } from './cached-data-repository.js';
import type { DeletionRequest } from './requests-repository.js';
import {
  CompanyConnectedError,
  type DataDeletionService,
  DISCONNECT_HREF,
  type ProcessOutcome,
  type Receipt,
} from './service.js';

const DATA = '/admin/settings/quickbooks/data';
const requestHref = (id: number) => `${DATA}/deletion-requests/${id}`;

const say = (req: Request, message: FlashMessage) => flash(req, message.kind, message.text);

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

/** Runs a step that a connected company forbids; if one is connected, answers 409 instead (refuse). */
async function unlessConnected(res: Response, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (err instanceof CompanyConnectedError) return refuse(res, err);
    throw err;
  }
}

/** The receipt as a JSON download; 409 while the request is not processed yet. */
function sendReceipt(res: Response, requestId: number, receipt: Receipt | undefined) {
  if (!receipt) {
    return res.status(409).json({ error: 'not_processed', message: 'This request has not been processed.' });
  }
  res.set('Content-Disposition', `attachment; filename="quickbooks-deletion-receipt-${requestId}.json"`);
  return res.type('application/json').send(`${JSON.stringify(receipt, null, 2)}\n`);
}

function filedMessage(id: number, created: boolean): FlashMessage {
  return created
    ? {
        kind: 'success',
        text: `Deletion request #${id} is filed. Review what will be deleted, then process it.`,
      }
    : { kind: 'info', text: `Deletion request #${id} is already waiting; no second request was filed.` };
}

function processedMessage(outcome: ProcessOutcome): FlashMessage {
  return outcome.alreadyProcessed
    ? {
        kind: 'info',
        text: `Request #${outcome.request.id} was already processed (${outcome.receipt.processedAt}); nothing was deleted this time.`,
      }
    : { kind: 'success', text: `Deleted the cached QuickBooks data. The receipt is kept in the audit log.` };
}

/** A request's page: what it asked, and its receipt once processed. */
function requestPage(request: DeletionRequest, receipt: Receipt | undefined) {
  return {
    title: `Deletion request #${request.id}`,
    request,
    receipt,
    kinds: CACHED_KINDS,
    href: requestHref(request.id),
  };
}

/** The confirm page before processing: what is cached now, and whether a company is still connected. */
function confirmPage(
  request: DeletionRequest,
  { summary, live }: Awaited<ReturnType<DataDeletionService['overview']>>,
) {
  return {
    title: `Process deletion request #${request.id}`,
    request,
    summary,
    live,
    kinds: CACHED_KINDS,
    disconnectHref: DISCONNECT_HREF,
    action: `${requestHref(request.id)}/process`,
  };
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
    await unlessConnected(res, async () => {
      const { request, created } = await service.file(actor(req), note || null);
      say(req, filedMessage(request.id, created));
      res.redirect(303, `${requestHref(request.id)}/process`);
    });
  });

  router.get('/quickbooks/data/deletion-requests/:id', async (req, res) => {
    const { request, receipt } = await service.receipt(requestId(req));
    if (req.query.format === 'json') return sendReceipt(res, request.id, receipt);
    res.render('quickbooks/deletion-request', requestPage(request, receipt));
  });

  router.get('/quickbooks/data/deletion-requests/:id/process', async (req, res) => {
    const request = await service.request(requestId(req));
    if (request.status === 'processed') return res.redirect(303, requestHref(request.id));
    res.render('quickbooks/confirm-deletion', confirmPage(request, await service.overview()));
  });

  router.post('/quickbooks/data/deletion-requests/:id/process', async (req, res) => {
    await unlessConnected(res, async () => {
      const u = actor(req);
      const outcome = await service.process(requestId(req), { label: u.email, user: u });
      say(req, processedMessage(outcome));
      res.redirect(303, requestHref(outcome.request.id));
    });
  });

  return router;
}
