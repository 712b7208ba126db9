import express, { type Request, type Response, Router } from 'express';
import type { Books } from './accounting/entities.js';
import { QboFault } from './accounting/faults.js';
import { qboTimestamp } from './clock.js';
import { isObject } from './config.js';
import { describeRule, parseFaultRule } from './fault-injection.js';
import { type EntityName, entityName } from './model.js';
import type { EmulatorState } from './state.js';

/**
 * The emulator's own control API (SPEC.md "Control API"). Never recorded in the ledger, never throttled,
 * never hit by injected faults: it is the test's hand, not part of Intuit.
 */
export function controlRouter(state: EmulatorState): Router {
  const r = Router();
  r.use(express.json({ type: () => true, limit: '5mb' }));

  r.get('/ledger', (_req, res) => void res.json(state.ledger));
  r.delete('/ledger', (_req, res) => void res.json({ cleared: state.ledger.splice(0).length }));

  r.get('/faults', (_req, res) => void res.json(state.faults.map(describeRule)));
  r.post('/faults', (req, res) => {
    try {
      const rule = parseFaultRule(req.body);
      state.faults.push(rule);
      res.status(201).json(describeRule(rule));
    } catch (err) {
      badRequest(res, err);
    }
  });
  r.delete('/faults', (_req, res) => void res.json({ cleared: state.faults.splice(0).length }));

  r.get('/companies', (_req, res) => {
    res.json(
      [...state.companies.values()].map((c) => ({
        realmId: c.realmId,
        name: c.name,
        connected: state.grants.hasLiveGrant(c.realmId),
      })),
    );
  });
  r.get('/grants', (_req, res) => {
    res.json(
      state.grants
        .liveGrants()
        .map((g) => ({ realmId: g.realmId, scope: g.scope, connectedSince: qboTimestamp(g.createdAt) })),
    );
  });
  r.post('/companies/:realmId/revoke', (req, res) => {
    if (!state.companies.has(req.params.realmId))
      return void res.status(404).json({ error: 'unknown realmId' });
    res.json({ revoked: state.grants.revokeRealm(req.params.realmId) });
  });

  r.get('/companies/:realmId/entities/:entity', (req, res) => {
    const target = resolve(state, req, res);
    if (target) res.json([...target.books.company.entities[target.name].values()]);
  });
  r.post('/companies/:realmId/entities/:entity', (req, res) => {
    const target = resolve(state, req, res);
    if (target) edit(res, 201, () => target.books.create(target.name, body(req), { insideQuickBooks: true }));
  });
  r.post('/companies/:realmId/entities/:entity/:id', (req, res) => {
    const target = resolve(state, req, res);
    if (!target) return;
    const { books, name } = target;
    const id = String(req.params.id);
    const op = String(req.query.operation ?? '').toLowerCase();
    // Edits "inside QuickBooks" need no SyncToken: the user in QBO always edits the latest version.
    const inside = { skipSyncToken: true, insideQuickBooks: true };
    if (op === 'delete') return edit(res, 200, () => books.delete(name, { Id: id }, inside));
    if (op === 'void') return edit(res, 200, () => books.void(name, { Id: id }, inside));
    edit(res, 200, () => books.update(name, { ...body(req), Id: id, sparse: true }, inside));
  });

  r.get('/config', (_req, res) => void res.json(state.config));
  r.post('/config', (req, res) => {
    try {
      res.json(state.updateConfig(req.body ?? {}));
    } catch (err) {
      badRequest(res, err);
    }
  });

  r.get('/webhooks', (_req, res) => void res.json(state.webhooks.deliveries));
  r.use((_req, res) => void res.status(404).json({ error: 'unknown control API route' }));
  return r;
}

function resolve(
  state: EmulatorState,
  req: Request,
  res: Response,
): { books: Books; name: EntityName } | undefined {
  const books = state.booksFor(String(req.params.realmId));
  const name = entityName(String(req.params.entity));
  if (!books || !name) {
    res.status(404).json({ error: books ? `unknown entity ${req.params.entity}` : 'unknown realmId' });
    return undefined;
  }
  return { books, name };
}

function body(req: Request): Record<string, any> {
  return isObject(req.body) ? req.body : {};
}

function edit(res: Response, status: number, fn: () => unknown): void {
  try {
    res.status(status).json(fn());
  } catch (err) {
    if (err instanceof QboFault) return void res.status(err.status).json({ Fault: err.toFault() });
    throw err;
  }
}

function badRequest(res: Response, err: unknown): void {
  res.status(400).json({ error: err instanceof Error ? err.message : String(err) });
}
