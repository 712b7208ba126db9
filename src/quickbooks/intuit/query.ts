/**
 * QuickBooks' query language, written in one place. Values are always quoted literals (escaped here, never
 * by a caller); field names are checked, since they are written into the text as they are.
 */
import type { Entities, EntityName } from './types.js';

/** The fields of an entity whose value is text: the ones a condition can compare. */
export type TextField<E extends EntityName> = {
  [K in keyof Entities[E]]-?: Entities[E][K] extends string | undefined ? K : never;
}[keyof Entities[E]] &
  string;

/** `field = 'value'`, or `field in ('a', 'b')` for a list; conditions are joined with `and`. */
export type Conditions<E extends EntityName> = Partial<Record<TextField<E>, string | readonly string[]>>;

/** Intuit answers at most 1,000 entities a page. */
export const MAX_RESULTS = 1000;

/** A QuickBooks query literal: single quotes and backslashes escaped with a backslash. */
export function qboString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const FIELD = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$/;

function condition(field: string, value: string | readonly string[]): string {
  if (!FIELD.test(field)) throw new Error(`Not a QuickBooks field name: ${field}`);
  if (typeof value === 'string') return `${field} = ${qboString(value)}`;
  return `${field} in (${value.map(qboString).join(', ')})`;
}

/**
 * `select * from <Entity> where … maxresults 1000`; undefined when a list condition is empty (nothing can
 * match, and Intuit refuses `in ()`).
 */
export function selectWhere<E extends EntityName>(entity: E, where: Conditions<E>): string | undefined {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(where) as [string, string | readonly string[] | undefined][]) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && value.length === 0) return undefined;
    parts.push(condition(field, value));
  }
  const filter = parts.length ? ` where ${parts.join(' and ')}` : '';
  return `select * from ${entity}${filter} maxresults ${MAX_RESULTS}`;
}

/**
 * A display name's holders, active or not: name-list queries return active entries only unless the
 * query names `Active` (and a name stays taken when its holder is made inactive).
 */
export function selectByName(entity: 'Customer' | 'Vendor' | 'Employee', displayName: string): string {
  return `select * from ${entity} where DisplayName = ${qboString(displayName)} and Active in (true, false) maxresults ${MAX_RESULTS}`;
}
