import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { qboTimestamp } from '../clock.js';
import { sendJson, sendRaw } from '../http.js';
import { entityName } from '../model.js';
import type { EmulatorState } from '../state.js';
import { runBatch } from './batch.js';
import { runCdc } from './cdc.js';
import type { Books } from './entities.js';
import { authenticationFailed, faults, QboFault, throttleExceededXml } from './faults.js';
import { preferencesOf } from './preferences.js';
import { queryBody } from './query.js';

interface Answer {
  status: number;
  body: unknown;
}

/** Intuit documents ≤ 50 characters for `requestid`; on the batch endpoint it refuses more than 36. */
const REQUEST_ID_MAX = 50;
const BATCH_REQUEST_ID_MAX = 36;

/**
 * Accounting API v3 under /v3/company/:realmId. Order matters and mirrors Intuit: authenticate, then
 * throttle (per company), then latency inside the concurrency slot, then `requestid` replay, then the work.
 */
export function accountingRouter(state: EmulatorState): Router {
  const router = Router({ mergeParams: true });
  router.use(express.text({ type: () => true, limit: '10mb' }));
  router.use((req, res, next) => authenticate(state, req, res, next));
  router.use((req, res, next) => throttle(state, req, res, next));

  router.post(
    '/batch',
    handle(state, (books, req) => ok({ BatchItemResponse: runBatch(books, parseJson(req)) })),
  );
  router.get(
    '/query',
    handle(state, (books, req) => ok(queryBody(books.company, String(req.query.query ?? ''), now(state)))),
  );
  router.post(
    '/query',
    handle(state, (books, req) => ok(queryBody(books.company, queryText(req), now(state)))),
  );
  router.get(
    '/cdc',
    handle(state, (books, req) =>
      ok(runCdc(books.company, req.query.entities, req.query.changedSince, now(state))),
    ),
  );
  router.get(
    '/companyinfo/:id',
    handle(state, (books, req) => {
      if (req.params.id !== books.company.realmId && req.params.id !== '1') throw faults.notFound();
      return ok({ CompanyInfo: books.company.companyInfo });
    }),
  );
  // Read-only: Heavy AV reads the home currency (CurrencyPrefs.HomeCurrency) from it.
  router.get(
    '/preferences',
    handle(state, (books) => ok({ Preferences: preferencesOf(books.company) })),
  );
  router.get(
    '/:entity/:id',
    handle(state, (books, req) => {
      const name = knownEntity(req);
      return ok({ [name]: books.read(name, String(req.params.id)) });
    }),
  );
  router.post(
    '/:entity',
    handle(state, (books, req) => write(books, req)),
  );
  router.use(
    handle(state, (_books, req) => {
      throw faults.unsupportedOperation(
        `Operation ${req.method} ${req.originalUrl.split('?')[0]} is not supported.`,
      );
    }),
  );
  return router;
}

function write(books: Books, req: Request): Answer {
  const name = knownEntity(req);
  const body = parseJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw faults.invalidProperty('The request body must be a JSON object');
  }
  const operation = String(req.query.operation ?? '').toLowerCase();
  const allowDuplicateDocNum = String(req.query.include ?? '').toLowerCase() === 'allowduplicatedocnum';
  if (operation === 'delete') return ok({ [name]: books.delete(name, body) });
  if (operation === 'void' || String(req.query.include ?? '').toLowerCase() === 'void') {
    return ok({ [name]: books.void(name, body) });
  }
  if (operation === 'update') {
    if (body.Id === undefined) throw faults.requiredParam('Id');
    return ok({ [name]: books.update(name, body, { allowDuplicateDocNum }) });
  }
  if (operation && operation !== 'create')
    throw faults.unsupportedOperation(`Unknown operation ${operation}`);
  return ok({ [name]: books.create(name, body, { allowDuplicateDocNum }) });
}

function knownEntity(req: Request) {
  const name = entityName(String(req.params.entity));
  if (!name)
    throw faults.unsupportedOperation(`Entity ${req.params.entity} is not supported by the emulator.`);
  return name;
}

function ok(body: Record<string, unknown>): Answer {
  return { status: 200, body };
}

function now(state: EmulatorState): number {
  return state.clock.now();
}

function parseJson(req: Request): any {
  const text = typeof req.body === 'string' ? req.body : '';
  if (!text.trim()) throw faults.invalidProperty('The request body is empty');
  try {
    return JSON.parse(text);
  } catch {
    throw new QboFault(
      '2010',
      'Request has invalid or unsupported property',
      'Error parsing JSON request body',
    );
  }
}

/** node-quickbooks and Intuit's docs POST the query as `application/text`; a JSON-quoted string is tolerated. */
function queryText(req: Request): string {
  const text = typeof req.body === 'string' ? req.body.trim() : '';
  if (text.startsWith('"')) {
    try {
      return String(JSON.parse(text));
    } catch {
      return text;
    }
  }
  return text || String(req.query.query ?? '');
}

/**
 * Wraps a handler: QboFaults become 400 Fault bodies; the answer is stored for `requestid` replay before it
 * is sent, so a retry gets the same status and bytes and causes no second write.
 */
function handle(state: EmulatorState, fn: (books: Books, req: Request) => Answer) {
  return (req: Request, res: Response) => {
    const books = state.booksFor(String(req.params.realmId ?? res.locals.realmId))!;
    const requestId = typeof req.query.requestid === 'string' ? req.query.requestid : undefined;
    if (requestId !== undefined) {
      const max = /^\/batch\/?$/i.test(req.path) ? BATCH_REQUEST_ID_MAX : REQUEST_ID_MAX;
      if (requestId.length > max || requestId.length === 0) {
        return sendJson(
          res,
          400,
          faults.invalidProperty(`requestid must be 1 to ${max} characters`).body(now(state)),
        );
      }
      const stored = books.company.replays.get(requestId);
      if (stored) return sendRaw(res, stored.status, stored.body);
    }
    let answer: Answer;
    try {
      answer = fn(books, req);
      (answer.body as Record<string, unknown>).time ??= qboTimestamp(now(state), true);
    } catch (err) {
      if (!(err instanceof QboFault)) throw err;
      answer = { status: err.status, body: err.body(now(state)) };
    }
    const text = JSON.stringify(answer.body);
    if (requestId !== undefined) books.company.replays.set(requestId, { status: answer.status, body: text });
    sendRaw(res, answer.status, text);
  };
}

function authenticate(state: EmulatorState, req: Request, res: Response, next: NextFunction) {
  const realmId = String(req.params.realmId);
  const header = req.headers.authorization ?? '';
  const token = /^bearer /i.test(header) ? header.slice(7).trim() : '';
  let detail = 'Token invalid: no bearer token in the Authorization header';
  if (token) {
    const check = state.grants.checkAccess(token);
    if (check.ok && check.grant.realmId === realmId && state.companies.has(realmId)) return next();
    detail = check.ok ? `Token invalid: the token was not issued for company ${realmId}` : check.detail;
  }
  res.setHeader('WWW-Authenticate', 'Bearer realm="Intuit", error="invalid_token"');
  sendJson(res, 401, authenticationFailed(detail, state.clock.now()));
}

async function throttle(
  state: EmulatorState,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const isBatch = req.method === 'POST' && /^\/batch\/?$/i.test(req.path);
  const release = state.throttle.acquire(String(req.params.realmId), isBatch);
  if (!release) {
    res.status(429).setHeader('Content-Type', 'application/xml');
    return void res.end(throttleExceededXml(state.clock.now()));
  }
  res.on('close', release);
  res.on('finish', release);
  await state.clock.sleep(state.config.latencyMs);
  next();
}
