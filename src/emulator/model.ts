/** What an emulated QuickBooks company holds, and the names of the entities it serves. */

/** Every entity the companies store (SPEC.md "Control API" lists them; TaxRate is held too). */
export const ENTITY_NAMES = [
  'Customer',
  'Vendor',
  'Employee',
  'Item',
  'TaxCode',
  'TaxRate',
  'Estimate',
  'Invoice',
  'Payment',
] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];
export type Entity = Record<string, any>;

/** Customer, Vendor and Employee share one DisplayName namespace and one Id sequence at Intuit. */
export const NAME_ENTITIES = ['Customer', 'Vendor', 'Employee'] as const;
/** Name-list entities: queries return active ones only unless the query asks about `Active`. */
export const NAME_LISTS: readonly EntityName[] = [
  'Customer',
  'Vendor',
  'Employee',
  'Item',
  'TaxCode',
  'TaxRate',
];
export const TRANSACTIONS: readonly EntityName[] = ['Estimate', 'Invoice', 'Payment'];

/**
 * How a company does sales tax:
 * - `automated`: US automated sales tax; lines are TAX or NON, QuickBooks picks the rate from the address.
 * - `per-line`: Canada (and UK, AU): every sales line names a TaxCode, QuickBooks sums its rates.
 * - `none`: a US company that has not set up sales tax (no tax is ever computed).
 */
export type TaxModel = 'automated' | 'per-line' | 'none';

export interface Tombstone {
  Id: string;
  LastUpdatedTime: string;
}

/** What `requestid` replay needs: the original status and the exact body bytes. */
export interface StoredAnswer {
  status: number;
  body: string;
}

export interface Company {
  realmId: string;
  name: string;
  country: 'US' | 'CA';
  currency: { value: string; name: string };
  taxModel: TaxModel;
  /** Automated sales tax: the combined TaxCode used when the customer's address names no known state. */
  homeTaxCodeId?: string;
  /** Automated sales tax: state/province code → the TaxCode Id for customers there. */
  taxRegions: Record<string, string>;
  /** The item QuickBooks puts on a sales line sent without an ItemRef ("Services"). */
  defaultItemId: string;
  companyInfo: Entity;
  entities: Record<EntityName, Map<string, Entity>>;
  /** Deleted entities, kept so that CDC can report them as `status: "Deleted"`. */
  tombstones: Record<EntityName, Map<string, Tombstone>>;
  /** Id sequences as at Intuit: names (customers, vendors, employees) share one, transactions another. */
  counters: { name: number; Item: number; TaxCode: number; TaxRate: number; txn: number };
  docNumbers: { Estimate: number; Invoice: number };
  /** Lower-cased DisplayName → the customer, vendor or employee that holds it (inactive ones too). */
  names: Map<string, { entity: EntityName; id: string }>;
  replays: Map<string, StoredAnswer>;
  /** Ids of voided transactions (a void keeps the entity but zeroes it). */
  voided: Set<string>;
}

export function emptyMaps<T>(): Record<EntityName, Map<string, T>> {
  return Object.fromEntries(ENTITY_NAMES.map((n) => [n, new Map<string, T>()])) as Record<
    EntityName,
    Map<string, T>
  >;
}

/** Case-insensitive lookup of an entity name as it appears in URLs, queries and control API paths. */
export function entityName(raw: string): EntityName | undefined {
  const lower = raw.toLowerCase();
  return ENTITY_NAMES.find((n) => n.toLowerCase() === lower);
}
