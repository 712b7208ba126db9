/**
 * Page middleware: `fmt` for this request, in the connected QuickBooks company's home currency when there
 * is one (QuickBooks keeps its books in it), else in the company setting (COMPANY_CURRENCY). Locale and
 * time zone stay the settings'. Formatters are built once per currency; the currency lookup is expected
 * to be cheap (the caller caches it).
 */
import type { RequestHandler } from 'express';
import { createFormatters, type Formatters } from './format.js';
import type { CompanySettings } from './settings.js';

export function companyFormatters(
  company: CompanySettings,
  homeCurrency: () => Promise<string | null>,
): RequestHandler {
  const built = new Map<string, Formatters>();
  const formattersIn = (currency: string): Formatters => {
    let fmt = built.get(currency);
    if (!fmt) {
      fmt = createFormatters({ ...company, currency });
      built.set(currency, fmt);
    }
    return fmt;
  };
  return async (_req, res, next) => {
    res.locals.fmt = formattersIn((await homeCurrency()) ?? company.currency);
    next();
  };
}
