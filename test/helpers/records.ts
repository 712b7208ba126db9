/** Factories and form helpers for the customers, estimates and invoices tests. */
import type request from 'supertest';
import type { Customer } from '../../src/customers/types.js';
import type { DocumentFormValues, LineRow } from '../../src/documents/types.js';
import { createUser, csrfToken, signIn, type TestApp } from './app.js';

export const STAFF = { email: 'staff@example.com', password: 'staff password 1234' };

/** A signed-in staff member (records are for staff and admins alike) and a CSRF token for their forms. */
export async function staffAgent(t: TestApp): Promise<{ agent: request.Agent; _csrf: string }> {
  await createUser(t, STAFF.email, STAFF.password, 'staff');
  const agent = await signIn(t, STAFF.email, STAFF.password);
  return { agent, _csrf: await csrfToken(agent, '/admin') };
}

/** A customer with only a name (and `extra`), through the real service; `t` is a test app or a journey's server. */
export async function makeCustomer(
  t: Pick<TestApp, 'container'>,
  displayName = 'Acme Events',
  extra = {},
): Promise<Customer> {
  return t.container.customers.create({
    displayName,
    companyName: '',
    email: '',
    phone: '',
    billingLine1: '',
    billingCity: '',
    billingPostalCode: '',
    billingCountry: '',
    ...extra,
  });
}

export async function rowCount(t: TestApp, table: string): Promise<number> {
  const row = await t.container.db(table).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Decodes the few entities EJS escapes, to look for entered values in a page. */
export function unescapeHtml(html: string): string {
  return html
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * A urlencoded body with explicit indexes (`lines[0][description]=…`), as the HTML form sends it.
 * (supertest's own form encoding drops array indexes.)
 */
export function formBody(fields: Record<string, unknown>): string {
  const params = new URLSearchParams();
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) add(`${key}[${k}]`, v);
    } else {
      params.append(key, String(value));
    }
  };
  for (const [key, value] of Object.entries(fields)) add(key, value);
  return params.toString();
}

/** An estimate or invoice as a form sends it, for creating through the service. */
export function documentValues(
  customerId: number,
  lines: LineRow[],
  extra: Partial<DocumentFormValues> = {},
): DocumentFormValues {
  return {
    customerId: String(customerId),
    docNumber: '',
    txnDate: '2026-11-28',
    closingDate: '',
    memo: 'Summer festival',
    lines,
    ...extra,
  };
}
