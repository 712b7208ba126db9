import type { Request, RequestHandler } from 'express';

export type FlashKind = 'success' | 'error' | 'info';
export interface FlashMessage {
  kind: FlashKind;
  text: string;
}

declare module 'express-session' {
  interface SessionData {
    flash?: FlashMessage[];
  }
}

/** Messages that survive one redirect (post/redirect/get). */
export function flash(req: Request, kind: FlashKind, text: string): void {
  if (!req.session) return;
  req.session.flash = [...(req.session.flash ?? []), { kind, text }];
}

export const flashLocals: RequestHandler = (req, res, next) => {
  res.locals.flash = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  next();
};
