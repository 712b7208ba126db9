import { Router } from 'express';
import type { CustomersService } from '../customers/service.js';
import { documentPages } from '../documents/pages.js';
import type { EstimatesService } from '../estimates/service.js';
import type { InvoicesService } from './service.js';

export interface InvoiceRoutesDeps {
  invoices: InvoicesService;
  estimates: EstimatesService;
  customers: CustomersService;
}

/** Mounted under /admin for staff and admins. */
export function invoiceRoutes({ invoices, estimates, customers }: InvoiceRoutesDeps): Router {
  const router = Router();
  const pages = documentPages({
    service: invoices,
    customers,
    plural: 'invoices',
    label: 'Invoice',
    showLocals: async (invoice) => ({
      estimate: invoice.estimateId ? await estimates.findById(invoice.estimateId) : undefined,
    }),
  });

  router.get('/invoices', pages.list);
  router.get('/invoices/new', pages.newForm);
  router.post(['/invoices', '/invoices/new'], pages.create);
  router.get('/invoices/:id', pages.show);
  router.get('/invoices/:id/edit', pages.editForm);
  router.post('/invoices/:id', pages.update);

  return router;
}
