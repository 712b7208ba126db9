import { Router } from 'express';
import { clientAddress } from '../http/client-address.js';
import { AppError, NotFoundError, ValidationError } from '../http/errors.js';
import { flash } from '../http/flash.js';
import type { Logger } from '../logger.js';
import { type AuthService, TooManyAttemptsError } from './auth-service.js';
import { safeReturnTo, startSignedInSession } from './middleware.js';
import type { SetupCode } from './setup-code.js';
import type { UsersRepository } from './users-repository.js';

export interface AuthRoutesDeps {
  auth: AuthService;
  users: UsersRepository;
  setupCode: SetupCode;
  logger: Logger;
}

function field(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();

  router.get('/admin/login', async (req, res) => {
    if ((await deps.users.count()) === 0) return res.redirect(303, '/admin/setup');
    if (req.session.user) return res.redirect(303, '/admin');
    res.render('auth/login', { title: 'Sign in', email: '', error: undefined });
  });

  router.post('/admin/login', async (req, res, next) => {
    const email = field(req.body?.email);
    try {
      const user = await deps.auth.authenticate(email, field(req.body?.password), clientAddress(req));
      const returnTo = safeReturnTo(req.session.returnTo);
      // A new session id at sign-in: an id planted before login (session fixation) is worth nothing after.
      req.session.regenerate((err) => {
        if (err) return next(err);
        startSignedInSession(req, user);
        req.session.save((saveErr) => {
          if (saveErr) return next(saveErr);
          deps.logger.info({ userId: user.id }, 'signed in');
          res.redirect(303, returnTo);
        });
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      deps.logger.info({ code: err.code }, 'sign-in refused');
      if (err instanceof TooManyAttemptsError) res.set('Retry-After', String(err.retryAfterSeconds));
      res.status(err.status).render('auth/login', { title: 'Sign in', email, error: err.message });
    }
  });

  router.post('/admin/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('heavyav.sid');
      res.redirect(303, '/admin/login');
    });
  });

  // First run only: while no user exists. Afterwards the page does not exist (404).
  const firstRunOnly = async () => {
    if ((await deps.users.count()) > 0 || !deps.setupCode.value) throw new NotFoundError();
  };

  router.get('/admin/setup', async (_req, res) => {
    await firstRunOnly();
    res.render('auth/setup', { title: 'Set up Heavy AV', values: {}, errors: {} });
  });

  router.post('/admin/setup', async (req, res, next) => {
    await firstRunOnly();
    const values = { email: field(req.body?.email) };
    if (!deps.setupCode.matches(field(req.body?.setupCode))) {
      return res.status(422).render('auth/setup', {
        title: 'Set up Heavy AV',
        values,
        errors: { setupCode: 'That setup code is not right. Copy it from the server log.' },
      });
    }
    try {
      const user = await deps.auth.createFirstAdmin({
        email: values.email,
        password: field(req.body?.password),
      });
      deps.setupCode.consume();
      // A parallel request with the same code won: this one creates nothing.
      if (!user) throw new NotFoundError();
      deps.logger.info({ userId: user.id }, 'first admin created through setup');
      req.session.regenerate((err) => {
        if (err) return next(err);
        startSignedInSession(req, user);
        flash(req, 'success', 'Welcome! Your admin account is ready.');
        req.session.save(() => res.redirect(303, '/admin'));
      });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(422).render('auth/setup', { title: 'Set up Heavy AV', values, errors: err.fields });
    }
  });

  return router;
}
