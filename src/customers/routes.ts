import { type Response, Router } from 'express';
import { formatMoney } from '../documents/money.js';
import { STAGE_LABELS } from '../documents/stage.js';
import { type FieldErrors, ValidationError } from '../http/errors.js';
import { flash } from '../http/flash.js';
import { recordId } from '../records/params.js';
import { addressLines } from './address.js';
import { type CustomersService, customerFormValues } from './service.js';
import type { Customer, CustomerFormValues } from './types.js';

export interface CustomerRoutesDeps {
  customers: CustomersService;
}

/** Mounted under /admin for staff and admins. */
export function customerRoutes({ customers }: CustomerRoutesDeps): Router {
  const router = Router();

  router.get('/customers', async (req, res) => {
    res.render('customers/index', { title: 'Customers', page: await customers.list(req.query) });
  });

  // The customer picker's search (public/js/customer-picker.js): JSON, a few matches per keystroke.
  router.get('/customers/search', async (req, res) => {
    res.json({ customers: await customers.search(req.query.q) });
  });

  router.get('/customers/new', (_req, res) => renderForm(res, 200, undefined, emptyValues(), {}));

  router.post(['/customers', '/customers/new'], async (req, res) => {
    const values = customerFormValues(req.body);
    try {
      const customer = await customers.create(values);
      flash(req, 'success', `Customer “${customer.displayName}” created.`);
      res.redirect(303, `/admin/customers/${customer.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      renderForm(res, 422, undefined, values, err.fields);
    }
  });

  router.get('/customers/:id', async (req, res) => {
    const customer = await customers.get(recordId(req.params.id));
    const links = await customers.linksFor(customer.id);
    const documents = await customers.documents(customer.id);
    res.render('customers/show', {
      title: customer.displayName,
      customer,
      links,
      documents,
      address: addressLines(customer),
      formatMoney,
      stageLabels: STAGE_LABELS,
    });
  });

  router.get('/customers/:id/edit', async (req, res) => {
    const customer = await customers.get(recordId(req.params.id));
    renderForm(res, 200, customer, customer, {});
  });

  router.post('/customers/:id', async (req, res) => {
    const customer = await customers.get(recordId(req.params.id));
    const values = customerFormValues(req.body);
    try {
      await customers.update(customer.id, values);
      flash(req, 'success', 'Customer saved.');
      res.redirect(303, `/admin/customers/${customer.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      renderForm(res, 422, customer, values, err.fields);
    }
  });

  return router;
}

function emptyValues(): CustomerFormValues {
  return customerFormValues({});
}

function renderForm(
  res: Response,
  status: number,
  customer: Customer | undefined,
  values: CustomerFormValues,
  errors: FieldErrors,
): void {
  const title = customer ? `Edit ${customer.displayName}` : 'New customer';
  res.status(status).render('customers/form', { title, customer, values, errors });
}
