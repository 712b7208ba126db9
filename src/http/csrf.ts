/**
 * CSRF protection behind one small module, because csurf is archived upstream: if it has to be replaced,
 * only this file changes. Session mode (the secret lives in the server-side session, no extra cookie).
 * See docs/decisions/002-csurf-in-session-mode.md.
 */
import csurf from 'csurf';
import type { Request, RequestHandler } from 'express';

/**
 * Where a token is accepted: the form's `_csrf` field, or the `x-csrf-token` / `csrf-token` header (for
 * scripts). Never the query string (csurf's default also reads `?_csrf=`): URLs end up in logs, history
 * and Referer headers.
 */
function submittedToken(req: Request): string {
  const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof fromBody === 'string') return fromBody;
  return req.get('x-csrf-token') ?? req.get('csrf-token') ?? '';
}

export function csrfProtection(): RequestHandler {
  const protect = csurf({ cookie: false, value: submittedToken });
  return (req, res, next) => {
    const hadSecret = req.session?.csrfSecret !== undefined;
    protect(req, res, (err?: unknown) => {
      // csurf puts a new secret in the session of every visitor who has none, which would store a
      // session for every anonymous page view (a crawler, a health probe). Take it back out: the
      // secret (and so the session) is made only when a page renders a form's token, below.
      if (!hadSecret && req.session) delete req.session.csrfSecret;
      if (err) return next(err);
      // Lazy: EJS turns this into text (String(...)) only where a form prints <%= csrfToken %>.
      res.locals.csrfToken = { toString: () => req.csrfToken() };
      next();
    });
  };
}

declare module 'express-session' {
  interface SessionData {
    csrfSecret?: string;
  }
}
