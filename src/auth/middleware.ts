import type { RequestHandler } from 'express';
import { ForbiddenError } from '../http/errors.js';
import type { Role } from './users-repository.js';

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
}

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
    returnTo?: string;
  }
}

/** Anonymous visitors go to the sign-in page and come back to what they asked for afterwards. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.session?.user) {
    res.locals.currentUser = req.session.user;
    return next();
  }
  if (req.method === 'GET') req.session.returnTo = req.originalUrl;
  res.redirect(303, '/admin/login');
};

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (req.session?.user?.role !== 'admin')
    return next(new ForbiddenError('Only admins can manage QuickBooks.'));
  next();
};

/** Only same-site paths, so a crafted ?returnTo cannot send a signed-in admin elsewhere. */
export function safeReturnTo(value: unknown): string {
  if (typeof value === 'string' && value.startsWith('/admin') && !value.startsWith('//')) return value;
  return '/admin';
}
