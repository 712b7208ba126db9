import type { NextFunction, Request, Response } from 'express';
import { isObject } from './config.js';
import type { EmulatorState } from './state.js';

export interface FaultRule {
  id: number;
  match: { method?: string; path: string };
  /** How many more matching requests this rule will hit. */
  remaining: number;
  respond: {
    status?: number;
    body?: unknown;
    empty?: boolean;
    malformed?: boolean;
    delayMs?: number;
    drop?: boolean;
  };
  pattern: RegExp;
}

let nextId = 1;

/** Validates a `POST /__emulator/faults` body; throws a readable Error for the control API's 400. */
export function parseFaultRule(input: unknown): FaultRule {
  if (!isObject(input) || !isObject(input.match) || !isObject(input.respond)) {
    throw new Error('expected {"match": {"method", "path"}, "times": N, "respond": {...}}');
  }
  const { match, respond } = input;
  if (typeof match.path !== 'string') throw new Error('match.path must be a regular expression string');
  if (match.method !== undefined && typeof match.method !== 'string')
    throw new Error('match.method must be a string');
  const times = input.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
  const r = respond as FaultRule['respond'];
  const hasAction = r.drop || r.status !== undefined || r.delayMs !== undefined;
  if (!hasAction) throw new Error('respond needs status, delayMs or drop');
  if (r.status !== undefined && (!Number.isInteger(r.status) || r.status < 100 || r.status > 599)) {
    throw new Error('respond.status must be an HTTP status code');
  }
  if (r.delayMs !== undefined && (typeof r.delayMs !== 'number' || r.delayMs < 0)) {
    throw new Error('respond.delayMs must be a non-negative number');
  }
  return {
    id: nextId++,
    match: { method: match.method?.toUpperCase(), path: match.path },
    remaining: times,
    respond: r,
    pattern: new RegExp(match.path),
  };
}

/** Public view of a rule, for `GET /__emulator/faults`. */
export function describeRule(rule: FaultRule) {
  return { id: rule.id, match: rule.match, remaining: rule.remaining, respond: rule.respond };
}

/**
 * Runs before every Intuit surface (after the ledger, so faulted requests are recorded with the status they
 * got). The first rule that matches consumes one of its `times`; a rule is spent at 0 and removed.
 * `delayMs` is real milliseconds, not Intuit time: it exists to exercise the app's real timeouts.
 */
export function faultInjection(state: EmulatorState) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const rule = state.faults.find(
      (f) => (!f.match.method || f.match.method === req.method) && f.pattern.test(req.path),
    );
    if (!rule) return next();
    rule.remaining -= 1;
    if (rule.remaining <= 0) state.faults.splice(state.faults.indexOf(rule), 1);
    const r = rule.respond;
    if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
    if (r.drop) {
      req.socket.destroy();
      return;
    }
    if (r.status === undefined) return next();
    res.status(r.status);
    if (r.empty) {
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    if (r.malformed) {
      // Looks like the start of a real answer, cut off mid-token: JSON.parse must fail.
      res.end('{"QueryResponse":{"Customer":[{"Id":"1","DisplayName":"trunc');
      return;
    }
    if (r.body === undefined) {
      res.end('');
      return;
    }
    if (typeof r.body === 'string') {
      if (!looksLikeJson(r.body)) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(r.body);
      return;
    }
    res.end(JSON.stringify(r.body));
  };
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
