import { qboTimestamp } from '../clock.js';
import { type Company, type Entity, type EntityName, entityName, NAME_LISTS } from '../model.js';
import { faults } from './faults.js';
import { preferencesOf } from './preferences.js';
import { type Condition, parseQuery } from './query-parser.js';

const MAX_RESULTS = 1000;

/** The one-per-company entities a query can name (`select * from Preferences`). */
const SINGLE = new Map<string, { name: string; of: (company: Company) => Entity }>([
  ['companyinfo', { name: 'CompanyInfo', of: (company) => company.companyInfo }],
  ['preferences', { name: 'Preferences', of: preferencesOf }],
]);

/** Runs a query text against one company; returns the `QueryResponse` member (without `time`). */
export function runQuery(company: Company, text: string): Record<string, unknown> {
  const q = parseQuery(text);
  const single = SINGLE.get(q.entity.toLowerCase());
  const name = single?.name ?? entityName(q.entity);
  if (!name) throw faults.queryInvalid(`invalid context declaration: ${q.entity}`);
  if (q.maxResults > MAX_RESULTS) {
    throw faults.queryInvalid(`value ${q.maxResults} is too large. Max allowed value is ${MAX_RESULTS}`);
  }
  if (q.startPosition < 1) throw faults.queryInvalid('startposition must be 1 or greater');
  const all: Entity[] = single ? [single.of(company)] : [...company.entities[name as 'Customer'].values()];
  // Name lists answer active entries only unless the query asks about Active (Intuit's documented
  // behaviour: `where Active = false` or `Active in (true, false)` to see inactive ones).
  const activeOnly =
    NAME_LISTS.includes(name as EntityName) && !q.where.some((c) => c.field.toLowerCase() === 'active');
  const matching = all.filter(
    (e) => (!activeOnly || e.Active !== false) && q.where.every((c) => matches(e, c)),
  );
  if (q.select === 'count') return { totalCount: matching.length };

  const order = q.orderBy.length > 0 ? q.orderBy : [{ field: 'Id', desc: false }];
  matching.sort((a, b) => {
    for (const o of order) {
      const diff = compare(fieldValue(a, o.field), fieldValue(b, o.field));
      if (diff !== 0) return o.desc ? -diff : diff;
    }
    return 0;
  });
  const page = matching.slice(q.startPosition - 1, q.startPosition - 1 + q.maxResults);
  // Past the end Intuit answers an empty QueryResponse object (fixtures/qbo/query/empty-page.qbo_api.json).
  if (page.length === 0) return {};
  const rows = q.select === '*' ? page : page.map((e) => project(e, q.select as string[]));
  return { [name]: rows, startPosition: q.startPosition, maxResults: rows.length };
}

export function queryBody(company: Company, text: string, nowMs: number): Record<string, unknown> {
  return { QueryResponse: runQuery(company, text), time: qboTimestamp(nowMs, true) };
}

function project(entity: Entity, fields: string[]): Entity {
  const out: Entity = { domain: 'QBO', sparse: true, Id: entity.Id };
  for (const f of fields) {
    const value = fieldValue(entity, f, false);
    if (value !== undefined) out[f.split('.')[0]] = entity[f.split('.')[0]];
  }
  return out;
}

/** Reads a dotted path; a reference object (`{value, name}`) compares by its `value`, as QBO does. */
function fieldValue(entity: Entity, path: string, unwrapRef = true): unknown {
  let current: any = entity;
  for (const part of path.split('.')) {
    if (current === undefined || current === null) return undefined;
    // Exact property first (the common case, and cheap); QBO field names are case-insensitive otherwise.
    if (part in current) {
      current = current[part];
      continue;
    }
    const key = Object.keys(current).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : current[key];
  }
  if (unwrapRef && current && typeof current === 'object' && 'value' in current) return current.value;
  return current;
}

function matches(entity: Entity, c: Condition): boolean {
  const actual = fieldValue(entity, c.field);
  if (actual === undefined || actual === null) return false;
  switch (c.op) {
    case '=':
      return compare(actual, c.values[0]) === 0;
    case '<':
      return compare(actual, c.values[0]) < 0;
    case '>':
      return compare(actual, c.values[0]) > 0;
    case '<=':
      return compare(actual, c.values[0]) <= 0;
    case '>=':
      return compare(actual, c.values[0]) >= 0;
    case 'in': {
      // Equality of plain strings by a set lookup: a push looks up 30 numbers among thousands of
      // invoices, and comparing each pair the general way made that quadratic and slow.
      const lowered = String(actual).toLowerCase();
      if (inSet(c).has(lowered)) return true;
      return !isNumeric(lowered) && !DATE_LIKE.test(lowered)
        ? false
        : c.values.some((v) => compare(actual, v) === 0);
    }
    case 'like': {
      const pattern = String(c.values[0])
        .split('%')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
      return new RegExp(`^${pattern}$`, 'i').test(String(actual));
    }
  }
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Numbers numerically, timestamps by instant (offsets honoured), everything else case-insensitively. */
const inSets = new WeakMap<Condition, Set<string>>();
function inSet(c: Condition): Set<string> {
  let set = inSets.get(c);
  if (!set) {
    set = new Set(c.values.map((v) => String(v).toLowerCase()));
    inSets.set(c, set);
  }
  return set;
}

function compare(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  const sa = String(a);
  const sb = String(b);
  if (isNumeric(sa) && isNumeric(sb)) return Math.sign(Number(sa) - Number(sb));
  if (DATE_LIKE.test(sa) && DATE_LIKE.test(sb)) {
    const da = Date.parse(normalizeOffset(sa));
    const db = Date.parse(normalizeOffset(sb));
    if (!Number.isNaN(da) && !Number.isNaN(db)) return Math.sign(da - db);
  }
  const la = sa.toLowerCase();
  const lb = sb.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function isNumeric(s: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(s);
}

/** "2015-10-05T14:42:19-0700" (no colon) is a form Intuit itself emits; Date.parse needs the colon. */
function normalizeOffset(s: string): string {
  return s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}
