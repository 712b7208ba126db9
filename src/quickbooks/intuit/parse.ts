/**
 * The parse boundary: Intuit's JSON (`unknown`) → the types of `types.ts`. Each entity has a spec of the
 * fields the app uses; a field of the wrong JSON type is dropped rather than trusted, Id and SyncToken
 * become strings, and lines keep only the detail types we know. What is not named here stays on Intuit's
 * side: nothing downstream can read a field nobody checked.
 */
import { QuickBooksUnavailableError } from './errors.js';
import type { Changed, CompanyInfo, Entities, EntityName, Line, Preferences } from './types.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value as text: strings as they are, numbers (ids, tokens) spelled out; anything else undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

type Kind = 'string' | 'boolean' | 'decimal' | 'number' | 'record' | Spec | ((value: unknown) => unknown);
interface Spec {
  [field: string]: Kind;
}

function narrowField(value: unknown, kind: Kind): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof kind === 'function') return kind(value);
  if (typeof kind === 'object') return narrow(value, kind);
  switch (kind) {
    case 'string':
      return textOf(value);
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'decimal':
      return typeof value === 'number' || typeof value === 'string' ? value : undefined;
    case 'number':
      return typeof value === 'number' ? value : undefined;
    case 'record':
      return isObject(value) ? value : undefined;
  }
}

/** The fields of `spec` that have the right JSON type; undefined when `value` is not an object. */
function narrow(value: unknown, spec: Spec): Json | undefined {
  if (!isObject(value)) return undefined;
  const out: Json = {};
  for (const [field, kind] of Object.entries(spec)) {
    const v = narrowField(value[field], kind);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

const REF: Spec = { value: 'string', name: 'string' };
const META: Spec = { CreateTime: 'string', LastUpdatedTime: 'string' };
const BASE: Spec = { Id: 'string', SyncToken: 'string', MetaData: META, domain: 'string', sparse: 'boolean' };
const SALES_DETAIL: Spec = {
  ItemRef: REF,
  Qty: 'decimal',
  UnitPrice: 'decimal',
  TaxCodeRef: REF,
  ServiceDate: 'string',
};
const LINE_COMMON: Spec = { Id: 'string', LineNum: 'number', DetailType: 'string', Amount: 'decimal' };
const LINE_DETAIL: Record<Line['DetailType'], Spec> = {
  SalesItemLineDetail: { Description: 'string', SalesItemLineDetail: SALES_DETAIL },
  SubTotalLineDetail: { SubTotalLineDetail: 'record' },
  DiscountLineDetail: { DiscountLineDetail: { PercentBased: 'boolean', DiscountPercent: 'decimal' } },
  DescriptionOnly: { Description: 'string', DescriptionLineDetail: 'record' },
  GroupLineDetail: {
    Description: 'string',
    GroupLineDetail: { GroupItemRef: REF, Quantity: 'decimal', Line: (v) => lines(v) },
  },
};

function isKnownDetail(value: unknown): value is Line['DetailType'] {
  return typeof value === 'string' && Object.hasOwn(LINE_DETAIL, value);
}

/** Lines of the detail types we know (each with its detail object); others are left out. */
function lines(value: unknown): Line[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Line[] = [];
  for (const item of value) {
    const type = isObject(item) ? item.DetailType : undefined;
    if (!isKnownDetail(type)) continue;
    const line = narrow(item, { ...LINE_COMMON, ...LINE_DETAIL[type] });
    if (!line) continue;
    // Narrowed by the spec of its own DetailType just above, so it has that variant's shape; a sales
    // line that came without its detail object gets an empty one.
    const shaped = type === 'SalesItemLineDetail' ? { SalesItemLineDetail: {}, ...line } : line;
    out.push(shaped as unknown as Line);
  }
  return out;
}

const ADDRESS: Spec = {
  Id: 'string',
  Line1: 'string',
  City: 'string',
  CountrySubDivisionCode: 'string',
  PostalCode: 'string',
  Country: 'string',
};
const DOCUMENT: Spec = {
  ...BASE,
  DocNumber: 'string',
  TxnDate: 'string',
  CustomerRef: REF,
  CustomerMemo: (v) => (typeof v === 'string' ? v : narrow(v, { value: 'string' })),
  PrivateNote: 'string',
  Line: lines,
  TotalAmt: 'decimal',
  TxnTaxDetail: { TotalTax: 'decimal' },
};
const SPECS: { [E in EntityName]: Spec } = {
  Customer: {
    ...BASE,
    DisplayName: 'string',
    CompanyName: 'string',
    PrimaryEmailAddr: { Address: 'string' },
    PrimaryPhone: { FreeFormNumber: 'string' },
    BillAddr: ADDRESS,
    Active: 'boolean',
  },
  Estimate: { ...DOCUMENT, ExpirationDate: 'string', TxnStatus: 'string' },
  Invoice: { ...DOCUMENT, DueDate: 'string', Balance: 'decimal' },
  Item: { ...BASE, Name: 'string', Type: 'string', Active: 'boolean' },
  TaxCode: { ...BASE, Name: 'string', Description: 'string', Active: 'boolean' },
  Vendor: { ...BASE, DisplayName: 'string', Active: 'boolean' },
  Employee: { ...BASE, DisplayName: 'string', Active: 'boolean' },
};

/** An entity of the named type, or undefined when `value` is not one (no object, no Id or SyncToken). */
export function parseEntity<E extends EntityName>(name: E, value: unknown): Entities[E] | undefined {
  const entity = narrow(value, SPECS[name]);
  if (typeof entity?.Id !== 'string' || typeof entity.SyncToken !== 'string') return undefined;
  // Every field was checked against SPECS[name], which names the fields of Entities[E] with their types.
  return entity as unknown as Entities[E];
}

/** The entity named in an answer's envelope (`{"Customer": {...}}`); a malformed answer is an outage. */
export function entityIn<E extends EntityName>(name: E, body: unknown): Entities[E] {
  const entity = isObject(body) ? parseEntity(name, body[name]) : undefined;
  if (!entity) throw new QuickBooksUnavailableError(`QuickBooks answered without a valid ${name}.`);
  return entity;
}

/** Every valid entity of a list (a query page, a CDC page); invalid ones are left out. */
export function entitiesIn<E extends EntityName>(name: E, list: unknown): Entities[E][] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((v) => parseEntity(name, v) ?? []);
}

/** The entities of a query answer (`{"QueryResponse": {"Customer": [...]}}`); none when the page is empty. */
export function queryPageIn<E extends EntityName>(name: E, body: unknown): Entities[E][] {
  const page = isObject(body) ? body.QueryResponse : undefined;
  return entitiesIn(name, isObject(page) ? page[name] : undefined);
}

/** The objects of a CDC answer (`{"CDCResponse": [{"QueryResponse": [{"Customer": [...]}]}]}`). */
export function changesIn<E extends EntityName>(name: E, body: unknown): Changed<E>[] {
  const cdc = isObject(body) && Array.isArray(body.CDCResponse) ? body.CDCResponse[0] : undefined;
  const pages = isObject(cdc) && Array.isArray(cdc.QueryResponse) ? cdc.QueryResponse : [];
  return pages.flatMap((page: unknown) => {
    const list = isObject(page) ? page[name] : undefined;
    return Array.isArray(list) ? list.flatMap((v: unknown) => changedIn(name, v) ?? []) : [];
  });
}

/** One CDC object: deleted ones are `{"status": "Deleted", "Id": ...}` without the rest. */
export function changedIn<E extends EntityName>(name: E, value: unknown): Changed<E> | undefined {
  if (!isObject(value)) return undefined;
  const id = textOf(value.Id);
  if (id === undefined) return undefined;
  const lastUpdatedTime = textOf(isObject(value.MetaData) ? value.MetaData.LastUpdatedTime : undefined);
  if (value.status === 'Deleted') return { id, lastUpdatedTime, deleted: true };
  const entity = parseEntity(name, value);
  return entity ? { id, lastUpdatedTime, deleted: false, entity } : undefined;
}

export function companyInfoIn(body: unknown): CompanyInfo {
  const info = isObject(body)
    ? narrow(body.CompanyInfo, { ...BASE, CompanyName: 'string', LegalName: 'string', Country: 'string' })
    : undefined;
  if (typeof info?.Id !== 'string') {
    throw new QuickBooksUnavailableError('QuickBooks answered without a valid CompanyInfo.');
  }
  // Checked field by field just above.
  return info as unknown as CompanyInfo;
}

export function preferencesIn(body: unknown): Preferences {
  const prefs = isObject(body)
    ? narrow(body.Preferences, {
        ...BASE,
        CurrencyPrefs: { MultiCurrencyEnabled: 'boolean', HomeCurrency: REF },
        TaxPrefs: { UsingSalesTax: 'boolean', PartnerTaxEnabled: 'boolean' },
      })
    : undefined;
  if (typeof prefs?.Id !== 'string') {
    throw new QuickBooksUnavailableError('QuickBooks answered without valid Preferences.');
  }
  // Checked field by field just above.
  return prefs as unknown as Preferences;
}

/** A `select count(*)` answer: `{"QueryResponse": {"totalCount": 5000}}`. */
export function totalCountIn(body: unknown): number {
  const page = isObject(body) ? body.QueryResponse : undefined;
  const n = isObject(page) ? page.totalCount : undefined;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
}
