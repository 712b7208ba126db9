import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * Intuit answers successes with `application/json;charset=utf-8` and errors with `application/json`; the
 * bytes are written here directly so that Express does not rewrite the header.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  sendRaw(res, status, JSON.stringify(body));
}

export function sendRaw(res: Response, status: number, text: string): void {
  res.status(status);
  res.setHeader('Content-Type', status < 400 ? 'application/json;charset=utf-8' : 'application/json');
  res.setHeader('Cache-Control', 'no-cache, no-store');
  res.end(text);
}

export function sendHtml(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  // No script anywhere on the emulator's pages. form-action is left open on purpose: browsers apply it to
  // the redirect that follows a form post, and the consent/disconnect forms redirect to the app's origin.
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  );
  res.end(html);
}

/** Every Intuit answer carries a transaction id that apps log; the control API gets one too (harmless). */
export function intuitTid(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('intuit_tid', `1-${randomUUID().replace(/-/g, '').slice(0, 24)}`);
  next();
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Reads `realmId` from an Accounting API path, for the ledger. */
export function realmFromPath(path: string): string | null {
  const m = /^\/v3\/company\/([^/]+)/.exec(path);
  return m ? decodeURIComponent(m[1]) : null;
}
