import { type Request, type RequestHandler, type Response, Router } from 'express';
import { TooManyAttemptsError } from '../auth/auth-service.js';
import { requireUser, type SessionUser } from '../auth/middleware.js';
import type { User } from '../auth/users-repository.js';
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
    const role = invitation.role === 'admin' ? 'an admin' : 'staff';
    res.render('users/set-password', joinPage({ email: invitation.email, role, errors: {} }));
  });

  router.post('/invitations/:token', async (req, res) => {
    await setPassword(req, res, {
      save: () => users.acceptInvitation(req.params.token, field(req.body?.newPassword)),
      done: (user) => `Your account is ready, ${user.email}. Sign in with your new password.`,
      page: async (errors) => joinPage({ email: (await users.invitation(req.params.token)).email, errors }),
    });
  });

  router.get('/password-resets/:token', async (req, res) => {
    const reset = await users.reset(req.params.token);
    res.render('users/set-password', resetPage({ email: reset.email, errors: {} }));
  });

  router.post('/password-resets/:token', async (req, res) => {
    await setPassword(req, res, {
      save: () => users.completeReset(req.params.token, field(req.body?.newPassword)),
      done: () => 'Your new password is set. Sign in with it.',
      page: async (errors) => resetPage({ email: (await users.reset(req.params.token)).email, errors }),
    });
  });

  return router;
}

type Errors = Record<string, string>;

/** The set-password page of an invitation (the role is named on the first visit only). */
function joinPage(p: { email: string; role?: string; errors: Errors }) {
  return {
    title: 'Join Heavy AV',
    email: p.email,
    intro: p.role
      ? `You are invited as ${p.role}. Choose a password to finish.`
      : 'Choose a password to finish.',
    button: 'Create my account',
    errors: p.errors,
  };
}

function resetPage(p: { email: string; errors: Errors }) {
  return {
    title: 'Set a new password',
    email: p.email,
    intro:
      p.errors && Object.keys(p.errors).length
        ? 'Choose a new password.'
        : 'Choose a new password. You will be signed out everywhere else.',
    button: 'Set my password',
    errors: p.errors,
  };
}

/** A one-time link's password form posted: saved → sign-in page; refused → the form again with the reason. */
async function setPassword(
  req: Request,
  res: Response,
  step: {
    save: () => Promise<User>;
    done: (user: User) => string;
    page: (errors: Errors) => Promise<object>;
  },
): Promise<void> {
  try {
    const user = await step.save();
    flash(req, 'success', step.done(user));
    res.redirect(303, '/admin/login');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    res.status(422).render('users/set-password', await step.page(err.fields));
  }
}
