import { type Request, type Response, Router } from 'express';
import { page } from './consent-views.js';
import { escapeHtml as e, sendHtml } from './http.js';
import type { Entity, EntityName } from './model.js';
import type { EmulatorState } from './state.js';

/**
 * QuickBooks Online's own record pages, where an app's "Open in QuickBooks" link lands:
 * `/app/invoice?txnId=`, `/app/estimate?txnId=`, `/app/customerdetail?nameId=`. Intuit knows the company
 * from the signed-in session; the emulator has none, so the link also carries `realmId`. Read-only: a
 * person edits in QuickBooks, and the emulator's control API already plays that part in tests.
 */
export function recordPagesRouter(state: EmulatorState): Router {
  const router = Router();
  router.get('/app/invoice', (req, res) => show(state, req, res, 'Invoice', 'txnId'));
  router.get('/app/estimate', (req, res) => show(state, req, res, 'Estimate', 'txnId'));
  router.get('/app/customerdetail', (req, res) => show(state, req, res, 'Customer', 'nameId'));
  return router;
}

function show(state: EmulatorState, req: Request, res: Response, name: EntityName, idParam: string): void {
  const realmId = typeof req.query.realmId === 'string' ? req.query.realmId : '';
  const id = typeof req.query[idParam] === 'string' ? String(req.query[idParam]) : '';
  const books = realmId ? state.booksFor(realmId) : undefined;
  const entity = books && /^\d+$/.test(id) ? books.company.entities[name].get(id) : undefined;
  if (!books || !entity) {
    const title = `${name} not found`;
    sendHtml(
      res,
      404,
      page(
        title,
        `<h1>${e(title)}</h1><p>No ${e(name.toLowerCase())} ${e(id)} in company ${e(realmId)}.</p>`,
      ),
    );
    return;
  }
  const title = `${name} ${heading(entity)}`;
  sendHtml(
    res,
    200,
    page(
      title,
      `<h1>${e(title)}</h1>
<p class="note">${e(books.company.name)} (company ${e(realmId)}) · read-only in the emulator</p>
<table><tbody>
${facts(entity)
  .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`)
  .join('\n')}
</tbody></table>`,
    ),
  );
}

function heading(entity: Entity): string {
  return String(entity.DocNumber ?? entity.DisplayName ?? entity.Id);
}

/** The fields a person looks at first; nested objects by their name or value. */
function facts(entity: Entity): [string, string][] {
  const keys = [
    'Id',
    'DocNumber',
    'DisplayName',
    'CompanyName',
    'CustomerRef',
    'TxnDate',
    'DueDate',
    'TotalAmt',
    'Balance',
    'PrimaryEmailAddr',
    'Active',
    'SyncToken',
  ];
  const out: [string, string][] = [];
  for (const k of keys) {
    const v = entity[k];
    if (v === undefined || v === null) continue;
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      out.push([k, String(o.name ?? o.Address ?? o.value ?? JSON.stringify(o))]);
    } else out.push([k, String(v)]);
  }
  return out;
}
