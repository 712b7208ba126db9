/**
 * The dashboard: what needs doing, in numbers (open estimates, unpaid and overdue invoices with what is
 * owed), and on a fresh install the three first steps (a colleague, QuickBooks, an import).
 */
import { Router } from 'express';
import type { StageTotal } from '../documents/repository.js';
import type { DocumentStage } from '../documents/stage.js';

export interface DashboardDeps {
  estimates: { stageTotals(): Promise<StageTotal[]> };
  invoices: { stageTotals(): Promise<StageTotal[]> };
  customers: { count(): Promise<number> };
  /** How many people can sign in. */
  userCount(): Promise<number>;
  /** Whether a QuickBooks company is connected now. */
  quickBooksConnected(): Promise<boolean>;
}

export interface DashboardNumbers {
  openEstimates: { count: number; totalCents: number };
  unpaidInvoices: { count: number; owedCents: number };
  overdueInvoices: { count: number; owedCents: number };
}

function sum(totals: StageTotal[], stages: DocumentStage[]) {
  const picked = totals.filter((t) => stages.includes(t.stage));
  return {
    count: picked.reduce((n, t) => n + t.count, 0),
    totalCents: picked.reduce((n, t) => n + t.totalCents, 0),
    owedCents: picked.reduce((n, t) => n + t.owedCents, 0),
  };
}

export async function dashboardNumbers(deps: DashboardDeps): Promise<DashboardNumbers> {
  const [estimates, invoices] = await Promise.all([
    deps.estimates.stageTotals(),
    deps.invoices.stageTotals(),
  ]);
  const open = sum(estimates, ['draft', 'sent']);
  const unpaid = sum(invoices, ['open', 'partly_paid', 'overdue']);
  const overdue = sum(invoices, ['overdue']);
  return {
    openEstimates: { count: open.count, totalCents: open.totalCents },
    unpaidInvoices: { count: unpaid.count, owedCents: unpaid.owedCents },
    overdueInvoices: { count: overdue.count, owedCents: overdue.owedCents },
  };
}

export function dashboardRoutes(deps: DashboardDeps): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const [numbers, users, connected, customers] = await Promise.all([
      dashboardNumbers(deps),
      deps.userCount(),
      deps.quickBooksConnected(),
      deps.customers.count(),
    ]);
    const checklist = [
      { done: users > 1, text: 'Add a colleague', href: '/admin/users' },
      { done: connected, text: 'Connect QuickBooks', href: '/admin/settings/quickbooks' },
      {
        done: customers > 0,
        text: 'Import your customers from QuickBooks',
        href: '/admin/settings/quickbooks',
      },
    ];
    res.render('dashboard/index', {
      title: 'Dashboard',
      numbers,
      // Shown until every step is done: a fresh install, or one that has not connected yet.
      checklist: checklist.every((step) => step.done) ? null : checklist,
    });
  });
  return router;
}
