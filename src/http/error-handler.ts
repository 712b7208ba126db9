import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { AppError, NotFoundError } from './errors.js';

export const notFound: RequestHandler = (_req, _res, next) => next(new NotFoundError());

function wantsJson(req: Parameters<RequestHandler>[0]): boolean {
  return (
    req.path.startsWith('/webhooks/') || (req.accepts(['html', 'json']) === 'json' && !req.accepts('html'))
  );
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a NUL byte, a number out of range, text too long for
 * its column) mean the request carried a value no column can hold. The edge refuses the known shapes
 * (bad-bytes.ts, records/params.ts); this catches the rest as the client's error, never a 500.
 */
function isDataException(err: any): boolean {
  return (
    typeof err?.code === 'string' && /^22[0-9A-Z]{3}$/.test(err.code) && typeof err?.severity === 'string'
  );
}

/** A path for the log: the secret of a one-time link (invitation, password reset) never reaches it. */
export function loggedPath(path: string): string {
  return path.replace(/^\/(invitations|password-resets)\/[^/]+/, '/$1/[redacted]');
}

/** The last middleware: one place that decides what a failure looks like to the user and to the log. */
export function errorHandler(logger: Logger, showStacks: boolean): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (isDataException(err)) {
      logger.warn(
        { code: err.code, path: loggedPath(req.path), method: req.method },
        'value refused by the database',
      );
      err = new AppError('The request contains a value Heavy AV cannot store. Check what you entered.', {
        status: 400,
        code: 'bad_value',
      });
    }
    const known = err instanceof AppError;
    // csurf and body parsers throw http-errors with status/statusCode and an expose flag.
    const status: number = known ? err.status : Number(err?.status ?? err?.statusCode ?? 500);
    let message: string;
    if (err?.code === 'EBADCSRFTOKEN') {
      message =
        'This form has expired or did not come from this site. Go back, reload the page and try again.';
    } else if (known ? err.expose : err?.expose && status < 500) {
      message = err.message;
    } else if (status === 413) {
      message = 'The request is too large.';
    } else {
      message = 'Something went wrong on our side. It has been logged; please try again.';
    }
    if (status >= 500)
      logger.error({ err, path: loggedPath(req.path), method: req.method }, 'request failed');
    else logger.debug({ code: err?.code, status, path: loggedPath(req.path) }, 'request refused');
    if (res.headersSent) return;
    res.status(status);
    if (wantsJson(req)) {
      res.json({ error: known ? err.code : (err?.code ?? 'error'), message });
      return;
    }
    const view = status === 404 ? 'errors/404' : status === 403 ? 'errors/403' : 'errors/error';
    res.render(view, {
      title: status === 404 ? 'Page not found' : status === 403 ? 'Not allowed' : 'Something went wrong',
      status,
      message,
      // Stack traces help a developer on their own machine and nobody else: shown only with
      // NODE_ENV=development set explicitly, never by a plain `npm start` (what self-hosters run).
      stack: showStacks && status >= 500 ? err?.stack : undefined,
    });
  };
}
