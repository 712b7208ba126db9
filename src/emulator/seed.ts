import { qboTimestamp } from './clock.js';

/** Entities the emulated companies store. Item is seeded and read-only through the API. */
export const ENTITY_NAMES = ['Customer', 'Estimate', 'Invoice', 'Item'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];
export type Entity = Record<string, any>;

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
  companyInfo: Entity;
  entities: Record<EntityName, Map<string, Entity>>;
  /** Deleted entities, kept so that CDC can report them as `status: "Deleted"`. */
  tombstones: Record<EntityName, Map<string, Tombstone>>;
  /** Name-list entities and transactions have separate Id sequences at Intuit. */
  counters: { Customer: number; Item: number; txn: number };
  docNumbers: { Estimate: number; Invoice: number };
  replays: Map<string, StoredAnswer>;
  /** Ids of voided transactions (a void keeps the entity but zeroes it). */
  voided: Set<string>;
}

export const SEED_COMPANIES = [
  { realmId: '9130350000000001', name: 'Heavy AV Demo Productions', state: 'CA', city: 'Oakland' },
  { realmId: '9130350000000002', name: 'Blue Stage Rentals LLC', state: 'NV', city: 'Reno' },
] as const;

/**
 * CompanyInfo shaped like fixtures/qbo/entities/companyinfo-read.php-sdk.json (copied here because the
 * emulator must not read ../shared at run time).
 */
function companyInfo(seed: (typeof SEED_COMPANIES)[number], createdMs: number): Entity {
  const addr = { Id: '1', City: seed.city, CountrySubDivisionCode: seed.state, Country: 'US' };
  return {
    CompanyName: seed.name,
    LegalName: seed.name,
    CompanyAddr: { ...addr },
    CustomerCommunicationAddr: { ...addr },
    LegalAddr: { ...addr },
    PrimaryPhone: {},
    CompanyStartDate: qboTimestamp(createdMs).slice(0, 10),
    FiscalYearStartMonth: 'January',
    Country: 'US',
    Email: { Address: `books@${seed.realmId}.example.com` },
    WebAddr: {},
    SupportedLanguages: 'en',
    NameValue: [
      { Name: 'NeoEnabled', Value: 'true' },
      { Name: 'IndustryType', Value: 'Audio-visual equipment rental' },
      { Name: 'IndustryCode', Value: '532490' },
      { Name: 'SubscriptionStatus', Value: 'SUBSCRIBED' },
      { Name: 'OfferingSku', Value: 'QuickBooks Online Plus' },
      { Name: 'PayrollFeature', Value: 'false' },
      { Name: 'AccountantFeature', Value: 'false' },
    ],
    domain: 'QBO',
    sparse: false,
    Id: '1',
    SyncToken: '0',
    MetaData: { CreateTime: qboTimestamp(createdMs), LastUpdatedTime: qboTimestamp(createdMs) },
  };
}

function servicesItem(createdMs: number): Entity {
  return {
    Name: 'Services',
    Active: true,
    FullyQualifiedName: 'Services',
    Taxable: false,
    Type: 'Service',
    IncomeAccountRef: { value: '1', name: 'Services' },
    domain: 'QBO',
    sparse: false,
    Id: '1',
    SyncToken: '0',
    MetaData: { CreateTime: qboTimestamp(createdMs), LastUpdatedTime: qboTimestamp(createdMs) },
  };
}

function emptyMaps<T>(): Record<EntityName, Map<string, T>> {
  return { Customer: new Map(), Estimate: new Map(), Invoice: new Map(), Item: new Map() };
}

export function seedCompanies(nowMs: number): Map<string, Company> {
  // Seeded a month "before" start so that their creation never shows up in a CDC from start-up time.
  const createdMs = nowMs - 31 * 86_400_000;
  const companies = new Map<string, Company>();
  for (const seed of SEED_COMPANIES) {
    const entities = emptyMaps<Entity>();
    entities.Item.set('1', servicesItem(createdMs));
    companies.set(seed.realmId, {
      realmId: seed.realmId,
      name: seed.name,
      companyInfo: companyInfo(seed, createdMs),
      entities,
      tombstones: emptyMaps<Tombstone>(),
      counters: { Customer: 0, Item: 1, txn: 0 },
      docNumbers: { Estimate: 1000, Invoice: 1000 },
      replays: new Map(),
      voided: new Set(),
    });
  }
  return companies;
}

/** Case-insensitive lookup of an entity name as it appears in URLs, queries and control API paths. */
export function entityName(raw: string): EntityName | undefined {
  const lower = raw.toLowerCase();
  return ENTITY_NAMES.find((n) => n.toLowerCase() === lower);
}
