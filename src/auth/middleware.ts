import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../http/errors.js';
import type { Role, UsersRepository } from './users-repository.js';

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
}

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
    returnTo?: string;
    /** When the user signed in (ms since the epoch): the session's absolute lifetime counts from here. */
    signedInAt?: number;
  }
}

/**
 * How long a sign-in lasts at most, however often it is used. The cookie renews for 8 hours at each
 * request (http/session.ts); without this cap a session in daily use would never end, and a stolen
 * cookie would stay good for as long as the thief kept it warm. A constant, not a setting: nobody has
 * needed another value, and a shorter one is a one-line change.
 */
export const SESSION_ABSOLUTE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** Puts a freshly signed-in user in the session (after regenerate). */
export function startSignedInSession(req: Request, user: SessionUser, now = Date.now()): void {
  req.session.user = { id: user.id, email: user.email, role: user.role };
  req.session.signedInAt = now;
}

/**
 * Reads the signed-in user from the database on every request, so a role change or a deleted account
 * takes effect at once (a demoted admin loses admin rights on their next click, not at sign-out), and
 * ends a session older than SESSION_ABSOLUTE_LIFETIME_MS, of a deactivated user, or from before the
 * user's password last changed. The session keeps only the id as the truth.
 */
export function loadCurrentUser(
  users: Pick<UsersRepository, 'findById'>,
  now: () => number = Date.now,
): RequestHandler {
  return async (req, _res, next) => {
    const signedIn = req.session?.user;
    if (!signedIn) return next();
    // Sessions from before the absolute lifetime existed start counting now.
    req.session.signedInAt ??= now();
    const expired = now() - req.session.signedInAt > SESSION_ABSOLUTE_LIFETIME_MS;
    const found = expired ? undefined : await users.findById(signedIn.id);
    // Deactivated, or signed in before a password change, a reset or a deactivation: the session ends.
    const ended =
      !found?.active ||
      (found.sessionsValidAfter !== null && req.session.signedInAt < Date.parse(found.sessionsValidAfter));
    const user = ended ? undefined : found;
    if (!user) {
      delete req.session.user;
      delete req.session.signedInAt;
      return next();
    }
    if (user.role !== signedIn.role || user.email !== signedIn.email) {
      req.session.user = { id: user.id, email: user.email, role: user.role };
    }
    next();
  };
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
