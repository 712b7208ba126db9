import { type Request, type RequestHandler, type Response, Router } from 'express';
import { TooManyAttemptsError } from '../auth/auth-service.js';
import { requireUser, type SessionUser } from '../auth/middleware.js';
import { clientAddress } from '../http/client-address.js';
import { ForbiddenError, ValidationError } from '../http/errors.js';
import { flash } from '../http/flash.js';
import { noStore } from '../http/security.js';
import { recordId } from '../records/params.js';
import type { IssuedLink, UsersService } from './users-service.js';

function field(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function actor(req: Request): SessionUser {
  return req.session.user!;
}

const requireAdminForUsers: RequestHandler = (req, _res, next) => {
  if (req.session?.user?.role !== 'admin') return next(new ForbiddenError('Only admins can manage users.'));
  next();
};

/**
 * People: the admins' users page, everyone's own password, and the one-time links (invitation, reset)
 * that work without being signed in. Mounted after the session and CSRF.
 */
export function usersRoutes({ users }: { users: UsersService }): Router {
  const router = Router();
  // The links carry a secret in the URL and the pages show who is invited: never cached.
  router.use(['/invitations', '/password-resets', '/admin/users', '/admin/account'], noStore);
  router.use('/admin/users', requireUser, requireAdminForUsers);
  router.use('/admin/account', requireUser);

  const renderUsers = async (
    req: Request,
    res: Response,
    status: number,
    extra: {
      issued?: IssuedLink & { kind: 'invitation' | 'reset' };
      error?: string;
      values?: object;
      errors?: Record<string, string>;
    } = {},
  ) => {
    res.status(status).render('users/index', {
      title: 'Users',
      people: await users.list(),
      invitations: await users.openInvitations(),
      me: actor(req),
      values: { email: '', role: 'staff' },
      errors: {},
      ...extra,
    });
  };

  router.get('/admin/users', (req, res) => renderUsers(req, res, 200));

  router.post('/admin/users/invitations', async (req, res) => {
    const values = { email: field(req.body?.email), role: field(req.body?.role) || 'staff' };
    try {
      const issued = await users.invite(actor(req), values);
      // Rendered, not redirected: the link is a secret shown once, never stored in the session.
      await renderUsers(req, res, 201, { issued: { ...issued, kind: 'invitation' } });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUsers(req, res, 422, { values, errors: err.fields, error: err.message });
    }
  });

  router.post('/admin/users/:id/password-resets', async (req, res) => {
    try {
      const issued = await users.issueReset(actor(req), recordId(req.params.id));
      await renderUsers(req, res, 201, { issued: { ...issued, kind: 'reset' } });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUsers(req, res, 422, { error: err.message });
    }
  });

  router.post('/admin/users/:id', async (req, res) => {
    try {
      const updated = await users.updateAccess(actor(req), recordId(req.params.id), {
        role: typeof req.body?.role === 'string' ? req.body.role : undefined,
        active: typeof req.body?.active === 'string' ? req.body.active : undefined,
      });
      flash(req, 'success', `${updated.email}: ${updated.active ? updated.role : 'deactivated'}.`);
      res.redirect(303, '/admin/users');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUsers(req, res, 422, { error: `${err.message} ${Object.values(err.fields).join(' ')}` });
    }
  });

  router.get('/admin/account/password', (_req, res) =>
    res.render('users/password', { title: 'Change your password', errors: {} }),
  );

  router.post('/admin/account/password', async (req, res, next) => {
    try {
      const at = await users.changeOwnPassword(
        actor(req),
        { currentPassword: field(req.body?.currentPassword), newPassword: field(req.body?.newPassword) },
        clientAddress(req),
      );
      // Every other session of this user has ended; this one continues under a new id.
      const user = actor(req);
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.user = user;
        req.session.signedInAt = at.getTime();
        flash(req, 'success', 'Your password is changed. Other devices are signed out.');
        req.session.save(() => res.redirect(303, '/admin'));
      });
    } catch (err) {
      if (err instanceof TooManyAttemptsError) {
        res.set('Retry-After', String(err.retryAfterSeconds));
        return res.status(429).render('users/password', {
          title: 'Change your password',
          errors: { currentPassword: err.message },
        });
      }
      if (!(err instanceof ValidationError)) throw err;
      res.status(422).render('users/password', { title: 'Change your password', errors: err.fields });
    }
  });

  router.get('/invitations/:token', async (req, res) => {
    const invitation = await users.invitation(req.params.token);
    res.render('users/set-password', {
      title: 'Join Heavy AV',
      email: invitation.email,
      intro: `You are invited as ${invitation.role === 'admin' ? 'an admin' : 'staff'}. Choose a password to finish.`,
      button: 'Create my account',
      errors: {},
    });
  });

  router.post('/invitations/:token', async (req, res) => {
    try {
      const user = await users.acceptInvitation(req.params.token, field(req.body?.newPassword));
      flash(req, 'success', `Your account is ready, ${user.email}. Sign in with your new password.`);
      res.redirect(303, '/admin/login');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const invitation = await users.invitation(req.params.token);
      res.status(422).render('users/set-password', {
        title: 'Join Heavy AV',
        email: invitation.email,
        intro: 'Choose a password to finish.',
        button: 'Create my account',
        errors: err.fields,
      });
    }
  });

  router.get('/password-resets/:token', async (req, res) => {
    const reset = await users.reset(req.params.token);
    res.render('users/set-password', {
      title: 'Set a new password',
      email: reset.email,
      intro: 'Choose a new password. You will be signed out everywhere else.',
      button: 'Set my password',
      errors: {},
    });
  });

  router.post('/password-resets/:token', async (req, res) => {
    try {
      await users.completeReset(req.params.token, field(req.body?.newPassword));
      flash(req, 'success', 'Your new password is set. Sign in with it.');
      res.redirect(303, '/admin/login');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const reset = await users.reset(req.params.token);
      res.status(422).render('users/set-password', {
        title: 'Set a new password',
        email: reset.email,
        intro: 'Choose a new password.',
        button: 'Set my password',
        errors: err.fields,
      });
    }
  });

  return router;
}
