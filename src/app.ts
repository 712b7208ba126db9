/**
 * createApp(deps): the whole HTTP surface, without listening. server.ts wires the deps and listens;
 * tests hand the app to supertest with their own deps (fresh database, emulator URL, clock).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type session from 'express-session';
import type { AuthService } from './auth/auth-service.js';
import { loadCurrentUser, requireAdmin, requireUser } from './auth/middleware.js';
import { authRoutes } from './auth/routes.js';
import type { SetupCode } from './auth/setup-code.js';
import type { UsersRepository } from './auth/users-repository.js';
import type { Config } from './config.js';
import { healthRoutes } from './health/routes.js';
import { helpRoutes } from './help/routes.js';
import { refuseBadBytes } from './http/bad-bytes.js';
import { csrfProtection } from './http/csrf.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { flashLocals } from './http/flash.js';
import { type RawRoute, takeRawRoutesFirst } from './http/raw-routes.js';
import { noStore, securityHeaders } from './http/security.js';
import { sessionMiddleware } from './http/session.js';
import { utcMinutes, utcSeconds } from './http/time-format.js';
import { createFormatters } from './locale/format.js';
import type { Logger } from './logger.js';

/** The folder with package.json, views/ and public/: one level above src/ (tsx), two above dist/src/ (compiled). */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}
const root = projectRoot(path.dirname(fileURLToPath(import.meta.url)));

export interface AppDeps {
  config: Config;
  /** Resolves when the database answers (GET /healthz). */
  pingDatabase: () => Promise<void>;
  logger: Logger;
  sessionStore: session.Store;
  users: UsersRepository;
  auth: AuthService;
  setupCode: SetupCode;
  /** Origins the browser may be sent to by a form post (Intuit's consent page). */
  formActionOrigins?: string[];
  /**
   * Requests taken before Express sees them (the webhook receiver, decision 018): no session, CSRF, body
   * parser or page headers; they bring their own checks.
   */
  rawRoutes?: RawRoute[];
  /** Machine endpoints beside /healthz (e.g. /metrics): no session, no body parsing; they bring their own checks. */
  probeRouters?: Router[];
  /** Routers for signed-in users (staff and admins), mounted after session, CSRF and requireUser. */
  userRouters?: Router[];
  /** Routers for admins only, mounted after requireAdmin. */
  adminRouters?: Router[];
  /** Routers that need a session (and CSRF) but no sign-in, e.g. Intuit's browser redirects. */
  sessionRouters?: Router[];
  /** Middleware for every page after the session (e.g. banners for admins). */
  pageMiddleware?: RequestHandler[];
  /** Values every view can read (e.g. whether the local emulator is in use). */
  locals?: Record<string, unknown>;
}

/** The /admin forms that are posted without being signed in (relative to /admin). */
const OPEN_ADMIN_POSTS = new Set(['/login', '/setup', '/logout']);

export function createApp(deps: AppDeps): Express {
  const app = express();
  const { config } = deps;
  app.set('views', path.join(root, 'views'));
  app.set('view engine', 'ejs');
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  Object.assign(app.locals, {
    appName: 'Heavy AV',
    support: config.support,
    intuitEnvironment: config.intuit.environment,
    utcMinutes,
    utcSeconds,
    // Money, dates and times in the company's currency, locale and time zone, for every view.
    fmt: createFormatters(config.company),
    ...deps.locals,
  });

  // Webhooks come first: before the session, the body parsers and CSRF (they need the raw body for the
  // signature check and must never create a session), before the page-oriented security headers and
  // static files, and before Express's own work per request (decision 018).
  takeRawRoutesFirst(app, deps.rawRoutes ?? []);
  app.use(securityHeaders({ formActionOrigins: deps.formActionOrigins ?? [], https: config.secureCookies }));
  app.use(express.static(path.join(root, 'public'), { index: false, maxAge: '1h' }));
  app.use(healthRoutes(deps));
  // Before the session: a scrape every few seconds must never create (or touch) a session row.
  for (const router of deps.probeRouters ?? []) app.use(router);

  app.use(express.urlencoded({ extended: true, limit: '200kb', parameterLimit: 2000 }));
  // Before the session: a request with a NUL byte is refused without creating or touching one.
  app.use(refuseBadBytes);
  // Session before CSRF: csurf keeps its secret in the session.
  app.use(
    sessionMiddleware({
      store: deps.sessionStore,
      secret: config.sessionSecret,
      secure: config.secureCookies,
    }),
  );
  // Who is signed in, read from the database on every request (roles, deleted accounts, the absolute
  // lifetime): before anything that decides by req.session.user.
  app.use(loadCurrentUser(deps.users));
  // A visitor who is not signed in (often a session that expired while a form was open) is sent to sign
  // in, as a GET would be, rather than shown CSRF's "form expired" page: no /admin form is theirs to post.
  app.use('/admin', (req, res, next) => {
    if (req.session.user || req.method === 'GET' || req.method === 'HEAD' || OPEN_ADMIN_POSTS.has(req.path))
      return next();
    res.redirect(303, '/admin/login');
  });
  app.use(csrfProtection());
  app.use(flashLocals);
  app.use((req, res, next) => {
    res.locals.currentUser = req.session.user;
    res.locals.path = req.path;
    next();
  });
  for (const mw of deps.pageMiddleware ?? []) app.use(mw);

  app.use(helpRoutes());
  for (const router of deps.sessionRouters ?? []) app.use(router);
  app.use('/admin', noStore);
  app.use(authRoutes(deps));

  const users = express.Router();
  users.use(requireUser);
  for (const router of deps.userRouters ?? []) users.use(router);
  app.use('/admin', users);

  const admins = express.Router();
  admins.use(requireUser, requireAdmin);
  for (const router of deps.adminRouters ?? []) admins.use(router);
  app.use('/admin/settings', admins);

  app.get('/', (req, res) => res.redirect(303, req.session.user ? '/admin' : '/admin/login'));
  app.use(notFound);
  app.use(errorHandler(deps.logger, config.showErrorDetails));
  return app;
}
