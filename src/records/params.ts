import { NotFoundError } from '../http/errors.js';

/**
 * The largest id any table can hold: knex's increments() is a 32-bit integer on PostgreSQL. A larger
 * number in a URL or a form is refused here, at the edge, instead of reaching the database as an
 * "integer out of range" error.
 */
export const MAX_ID = 2_147_483_647;

/** A positive id within MAX_ID written as digits, or undefined. */
export function parseId(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value.trim())) return undefined;
  const id = Number(value.trim());
  return id >= 1 && id <= MAX_ID ? id : undefined;
}

/** The numeric id in a record's URL; anything else is a page that does not exist. */
export function recordId(value: unknown): number {
  const id = parseId(value);
  if (id === undefined) throw new NotFoundError();
  return id;
}
