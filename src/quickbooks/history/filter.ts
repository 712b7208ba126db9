/** The history page's filter, read from the query string (a plain GET form, so admins can bookmark it). */
import type { FieldErrors } from '../../http/errors.js';
import { parseId } from '../../records/params.js';

export const DIRECTIONS = ['push', 'pull'] as const;
export const RESULTS = ['ok', 'skipped', 'failed', 'retry', 'conflict'] as const;
export const ENTITIES = ['customer', 'estimate', 'invoice'] as const;

export interface HistoryFilter {
  direction?: string;
  entity?: string;
  result?: string;
  /** Inclusive UTC dates, YYYY-MM-DD. */
  from?: string;
  to?: string;
}

/** What the form shows back: every value as it was entered (blank for "any"). */
export interface HistoryFormValues {
  direction: string;
  entity: string;
  result: string;
  from: string;
  to: string;
}

export interface ParsedHistoryQuery {
  filter: HistoryFilter;
  values: HistoryFormValues;
  errors: FieldErrors;
  /** Keyset cursors: the id of the last row of the previous page. */
  before?: number;
  auditBefore?: number;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** A page cursor: absent, or an id the tables can hold (a larger one never came from our own links). */
function cursor(query: Record<string, unknown>, key: string, errors: FieldErrors): number | undefined {
  if (query[key] === undefined || query[key] === '') return undefined;
  const id = parseId(query[key]);
  if (id === undefined) errors[key] = 'That page link is not valid; start again from the first page.';
  return id;
}

export function parseHistoryQuery(query: Record<string, unknown>): ParsedHistoryQuery {
  const values: HistoryFormValues = {
    direction: text(query.direction),
    entity: text(query.entity),
    result: text(query.result),
    from: text(query.from),
    to: text(query.to),
  };
  const filter: HistoryFilter = {};
  const errors: FieldErrors = {};
  if (values.direction) {
    if ((DIRECTIONS as readonly string[]).includes(values.direction)) filter.direction = values.direction;
    else errors.direction = 'Choose push or pull.';
  }
  if (values.result) {
    if ((RESULTS as readonly string[]).includes(values.result)) filter.result = values.result;
    else errors.result = 'Choose a result from the list.';
  }
  // The pull side may record entities this list does not know yet: any short word is a valid filter.
  if (values.entity) {
    if (/^[A-Za-z_]{1,16}$/.test(values.entity)) filter.entity = values.entity;
    else errors.entity = 'Choose an entity from the list.';
  }
  for (const key of ['from', 'to'] as const) {
    if (!values[key]) continue;
    if (isDate(values[key])) filter[key] = values[key];
    else errors[key] = 'Enter a date as YYYY-MM-DD.';
  }
  if (filter.from && filter.to && filter.from > filter.to)
    errors.to = 'The end date is before the start date.';
  return {
    filter,
    values,
    errors,
    before: cursor(query, 'before', errors),
    auditBefore: cursor(query, 'auditBefore', errors),
  };
}

/** The first instant of a UTC date, and of the day after it (the end of an inclusive range). */
export function startOfDay(date: string): string {
  return `${date}T00:00:00.000Z`;
}

export function startOfNextDay(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

/** The query string for a filter (and extra parameters), for links that keep it. */
export function filterQuery(values: HistoryFormValues, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  for (const [key, value] of Object.entries(extra)) params.set(key, String(value));
  const s = params.toString();
  return s ? `?${s}` : '';
}
