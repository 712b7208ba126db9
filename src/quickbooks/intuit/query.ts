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

/** What an import reads: active customers, or documents dated on or after a day (YYYY-MM-DD). */
export type ImportFilter = { active: true } | { txnDateFrom: string };

function importWhere(filter: ImportFilter): string {
  if ('active' in filter) return ' where Active = true';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(filter.txnDateFrom)) throw new Error('Not a date: YYYY-MM-DD expected');
  return ` where TxnDate >= ${qboString(filter.txnDateFrom)}`;
}

/**
 * One page of an import, in Id order so that pages do not shift while we read them (what QuickBooks adds
 * meanwhile gets a higher Id and comes last). `startPosition` is 1-based, as Intuit counts.
 */
export function selectImportPage(entity: EntityName, filter: ImportFilter, startPosition: number): string {
  if (!Number.isInteger(startPosition) || startPosition < 1) throw new RangeError('startposition ≥ 1');
  return `select * from ${entity}${importWhere(filter)} orderby Id startposition ${startPosition} maxresults ${MAX_RESULTS}`;
}

export function countImport(entity: EntityName, filter: ImportFilter): string {
  return `select count(*) from ${entity}${importWhere(filter)}`;
}

/** Customers by id whether active or not (a document may name an inactive one). */
export function selectAnyCustomers(ids: readonly string[]): string | undefined {
  if (!ids.length) return undefined;
  return `select * from Customer where Id in (${ids.map(qboString).join(', ')}) and Active in (true, false) maxresults ${MAX_RESULTS}`;
}
