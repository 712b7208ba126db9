import type { Router } from 'express';
import { customerRoutes } from '../customers/routes.js';
import { CustomersService } from '../customers/service.js';
import { estimateRoutes } from '../estimates/routes.js';
import { EstimatesService } from '../estimates/service.js';
import { invoiceRoutes } from '../invoices/routes.js';
import { InvoicesService } from '../invoices/service.js';
import type { CompanySettings } from '../locale/settings.js';
import type { RecordServiceDeps } from './deps.js';

export interface RecordServices {
  customers: CustomersService;
  estimates: EstimatesService;
  invoices: InvoicesService;
}

/**
 * The three record services, sharing one db and one (live) hooks object. `company` gives estimates and
 * invoices the locale amounts are typed in, the time zone "today" is in and the default terms.
 */
export function createRecordServices(deps: RecordServiceDeps, company?: CompanySettings): RecordServices {
  return {
    customers: new CustomersService(deps),
    estimates: new EstimatesService(deps, company),
    invoices: new InvoicesService(deps, company),
  };
}

/** Routers for userRouters (mounted under /admin, behind requireUser). */
export function recordRouters(services: RecordServices): Router[] {
  return [customerRoutes(services), estimateRoutes(services), invoiceRoutes(services)];
}
