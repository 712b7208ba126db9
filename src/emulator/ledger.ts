import type { NextFunction, Request, Response } from 'express';
import { qboTimestamp } from './clock.js';
import { realmFromPath } from './http.js';
import type { EmulatorState } from './state.js';

export interface LedgerEntry {
  time: string;
  method: string;
  path: string;
  realmId: string | null;
  /** The status sent; 0 when the connection was dropped without an answer. */
  status: number;
  requestid: string | null;
}

/**
 * Records every request on Intuit's surfaces once it is answered (or dropped). Handlers that learn the realm
 * later (token endpoint, My Apps) set `res.locals.realmId`.
 */
export function ledgerMiddleware(state: EmulatorState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const arrived = state.clock.now();
    // Captured now: routers mounted under a prefix rewrite req.url while they run.
    const path = req.path;
    const requestid = typeof req.query.requestid === 'string' ? req.query.requestid : null;
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      state.ledger.push({
        time: qboTimestamp(arrived, true),
        method: req.method,
        path,
        realmId: (res.locals.realmId as string | undefined) ?? realmFromPath(path),
        status: res.writableFinished || res.headersSent ? res.statusCode : 0,
        requestid,
      });
    };
    res.on('finish', record);
    res.on('close', record);
    next();
  };
}
