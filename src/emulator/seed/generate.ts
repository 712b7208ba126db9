/**
 * Builds a seeded company through the same Books the API uses (so every total, tax line and balance is
 * what the emulator would compute for a client), with a clock that walks through the company's history.
 * Everything happened more than 30 days ago, so none of it shows up in a CDC sweep.
 */
import { Books } from '../accounting/entities.js';
import { qboDate, qboTimestamp } from '../clock.js';
import { type Company, type Entity, emptyMaps } from '../model.js';
import type { CompanySpec, Place } from './catalog.js';
import { WORDS } from './catalog.js';
import { Prng } from './prng.js';

const DAY_MS = 86_400_000;
/** History spans from this many days ago … */
const OLDEST_DAYS = 400;
/** … to this many (older than Intuit's 30-day CDC window). */
const NEWEST_DAYS = 32;

export function generateCompany(spec: CompanySpec, nowMs: number): Company {
  const createdMs = nowMs - (OLDEST_DAYS + 30) * DAY_MS;
  const taxRegions: Record<string, string> = {};
  for (const code of spec.codes) for (const region of code.regions) taxRegions[region] = code.id;
  const company: Company = {
    realmId: spec.realmId,
    name: spec.name,
    country: spec.country,
    currency:
      spec.country === 'CA'
        ? { value: 'CAD', name: 'Canadian Dollar' }
        : { value: 'USD', name: 'United States Dollar' },
    taxModel: spec.taxModel,
    homeTaxCodeId: spec.taxModel === 'automated' ? taxRegions[spec.address.region] : undefined,
    taxRegions,
    defaultItemId: '',
    companyInfo: companyInfo(spec, createdMs),
    entities: emptyMaps<Entity>(),
    tombstones: emptyMaps(),
    counters: { name: 0, Item: 0, TaxCode: 0, TaxRate: 0, txn: 0 },
    docNumbers: { Estimate: 1000, Invoice: 1000 },
    names: new Map(),
    replays: new Map(),
    voided: new Set(),
  };
  let t = createdMs;
  const books = new Books(
    company,
    () => t,
    () => {},
  );
  const inside = { insideQuickBooks: true, skipSyncToken: true };
  const rnd = new Prng(spec.seed);

  // Tax setup.
  const rateIds = new Map<string, string>();
  for (const rate of spec.rates) {
    const created = books.create(
      'TaxRate',
      {
        Name: rate.name,
        Description: rate.name,
        RateValue: rate.rate,
        AgencyRef: { value: '1', name: rate.agency },
      },
      inside,
    );
    rateIds.set(rate.name, created.Id);
  }
  if (spec.taxModel === 'automated') {
    // The pseudo-codes lines use in a US company; QuickBooks lists them among the tax codes.
    for (const id of ['TAX', 'NON']) {
      const at = qboTimestamp(createdMs);
      company.entities.TaxCode.set(id, {
        Name: id,
        Description: id === 'TAX' ? 'TAX' : 'NON',
        Taxable: id === 'TAX',
        TaxGroup: false,
        Active: true,
        Hidden: false,
        domain: 'QBO',
        sparse: false,
        Id: id,
        SyncToken: '0',
        MetaData: { CreateTime: at, LastUpdatedTime: at },
      });
    }
  }
  for (const code of spec.codes) {
    company.counters.TaxCode = Number(code.id) - 1;
    const detail = code.rates.map((name, i) => ({
      TaxRateRef: { value: rateIds.get(name), name },
      TaxTypeApplicable: 'TaxOnAmount',
      TaxOrder: i,
    }));
    books.create(
      'TaxCode',
      {
        Name: code.name,
        Description: code.description,
        Active: code.active ?? true,
        TaxGroup: code.rates.length > 1,
        Taxable: code.rates.length > 0,
        SalesTaxRateList: { TaxRateDetail: detail },
      },
      inside,
    );
  }

  // Products and services.
  for (const item of spec.items) {
    const created = books.create(
      'Item',
      {
        Name: item.name,
        Type: item.type,
        Active: item.active ?? true,
        ...(item.type === 'Category'
          ? {}
          : {
              Taxable: item.taxable ?? false,
              UnitPrice: item.price ?? 0,
              ...(item.description ? { Description: item.description } : {}),
            }),
      },
      inside,
    );
    if (item.name === 'Services') company.defaultItemId = created.Id;
  }

  // Customers, vendors, employees: one name namespace, so the word lists never repeat a name.
  const used = new Set<string>();
  const uniqueName = (make: () => string) => {
    for (;;) {
      const n = make();
      if (!used.has(n.toLowerCase())) {
        used.add(n.toLowerCase());
        return n;
      }
    }
  };
  const customers: Entity[] = [];
  for (let i = 0; i < spec.counts.customers; i++) {
    const person = rnd.chance(0.3);
    const given = rnd.pick(WORDS.given);
    const family = rnd.pick(WORDS.family);
    const displayName = uniqueName(() =>
      person
        ? `${rnd.pick(WORDS.given)} ${rnd.pick(WORDS.family)}`
        : `${rnd.pick(WORDS.org)} ${rnd.pick(WORDS.kind)}`,
    );
    const place = rnd.pick(spec.places);
    const addr = address(rnd, place, spec.country);
    const exempt = !person && /School|Church|Council/.test(displayName);
    customers.push(
      books.create(
        'Customer',
        {
          DisplayName: displayName,
          ...(person ? { GivenName: given, FamilyName: family } : { CompanyName: displayName }),
          PrimaryEmailAddr: { Address: `${displayName.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com` },
          BillAddr: addr,
          ShipAddr: { ...addr },
          ...(spec.country === 'US' ? { Taxable: !exempt } : {}),
        },
        inside,
      ),
    );
  }
  for (let i = 0; i < spec.counts.vendors; i++) {
    const displayName = uniqueName(() => `${rnd.pick(WORDS.org)} ${rnd.pick(WORDS.vendor)}`);
    books.create(
      'Vendor',
      {
        DisplayName: displayName,
        CompanyName: displayName,
        BillAddr: address(rnd, rnd.pick(spec.places), spec.country),
      },
      inside,
    );
  }
  for (let i = 0; i < spec.counts.employees; i++) {
    let given = '';
    let family = '';
    uniqueName(() => {
      given = rnd.pick(WORDS.given);
      family = rnd.pick(WORDS.family);
      return `${given} ${family}`;
    });
    books.create(
      'Employee',
      {
        GivenName: given,
        FamilyName: family,
        PrimaryAddr: address(rnd, rnd.pick(spec.places), spec.country),
      },
      inside,
    );
  }

  // History: estimates and invoices in date order, numbered from 1001 by QuickBooks.
  const retiring = new Set(customers.slice(-spec.counts.inactiveCustomers).map((c) => c.Id));
  const sellable = [...company.entities.Item.values()].filter((i) => i.Active && i.Type !== 'Category');
  const docs: { kind: 'Estimate' | 'Invoice'; day: number }[] = [];
  for (let i = 0; i < spec.counts.estimates; i++)
    docs.push({ kind: 'Estimate', day: rnd.int(NEWEST_DAYS + 5, OLDEST_DAYS) });
  for (let i = 0; i < spec.counts.invoices; i++)
    docs.push({ kind: 'Invoice', day: rnd.int(NEWEST_DAYS + 5, OLDEST_DAYS) });
  docs.sort((a, b) => b.day - a.day);
  const invoices: Entity[] = [];
  for (const doc of docs) {
    t = nowMs - doc.day * DAY_MS + rnd.int(8, 18) * 3_600_000;
    const customer = rnd.pick(customers);
    const body: Entity = {
      CustomerRef: { value: customer.Id },
      TxnDate: qboDate(t),
      Line: lines(rnd, company, spec, sellable, customer),
      ...(rnd.chance(0.5) ? { CustomerMemo: { value: rnd.pick(WORDS.memo) || 'Thank you!' } } : {}),
    };
    if (doc.kind === 'Estimate') {
      body.ExpirationDate = qboDate(t + 30 * DAY_MS);
      body.TxnStatus = rnd.pick(['Pending', 'Accepted', 'Closed', 'Rejected']);
      books.create('Estimate', body, inside);
    } else {
      invoices.push(books.create('Invoice', body, inside));
    }
  }

  // Payments: most older invoices are paid (some in part); every invoice of a retiring customer in full.
  for (const invoice of invoices) {
    const retiringCustomer = retiring.has(invoice.CustomerRef.value);
    const roll = rnd.next();
    if (!retiringCustomer && roll > 0.6) continue;
    const current = company.entities.Invoice.get(invoice.Id)!;
    const full = retiringCustomer || roll < 0.45;
    const amount = full ? current.Balance : Math.round(current.Balance * 50) / 100;
    if (amount <= 0) continue;
    const paidAt = Date.parse(`${invoice.TxnDate}T12:00:00Z`) + rnd.int(3, 40) * DAY_MS;
    t = Math.min(paidAt, nowMs - (NEWEST_DAYS - 1) * DAY_MS);
    books.create(
      'Payment',
      {
        CustomerRef: { value: invoice.CustomerRef.value },
        TotalAmt: amount,
        TxnDate: qboDate(t),
        PaymentRefNum: String(rnd.int(1000, 9999)),
        Line: [{ Amount: amount, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
      },
      inside,
    );
  }

  t = nowMs - (NEWEST_DAYS - 1) * DAY_MS;
  for (const id of retiring) books.update('Customer', { Id: id, sparse: true, Active: false }, inside);
  return company;
}

function address(rnd: Prng, place: Place, country: 'US' | 'CA'): Entity {
  return {
    Line1: `${rnd.int(10, 2999)} ${rnd.pick(WORDS.street)}`,
    City: place.city,
    CountrySubDivisionCode: place.region,
    PostalCode: place.postal,
    Country: country === 'CA' ? 'Canada' : 'USA',
  };
}

/** 1–4 sales lines; some with a credit (negative) line, some with a discount line. */
function lines(rnd: Prng, company: Company, spec: CompanySpec, items: Entity[], customer: Entity): Entity[] {
  const out: Entity[] = [];
  const region = customer.ShipAddr?.CountrySubDivisionCode as string;
  const provinceCode = company.taxRegions[region] ?? '3';
  const n = rnd.int(1, 4);
  let subtotal = 0;
  for (let i = 0; i < n; i++) {
    const item = rnd.pick(items);
    const qty = rnd.chance(0.2) ? rnd.int(1, 8) + 0.5 : rnd.int(1, 12);
    const price = Number(item.UnitPrice) || rnd.int(50, 900);
    const amount = Math.round(qty * price * 100) / 100;
    subtotal += amount;
    out.push({
      DetailType: 'SalesItemLineDetail',
      Amount: amount,
      Description: item.Description ?? item.Name,
      SalesItemLineDetail: {
        ItemRef: { value: item.Id },
        Qty: qty,
        UnitPrice: price,
        TaxCodeRef: { value: taxCodeFor(rnd, spec, item, provinceCode) },
      },
    });
  }
  const services = company.entities.Item.get(company.defaultItemId)!;
  if (rnd.chance(0.15) && subtotal > 100) {
    const credit = Math.round(subtotal * rnd.int(5, 25)) / 100;
    out.push({
      DetailType: 'SalesItemLineDetail',
      Amount: -credit,
      Description: 'Credit: equipment returned early',
      SalesItemLineDetail: {
        ItemRef: { value: services.Id },
        Qty: 1,
        UnitPrice: -credit,
        TaxCodeRef: { value: taxCodeFor(rnd, spec, services, provinceCode) },
      },
    });
  }
  if (rnd.chance(0.25)) {
    out.push(
      rnd.chance(0.5)
        ? {
            DetailType: 'DiscountLineDetail',
            Amount: 0,
            DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 },
          }
        : { DetailType: 'DiscountLineDetail', Amount: 25, DiscountLineDetail: { PercentBased: false } },
    );
  }
  return out;
}

function taxCodeFor(rnd: Prng, spec: CompanySpec, item: Entity, provinceCode: string): string {
  if (spec.taxModel === 'per-line') return rnd.chance(0.08) ? rnd.pick(['8', '9']) : provinceCode;
  return item.Taxable ? 'TAX' : 'NON';
}

/**
 * CompanyInfo shaped like fixtures/qbo/entities/companyinfo-read.php-sdk.json (copied here because the
 * emulator must not read ../shared at run time).
 */
function companyInfo(spec: CompanySpec, createdMs: number): Entity {
  const addr = {
    Id: '1',
    Line1: spec.address.line1,
    City: spec.address.city,
    CountrySubDivisionCode: spec.address.region,
    PostalCode: spec.address.postal,
    Country: spec.country,
  };
  return {
    CompanyName: spec.name,
    LegalName: spec.name,
    CompanyAddr: { ...addr },
    CustomerCommunicationAddr: { ...addr },
    LegalAddr: { ...addr },
    PrimaryPhone: {},
    CompanyStartDate: qboTimestamp(createdMs).slice(0, 10),
    FiscalYearStartMonth: 'January',
    Country: spec.country,
    Email: { Address: `books@${spec.realmId}.example.com` },
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
      { Name: 'IsQbdtMigrated', Value: 'false' },
      { Name: 'AutomatedSalesTax', Value: String(spec.taxModel === 'automated') },
    ],
    domain: 'QBO',
    sparse: false,
    Id: '1',
    SyncToken: '0',
    MetaData: { CreateTime: qboTimestamp(createdMs), LastUpdatedTime: qboTimestamp(createdMs) },
  };
}
