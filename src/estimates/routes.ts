import { Router } from 'express';
import type { CustomersService } from '../customers/service.js';
import { documentPages } from '../documents/pages.js';
import { flash } from '../http/flash.js';
import type { InvoicesService } from '../invoices/service.js';
import { recordId } from '../records/params.js';
import type { EstimatesService } from './service.js';

export interface EstimateRoutesDeps {
  estimates: EstimatesService;
  invoices: InvoicesService;
  customers: CustomersService;
}

/** Mounted under /admin for staff and admins. */
export function estimateRoutes({ estimates, invoices, customers }: EstimateRoutesDeps): Router {
  const router = Router();
  const pages = documentPages({
    service: estimates,
    customers,
    plural: 'estimates',
    label: 'Estimate',
    showLocals: async (estimate) => ({ invoice: await invoices.findByEstimateId(estimate.id) }),
  });

  router.get('/estimates', pages.list);
  router.get('/estimates/new', pages.newForm);
  router.post(['/estimates', '/estimates/new'], pages.create);
  router.get('/estimates/:id', pages.show);
  router.get('/estimates/:id/edit', pages.editForm);
  router.post('/estimates/:id', pages.update);

  router.post('/estimates/:id/invoice', async (req, res) => {
    const { invoice, created } = await invoices.createFromEstimate(recordId(req.params.id));
    flash(
      req,
      created ? 'success' : 'info',
      created
        ? `Invoice ${invoice.docNumber} created from the estimate.`
        : `This estimate was already invoiced.`,
    );
    res.redirect(303, `/admin/invoices/${invoice.id}`);
  });

  return router;
}
