import { NotFoundError } from '../http/errors.js';

/** The numeric id in a record's URL; anything else is a page that does not exist. */
export function recordId(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new NotFoundError();
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw new NotFoundError();
  return id;
}
