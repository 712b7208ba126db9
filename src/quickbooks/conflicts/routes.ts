/**
 * A record's QuickBooks state on its page, and an admin's answer to it:
 * - `GET /admin/{customers,estimates,invoices}/:id`: before the record's own page handler, puts the open
 *   conflict and the waiting push (if any) into the view's locals (the records domain never imports
 *   quickbooks/; its page includes `partials/quickbooks-conflict` through the links partial).
 * - `POST /admin/{customers,estimates,invoices}/:id/quickbooks` (admin, CSRF), field `action` (+ `qboId`).
 * - Under /admin/settings: `POST /quickbooks/retry-failed`, `GET /quickbooks/conflicts` (the card's counts are
 *   its own: connection/status.ts).
 */
import { type Request, type Response, Router } from 'express';
import { requireAdmin } from '../../auth/middleware.js';
import { ValidationError } from '../../http/errors.js';
import { flash } from '../../http/flash.js';
import { type RecordType, SYNC_STATE_LABELS, type SyncStates } from '../../records/hooks.js';
import { parseId } from '../../records/params.js';
import type { ConnectionsRepository } from '../connection/connections-repository.js';
import { QuickBooksError } from '../intuit/errors.js';
import type { OutboxRepository } from '../push/outbox-repository.js';
import { recordStateReason } from '../push/sync-states.js';
import type { ConflictsRepository } from './conflicts-repository.js';
import type { ConflictResolver } from './resolve.js';

export interface ConflictRoutesDeps {
  connections: ConnectionsRepository;
  conflicts: ConflictsRepository;
  outbox: OutboxRepository;
  resolver: ConflictResolver;
  /** The record's QuickBooks state (the lists' column) for the badge on its page. */
  states?: SyncStates;
}

const TYPES: Record<string, RecordType> = {
  customers: 'customer',
  estimates: 'estimate',
  invoices: 'invoice',
};

function typeOf(plural: string): RecordType | undefined {
  return Object.hasOwn(TYPES, plural) ? TYPES[plural] : undefined;
}

/** Mounted under /admin for signed-in users, before the records' own routers. */
export function recordQuickBooksRoutes(deps: ConflictRoutesDeps): Router {
  const router = Router();

  router.get('/:plural/:id', async (req, res, next) => {
    const plural = String(req.params.plural);
    const type = typeOf(plural);
    const id = parseId(req.params.id);
    if (type && id !== undefined) {
      const active = await deps.connections.active();
      const waiting = await deps.outbox.pendingFor(type, id);
      const state = (await deps.states?.of(type, [id]))?.get(id);
      res.locals.qboState = {
        type,
        plural,
        id,
        conflict: active ? await deps.conflicts.openFor(type, id, active.realmId) : undefined,
        waiting,
        sync: state && {
          state,
          label: SYNC_STATE_LABELS[state],
          reason: recordStateReason(state, {
            companyName: active?.companyName ?? null,
            connected: Boolean(active),
            waiting,
          }),
        },
      };
    }
    next();
  });

  router.post('/:plural/:id/quickbooks', requireAdmin, async (req, res, next) => {
    const plural = String(req.params.plural);
    const type = typeOf(plural);
    const id = parseId(req.params.id);
    if (!type || id === undefined) return next();
    const back = `/admin/${plural}/${id}`;
    try {
      const message = await deps.resolver.resolve(type, id, String(req.body.action ?? ''), {
        qboId: typeof req.body.qboId === 'string' ? req.body.qboId.trim() : undefined,
        userId: req.session.user!.id,
      });
      flash(req, 'success', message);
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof QuickBooksError)) throw err;
      flash(req, 'error', errorText(err));
    }
    res.redirect(303, back);
  });

  return router;
}

function errorText(err: ValidationError | QuickBooksError): string {
  if (err instanceof ValidationError) return Object.values(err.fields).join(' ') || err.message;
  return err.message;
}

/** Mounted under /admin/settings (admins only), before the card's own router. */
export function conflictAdminRoutes(deps: ConflictRoutesDeps): Router {
  const router = Router();

  router.get('/quickbooks/conflicts', async (_req, res) => {
    const active = await deps.connections.active();
    const conflicts = active ? await deps.conflicts.listOpen(active.realmId) : [];
    res.render('quickbooks/conflicts', { title: 'QuickBooks conflicts', conflicts, active });
  });

  router.post('/quickbooks/retry-failed', async (req: Request, res: Response) => {
    try {
      const n = await deps.resolver.retryFailed();
      flash(req, 'success', n ? `${n} failed record(s) queued again.` : 'No failed records to retry.');
    } catch (err) {
      if (!(err instanceof QuickBooksError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, '/admin/settings/quickbooks');
  });

  return router;
}
