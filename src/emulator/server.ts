import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { accountingRouter } from './accounting/router.js';
import { qboTimestamp } from './clock.js';
import { errorPage } from './consent-views.js';
import { controlRouter } from './control.js';
import { faultInjection } from './fault-injection.js';
import { escapeHtml, intuitTid, sendHtml, sendJson } from './http.js';
import { ledgerMiddleware } from './ledger.js';
import { myAppsRouter } from './myapps.js';
import { oauthRouter } from './oauth.js';
import { recordPagesRouter } from './record-pages.js';
import type { EmulatorState } from './state.js';

/** Builds the Express app (no listening here; index.ts owns the socket). */
export function createEmulatorApp(state: EmulatorState): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // 1. Every answer carries intuit_tid, injected faults included.
  app.use(intuitTid);
  // 2. The control API sits before the ledger and fault injection: it is not one of Intuit's surfaces.
  app.use('/__emulator', controlRouter(state));
  // 3. Ledger before faults, so a faulted request is still recorded with the status it got (0 = dropped).
  app.use(ledgerMiddleware(state));
  app.use(faultInjection(state));
  // 4. Intuit's surfaces.
  app.use(oauthRouter(state));
  app.use(myAppsRouter(state));
  app.use(recordPagesRouter(state));
  app.use('/v3/company/:realmId', accountingRouter(state));
  app.get('/', (_req, res) => sendHtml(res, 200, homePage(state)));

  app.use((req: Request, res: Response) => {
    if (req.accepts(['json', 'html']) === 'html') return sendHtml(res, 404, errorPage('Not found', req.path));
    sendJson(res, 404, { error: 'not_found' });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    state.log(`error on ${req.method} ${req.path}: ${err instanceof Error ? err.stack : String(err)}`);
    if (res.headersSent) return void res.end();
    if (status < 500) {
      return sendJson(res, status, {
        Fault: {
          Error: [{ Message: 'Bad Request', Detail: String((err as Error).message), code: '2010' }],
          type: 'ValidationFault',
        },
        time: qboTimestamp(state.clock.now(), true),
      });
    }
    // Intuit's generic system fault (fixtures/qbo/faults/system-fault-10000).
    sendJson(res, 500, {
      Fault: {
        Error: [
          {
            Message: 'An application error has occurred while processing your request',
            Detail: 'System Failure Error: emulator error',
            code: '10000',
          },
        ],
        type: 'SystemFault',
      },
      time: qboTimestamp(state.clock.now(), true),
    });
  });
  return app;
}

function homePage(state: EmulatorState): string {
  const b = escapeHtml(state.baseUrl);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Intuit emulator</title></head><body>
<h1>Local Intuit emulator</h1>
<ul>
<li><a href="${b}/app/myapps">My Apps</a></li>
<li><a href="${b}/.well-known/openid_configuration">OpenID discovery document</a></li>
<li><a href="${b}/__emulator/ledger">Ledger</a> · <a href="${b}/__emulator/config">Config</a> · <a href="${b}/__emulator/companies">Companies</a></li>
</ul></body></html>`;
}
