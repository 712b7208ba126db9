/**
 * CSRF protection behind one small module, because csurf is archived upstream: if it has to be replaced,
 * only this file changes. Session mode (the secret lives in the server-side session, no extra cookie).
 * See docs/decisions/002-csurf-in-session-mode.md.
 */
import csurf from 'csurf';
import type { RequestHandler } from 'express';

export function csrfProtection(): RequestHandler {
  const protect = csurf({ cookie: false });
  return (req, res, next) => {
    protect(req, res, (err?: unknown) => {
      if (err) return next(err);
      // Every view gets the token; every form renders it as a hidden _csrf field.
      res.locals.csrfToken = req.csrfToken();
      next();
    });
  };
}
