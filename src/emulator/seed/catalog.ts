/**
 * The static part of the seeded companies: items, tax rates and codes, and the words customer, vendor and
 * employee names are made of. Shapes follow Intuit's sandbox companies (Item 1 is not a usable default, the
 * built-in "Services" and "Hours" exist, US automated sales tax uses TAX/NON on lines and a combined code per
 * place, Canadian companies name a GST/HST code on every line).
 */

export interface ItemSpec {
  name: string;
  type: 'Service' | 'NonInventory' | 'Category';
  price?: number;
  taxable?: boolean;
  active?: boolean;
  description?: string;
}

export interface RateSpec {
  name: string;
  rate: number;
  agency: string;
}

export interface CodeSpec {
  /** TaxCode Id (US automated sales tax: numeric ids for the combined codes). */
  id: string;
  name: string;
  description: string;
  /** Names of RateSpecs. */
  rates: string[];
  /** Regions (state or province codes) whose customers this code applies to. */
  regions: string[];
  active?: boolean;
}

export interface Place {
  city: string;
  region: string;
  postal: string;
}

export interface CompanySpec {
  realmId: string;
  name: string;
  seed: number;
  country: 'US' | 'CA';
  taxModel: 'automated' | 'per-line' | 'none';
  address: { line1: string; city: string; region: string; postal: string };
  items: ItemSpec[];
  rates: RateSpec[];
  codes: CodeSpec[];
  places: Place[];
  counts: {
    customers: number;
    inactiveCustomers: number;
    vendors: number;
    employees: number;
    estimates: number;
    invoices: number;
  };
}

const AV_ITEMS: ItemSpec[] = [
  { name: 'Services', type: 'Service', taxable: false },
  { name: 'Hours', type: 'Service', taxable: false },
  {
    name: 'PA System Rental',
    type: 'Service',
    price: 450,
    taxable: true,
    description: 'Powered PA, two tops and a sub, per day',
  },
  {
    name: 'Wireless Mic Kit',
    type: 'NonInventory',
    price: 85,
    taxable: true,
    description: 'Handheld wireless microphone, receiver and batteries',
  },
  {
    name: 'LED Par Can (per day)',
    type: 'Service',
    price: 12.375,
    taxable: true,
    description: 'RGBW LED par, per fixture per day',
  },
  { name: 'Stage Deck 4x8', type: 'Service', price: 65, taxable: true },
  { name: 'Crew Labor', type: 'Service', price: 62.5, taxable: false, description: 'Stagehand, per hour' },
  {
    name: 'Audio Engineer',
    type: 'Service',
    price: 95,
    taxable: false,
    description: 'FOH engineer, per hour',
  },
  { name: 'Truck & Delivery', type: 'Service', price: 175, taxable: false },
  {
    name: 'Gaffer Tape',
    type: 'NonInventory',
    price: 8.995,
    taxable: true,
    description: '2" black gaffer tape, per roll',
  },
  { name: 'Projector 10K Lumen', type: 'Service', price: 600, taxable: true },
  {
    name: 'Damage Waiver',
    type: 'Service',
    price: 0.0875,
    taxable: false,
    description: 'Per dollar of rental value',
  },
  { name: 'Analog Cable Snake', type: 'NonInventory', price: 40, taxable: true, active: false },
  { name: 'Fog Machine (retired)', type: 'Service', price: 55, taxable: true, active: false },
];

const US_PLACES: Place[] = [
  { city: 'Oakland', region: 'CA', postal: '94607' },
  { city: 'Berkeley', region: 'CA', postal: '94704' },
  { city: 'San Jose', region: 'CA', postal: '95113' },
  { city: 'Reno', region: 'NV', postal: '89501' },
  { city: 'Seattle', region: 'WA', postal: '98101' },
  { city: 'Portland', region: 'OR', postal: '97204' },
];

const CA_PLACES: Place[] = [
  { city: 'Toronto', region: 'ON', postal: 'M5V 2T6' },
  { city: 'Ottawa', region: 'ON', postal: 'K1P 1J1' },
  { city: 'Vancouver', region: 'BC', postal: 'V6B 1A1' },
  { city: 'Montréal', region: 'QC', postal: 'H2Y 1C6' },
  { city: 'Calgary', region: 'AB', postal: 'T2P 1J9' },
  { city: 'Halifax', region: 'NS', postal: 'B3J 1S9' },
];

export const COMPANY_SPECS: CompanySpec[] = [
  {
    realmId: '9130350000000001',
    name: 'Heavy AV Demo Productions',
    seed: 0x4a11,
    country: 'US',
    taxModel: 'automated',
    address: { line1: '1 Stage Door Way', city: 'Oakland', region: 'CA', postal: '94607' },
    // Item 1 is a category, as in companies that organised their products: no sales line can use it.
    items: [{ name: 'Rentals', type: 'Category' }, ...AV_ITEMS],
    rates: [
      { name: 'California State', rate: 7.25, agency: 'California Department of Tax and Fee Administration' },
      {
        name: 'Alameda County District',
        rate: 2,
        agency: 'California Department of Tax and Fee Administration',
      },
      {
        name: 'Santa Clara County District',
        rate: 2.125,
        agency: 'California Department of Tax and Fee Administration',
      },
      { name: 'Nevada State', rate: 6.85, agency: 'Nevada Department of Taxation' },
      { name: 'Washoe County', rate: 1.415, agency: 'Nevada Department of Taxation' },
      { name: 'Washington State', rate: 6.5, agency: 'Washington Department of Revenue' },
      { name: 'Seattle City', rate: 3.85, agency: 'Washington Department of Revenue' },
    ],
    codes: [
      {
        id: '2',
        name: 'Alameda County, CA',
        description: 'California, Alameda County',
        rates: ['California State', 'Alameda County District'],
        regions: ['CA'],
      },
      {
        id: '3',
        name: 'Santa Clara County, CA',
        description: 'California, Santa Clara County',
        rates: ['California State', 'Santa Clara County District'],
        regions: [],
      },
      {
        id: '4',
        name: 'Washoe County, NV',
        description: 'Nevada, Washoe County',
        rates: ['Nevada State', 'Washoe County'],
        regions: ['NV'],
      },
      {
        id: '5',
        name: 'Seattle, WA',
        description: 'Washington, Seattle',
        rates: ['Washington State', 'Seattle City'],
        regions: ['WA'],
      },
      { id: '6', name: 'Out of state', description: 'No sales tax collected', rates: [], regions: ['OR'] },
    ],
    places: US_PLACES,
    counts: { customers: 36, inactiveCustomers: 5, vendors: 12, employees: 7, estimates: 40, invoices: 90 },
  },
  {
    realmId: '9130350000000002',
    name: 'Blue Stage Rentals Ltd',
    seed: 0xb1e5,
    country: 'CA',
    taxModel: 'per-line',
    address: { line1: '200 Front St W', city: 'Toronto', region: 'ON', postal: 'M5V 3K2' },
    // Item 1 was made inactive years ago; its name is kept as QuickBooks keeps it.
    items: [{ name: 'Legacy Services', type: 'Service', active: false }, ...AV_ITEMS],
    rates: [
      { name: 'GST', rate: 5, agency: 'Canada Revenue Agency' },
      { name: 'HST ON', rate: 13, agency: 'Canada Revenue Agency' },
      { name: 'HST NS', rate: 14, agency: 'Canada Revenue Agency' },
      { name: 'PST BC', rate: 7, agency: 'Ministry of Finance (BC)' },
      { name: 'QST', rate: 9.975, agency: 'Revenu Québec' },
      { name: 'Exempt', rate: 0, agency: 'Canada Revenue Agency' },
      { name: 'Zero-rated', rate: 0, agency: 'Canada Revenue Agency' },
    ],
    codes: [
      { id: '3', name: 'GST', description: 'GST', rates: ['GST'], regions: ['AB'] },
      { id: '4', name: 'HST ON', description: 'HST Ontario', rates: ['HST ON'], regions: ['ON'] },
      { id: '5', name: 'HST NS', description: 'HST Nova Scotia', rates: ['HST NS'], regions: ['NS'] },
      {
        id: '6',
        name: 'GST/PST BC',
        description: 'GST/PST British Columbia',
        rates: ['GST', 'PST BC'],
        regions: ['BC'],
      },
      { id: '7', name: 'GST/QST QC', description: 'GST/QST Quebec', rates: ['GST', 'QST'], regions: ['QC'] },
      { id: '8', name: 'Exempt', description: 'Exempt', rates: ['Exempt'], regions: [] },
      { id: '9', name: 'Zero-rated', description: 'Zero-rated', rates: ['Zero-rated'], regions: [] },
      {
        id: '10',
        name: 'HST NS 15%',
        description: 'HST Nova Scotia before April 2025',
        rates: [],
        regions: [],
        active: false,
      },
    ],
    places: CA_PLACES,
    counts: { customers: 28, inactiveCustomers: 4, vendors: 9, employees: 5, estimates: 25, invoices: 55 },
  },
  {
    realmId: '9130350000000003',
    name: 'Empty Test Co',
    seed: 0xe3,
    country: 'US',
    taxModel: 'none',
    address: { line1: '10 Blank Slate Rd', city: 'Reno', region: 'NV', postal: '89501' },
    // What a brand-new QuickBooks company holds.
    items: [
      { name: 'Services', type: 'Service', taxable: false },
      { name: 'Hours', type: 'Service', taxable: false },
    ],
    rates: [],
    codes: [],
    places: [],
    counts: { customers: 0, inactiveCustomers: 0, vendors: 0, employees: 0, estimates: 0, invoices: 0 },
  },
];

export const WORDS = {
  org: [
    'Bayside',
    'Redwood',
    'Harbor',
    'Summit',
    'Lakeshore',
    'Granite',
    'Cedar',
    'Golden Gate',
    'Northgate',
    'Silverline',
    'Riverside',
    'Blue Oak',
    'Maple',
    'Union',
    'Pioneer',
    'Crescent',
    'Highland',
    'Old Town',
  ],
  kind: [
    'Theatre Co',
    'Events',
    'Church',
    'Conference Center',
    'Film Festival',
    'Weddings',
    'High School',
    'Music Hall',
    'Productions',
    'Arts Council',
    'Brewing',
    'Rotary Club',
  ],
  given: [
    'Jordan',
    'Avery',
    'Sam',
    'Priya',
    'Mateo',
    'Grace',
    'Noah',
    'Lena',
    'Omar',
    'Hana',
    'Felix',
    'Rosa',
    'Theo',
    'Maya',
    'Ivan',
    'Chloé',
  ],
  family: [
    'Ellis',
    'Nguyen',
    'Okafor',
    'Martínez',
    'Kowalski',
    'Brennan',
    'Tanaka',
    'Haddad',
    'Lindqvist',
    'Moreau',
    "O'Connor",
    'Singh',
    'Walsh',
    'Abara',
  ],
  vendor: [
    'Rigging Supply',
    'Cable & Connector',
    'Truck Rental',
    'Lamp Depot',
    'Staging Wholesale',
    'Battery Outlet',
    'Fabrics',
    'Insurance Group',
    'Fuel Card',
    'Freight Lines',
    'Electric Co-op',
    'Print Shop',
  ],
  street: [
    'Main St',
    'Harbor Blvd',
    'Market St',
    'Broadway',
    'Park Ave',
    'King St',
    'Queen St W',
    'Mission St',
    '2nd Ave',
  ],
  memo: [
    'Thank you for your business!',
    'Load-in at 8 am, strike by midnight.',
    'Includes delivery and pickup.',
    '',
  ],
};
