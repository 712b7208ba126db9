/**
 * The two mappers side by side: Heavy AV records → QuickBooks payloads (mapping/to-quickbooks) and
 * QuickBooks entities → Heavy AV fields (mapping/from-quickbooks). A record sent and read back is the same
 * record, for every field Heavy AV models; QuickBooks' own entities (real payloads in test/fixtures/qbo)
 * read as expected; limits, blanks and money in cents hold at the edges.
 */
import { expect } from 'chai';
import { lineAmountCents } from '../../src/documents/money.js';
import { qboString } from '../../src/quickbooks/intuit/query.js';
import {
  customerFieldsFrom,
  documentFieldsFrom,
  scaled,
  updatedAtMs,
} from '../../src/quickbooks/mapping/from-quickbooks.js';
import {
  customerPayload,
  documentPayload,
  type LineSetup,
  payloadHash,
} from '../../src/quickbooks/mapping/to-quickbooks.js';
import { qboFixture } from './fixtures.js';

/** What crosses the wire: JSON text, parsed again on the other side. */
const wire = <T>(payload: T): any => JSON.parse(JSON.stringify(payload));

const BLANK_CUSTOMER = {
  displayName: '',
  companyName: '',
  email: '',
  phone: '',
  billingLine1: '',
  billingCity: '',
  billingRegion: '',
  billingPostalCode: '',
  billingCountry: '',
};

function customer(fields: Partial<typeof BLANK_CUSTOMER>) {
  return { id: 12, ...BLANK_CUSTOMER, ...fields };
}

type Line = { description: string; quantityThousandths: number; unitPriceCents: number };

/** A company without sales tax whose card names item 7 as the default. */
const SETUP: LineSetup = { defaultItemId: '7', defaultTaxCodeId: null, taxMode: 'none' };

const NO_ACCOUNTING: {
  itemId: string | null;
  itemName: string | null;
  taxCodeId: string | null;
  taxable: boolean | null;
  serviceDate: string | null;
  externalLineId: string | null;
} = {
  itemId: null,
  itemName: null,
  taxCodeId: null,
  taxable: null,
  serviceDate: null,
  externalLineId: null,
};

/** A line as it comes back from QuickBooks: with the item it was sent with. */
const withItem = (l: Line, itemId = '7') => ({ ...l, ...NO_ACCOUNTING, itemId });

function doc(fields: { lines: Line[] } & Record<string, unknown>) {
  return {
    id: 40,
    customerId: 12,
    docNumber: '1001',
    txnDate: '2026-11-28',
    closingDate: null as string | null,
    memo: '',
    status: 'open',
    managed: false,
    ...fields,
    lines: fields.lines.map((l) => ({
      ...NO_ACCOUNTING,
      ...l,
      amountCents: lineAmountCents(l.quantityThousandths, l.unitPriceCents),
    })),
  };
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('mapping: a customer sent to QuickBooks and read back is the same customer', () => {
  const customers: [string, Partial<typeof BLANK_CUSTOMER>][] = [
    [
      'every field',
      {
        displayName: 'Stagecraft Rentals Ltd',
        companyName: 'Stagecraft Rentals',
        email: 'bookings@stagecraft.example',
        phone: '+44 20 7946 0000',
        billingLine1: '12 Wharf Road',
        billingCity: 'London',
        billingRegion: 'Greater London',
        billingPostalCode: 'N1 7GR',
        billingCountry: 'United Kingdom',
      },
    ],
    ['the display name only', { displayName: 'Walk-in' }],
    ['part of an address', { displayName: 'Ada', billingCity: 'Tucson' }],
    ['accents, quotes and symbols', { displayName: 'Café "Über" & Söhne’s', companyName: 'Ça va <SA>' }],
    [
      'every field at its limit',
      {
        displayName: 'd'.repeat(100),
        companyName: 'c'.repeat(100),
        email: `${'e'.repeat(88)}@example.com`,
        phone: '9'.repeat(30),
        billingLine1: 'l'.repeat(500),
        billingCity: 't'.repeat(255),
        billingRegion: 'r'.repeat(100),
        billingPostalCode: 'p'.repeat(30),
        billingCountry: 'k'.repeat(255),
      },
    ],
  ];
  for (const [name, fields] of customers) {
    it(name, () => {
      const back = customerFieldsFrom(wire(customerPayload(customer(fields))));
      expect(back).to.deep.equal({ ...BLANK_CUSTOMER, ...fields, active: true });
    });
  }
});

describe('mapping: an estimate or invoice sent to QuickBooks and read back is the same document', () => {
  const documents: [string, 'estimate' | 'invoice', Record<string, unknown>, Line[]][] = [
    [
      'an invoice with a due date, a memo and lines',
      'invoice',
      { docNumber: 'INV-7', closingDate: '2026-12-28', memo: 'Thank you.\nSee you at the gig.' },
      [
        { description: 'PA system, day hire', quantityThousandths: 1000, unitPriceCents: 45000 },
        { description: 'Cable (per metre)', quantityThousandths: 12500, unitPriceCents: 199 },
        { description: 'Technician hours', quantityThousandths: 1500, unitPriceCents: 3500 },
      ],
    ],
    [
      'an estimate with an expiration date',
      'estimate',
      { docNumber: 'EST-1', closingDate: '2027-01-31', memo: 'Valid for 60 days' },
      [{ description: 'Lighting rig', quantityThousandths: 2000, unitPriceCents: 120000 }],
    ],
    [
      'no closing date and no memo',
      'invoice',
      {},
      [{ description: 'Mic', quantityThousandths: 1000, unitPriceCents: 2500 }],
    ],
    [
      'awkward money: cents that are not exact in binary, thousandths of a unit, zero',
      'invoice',
      { docNumber: '21-char-doc-number-xx' },
      [
        { description: 'a', quantityThousandths: 3, unitPriceCents: 29 },
        { description: 'b', quantityThousandths: 333, unitPriceCents: 115 },
        { description: 'c', quantityThousandths: 1000, unitPriceCents: 1 },
        { description: 'd', quantityThousandths: 0, unitPriceCents: 0 },
        { description: 'e', quantityThousandths: 1, unitPriceCents: 1999 },
      ],
    ],
    [
      'the largest quantity and price a form accepts',
      'estimate',
      {},
      [{ description: 'x'.repeat(4000), quantityThousandths: 1_000_000_000, unitPriceCents: 1_000_000_000 }],
    ],
  ];
  for (const [name, kind, fields, lines] of documents) {
    it(`${kind}: ${name}`, () => {
      const record = doc({ ...fields, lines });
      const back = documentFieldsFrom(wire(documentPayload(kind, record, '58', SETUP)), kind, 12);
      expect(back).to.deep.equal({
        customerId: 12,
        docNumber: record.docNumber,
        txnDate: record.txnDate,
        closingDate: record.closingDate,
        memo: record.memo,
        lines: lines.map((l) => withItem(l)),
        managedLines: null,
      });
    });
  }

  it('keeps exact cents and thousandths for 2,000 random lines (seeded)', () => {
    const next = random(20261128);
    const int = (max: number) => Math.floor(next() * (max + 1));
    for (let d = 0; d < 20; d++) {
      const lines = Array.from({ length: 100 }, (_, i) => ({
        description: `line ${i}`,
        // Mostly everyday sizes, sometimes anything up to the form's limits.
        quantityThousandths: next() < 0.8 ? int(100_000) : int(1_000_000_000),
        unitPriceCents: next() < 0.8 ? int(500_000) : int(1_000_000_000),
      }));
      const kind = d % 2 ? 'invoice' : 'estimate';
      const back = documentFieldsFrom(wire(documentPayload(kind, doc({ lines }), '58', SETUP)), kind, 12);
      expect(back.lines).to.deep.equal(lines.map((l) => withItem(l)));
    }
  });
});

describe('mapping to QuickBooks: the payload', () => {
  it('leaves out blank fields, and the address when all of it is blank', () => {
    expect(customerPayload(customer({ displayName: 'Walk-in' }))).to.deep.equal({ DisplayName: 'Walk-in' });
    expect(customerPayload(customer({ displayName: 'A', billingPostalCode: '85719' }))).to.deep.equal({
      DisplayName: 'A',
      BillAddr: { PostalCode: '85719' },
    });
  });

  it('writes money in cents as decimal amounts, and quantities in thousandths as decimals', () => {
    const payload = documentPayload(
      'invoice',
      doc({
        lines: [
          { description: 'a', quantityThousandths: 1500, unitPriceCents: 1999 },
          { description: 'b', quantityThousandths: 3, unitPriceCents: 29 },
        ],
      }),
      '58',
      SETUP,
    );
    const text = JSON.stringify(payload);
    // 1.5 × 19.99 = 29.985 → 29.99 (half away from zero); 0.003 × 0.29 → 0.00
    expect(text).to.contain('"Amount":29.99,').and.contain('"Qty":1.5,"UnitPrice":19.99');
    expect(text).to.contain('"Amount":0,').and.contain('"Qty":0.003,"UnitPrice":0.29');
  });

  it("puts the closing date where each kind keeps it, and refers to the customer and the card's default item", () => {
    const record = doc({
      closingDate: '2027-01-31',
      lines: [{ description: 'a', quantityThousandths: 1000, unitPriceCents: 100 }],
    });
    const invoice = documentPayload('invoice', record, '58', SETUP);
    const estimate = documentPayload('estimate', record, '58', SETUP);
    expect(invoice).to.include({ DueDate: '2027-01-31' }).and.not.have.property('ExpirationDate');
    expect(estimate).to.include({ ExpirationDate: '2027-01-31' }).and.not.have.property('DueDate');
    expect(invoice.CustomerRef).to.deep.equal({ value: '58' });
    const [line] = invoice.Line as any[];
    expect(line.DetailType).to.equal('SalesItemLineDetail');
    expect(line.SalesItemLineDetail.ItemRef).to.deep.equal({ value: '7' });
  });

  it('hashes equal payloads equally and any change differently', () => {
    const a = customerPayload(customer({ displayName: 'Ada', email: 'ada@example.com' }));
    const same = customerPayload(customer({ displayName: 'Ada', email: 'ada@example.com' }));
    const other = customerPayload(customer({ displayName: 'Ada', email: 'ada@example.org' }));
    expect(payloadHash(a))
      .to.equal(payloadHash(same))
      .and.match(/^[0-9a-f]{64}$/);
    expect(payloadHash(a)).to.not.equal(payloadHash(other));
  });

  const literals: [string, string][] = [
    ['Plain', "'Plain'"],
    ["Amy's Bird Sanctuary", "'Amy\\'s Bird Sanctuary'"],
    ['back\\slash', "'back\\\\slash'"],
    ["\\'", "'\\\\\\''"],
    ['', "''"],
  ];
  for (const [value, literal] of literals) {
    it(`quotes ${JSON.stringify(value)} for a query as ${literal}`, () =>
      expect(qboString(value)).to.equal(literal));
  }
});

/** The four sales lines of the qbo_api estimate, each with its item, tax code and line id. */
const ESTIMATE_LINES = [
  ['1', 'Custom Design', 4000, 7500, '4', 'Design'],
  ['2', 'Installation of landscape design', 5000, 5000, '7', 'Installation'],
  ['3', 'Rock Fountain', 1000, 27500, '5', 'Rock Fountain'],
  ['4', 'Garden Rocks', 8000, 2250, '13', 'Rocks'],
].map(([id, description, quantityThousandths, unitPriceCents, itemId, itemName]) => ({
  description,
  quantityThousandths,
  unitPriceCents,
  ...NO_ACCOUNTING,
  itemId,
  itemName,
  taxCodeId: 'NON',
  taxable: false,
  externalLineId: id,
}));

describe('mapping from QuickBooks: real entities', () => {
  it('a customer (qbo_api customer read)', () => {
    expect(customerFieldsFrom(qboFixture('entities/customer-read.qbo_api.json').Customer)).to.deep.equal({
      displayName: 'Dukes Basketball Camp',
      companyName: 'Dukes Basketball Camp',
      email: 'Dukes_bball@intuit.com',
      phone: '(520) 420-5638',
      billingLine1: '25 Court St.',
      billingCity: 'Tucson',
      billingRegion: 'AZ',
      billingPostalCode: '85719',
      billingCountry: '',
      active: true,
    });
  });

  it('an estimate with four sales lines and a subtotal line (qbo_api CDC)', () => {
    const estimate = qboFixture('entities/estimate-entity-extracted-from-cdc.qbo_api.json');
    expect(documentFieldsFrom(estimate, 'estimate', 3)).to.deep.equal({
      customerId: 3,
      docNumber: '1001',
      txnDate: '2015-10-05',
      closingDate: null,
      memo: 'Thank you for your business and have a great day!',
      lines: ESTIMATE_LINES,
      managedLines: null,
    });
  });

  it('an invoice line with neither description, quantity nor price (qbo_api invoice create)', () => {
    const invoice = qboFixture('entities/invoice-create.qbo_api.json').Invoice;
    expect(documentFieldsFrom(invoice, 'invoice', 3)).to.deep.equal({
      customerId: 3,
      docNumber: '1043',
      txnDate: '2020-09-29',
      closingDate: '2020-10-29',
      memo: '',
      lines: [
        {
          description: 'Services',
          quantityThousandths: 1000,
          unitPriceCents: 10000,
          ...NO_ACCOUNTING,
          itemId: '1',
          itemName: 'Services',
          taxCodeId: 'NON',
          taxable: false,
          externalLineId: '1',
        },
      ],
      managedLines: null,
      // Balance 100: nothing paid yet (the invoice's status reads it).
      balanceCents: 10000,
    });
  });

  it('an invoice of 100,055.55 (Java SDK invoice read)', () => {
    const invoice = qboFixture('entities/invoice-read.java-sdk.json').Invoice;
    const fields = documentFieldsFrom(invoice, 'invoice', 3);
    expect(fields.lines).to.deep.equal([
      {
        description: 'Opening Balance',
        quantityThousandths: 1000,
        unitPriceCents: 10005555,
        ...NO_ACCOUNTING,
        itemId: '1',
        itemName: 'Services',
        taxCodeId: 'NON',
        taxable: false,
        externalLineId: '1',
      },
    ]);
    expect(fields.closingDate).to.equal('2015-08-10');
  });
});

describe('mapping from QuickBooks: edge cases', () => {
  const customers: [string, Record<string, unknown>, Partial<ReturnType<typeof customerFieldsFrom>>][] = [
    ['nothing at all: blanks, active', {}, { ...BLANK_CUSTOMER, active: true }],
    ['inactive', { DisplayName: 'Old', Active: false }, { displayName: 'Old', active: false }],
    [
      'values longer than ours are cut, not refused',
      { DisplayName: 'd'.repeat(150), PrimaryPhone: { FreeFormNumber: '1'.repeat(40) } },
      { displayName: 'd'.repeat(100), phone: '1'.repeat(30) },
    ],
    [
      'the sub-customer separator and tabs become spaces',
      { DisplayName: 'Parent:Child\tTwo' },
      { displayName: 'Parent Child Two' },
    ],
    [
      'surrounding spaces are trimmed',
      { DisplayName: '  Ada  ', CompanyName: ' ' },
      { displayName: 'Ada', companyName: '' },
    ],
    [
      'an email our form would refuse is dropped, not the customer',
      { DisplayName: 'A', PrimaryEmailAddr: { Address: 'not an email' } },
      { displayName: 'A', email: '' },
    ],
    [
      'numbers are read as text',
      { DisplayName: 12345, BillAddr: { PostalCode: 85719 } },
      { displayName: '12345', billingPostalCode: '85719' },
    ],
    [
      'objects where text belongs are blanks',
      { DisplayName: { value: 'x' }, PrimaryPhone: 'not an object' },
      { displayName: '', phone: '' },
    ],
  ];
  for (const [name, qbo, expected] of customers) {
    it(`customer: ${name}`, () => expect(customerFieldsFrom(qbo)).to.include(expected));
  }

  const line = (extra: Record<string, unknown>) => ({ DetailType: 'SalesItemLineDetail', ...extra });
  const item = { ItemRef: { value: '2' } };
  const kept = (l: Line) => withItem(l, '2');
  // Lines Heavy AV keeps exactly, with their item.
  const modelled: [string, Record<string, unknown>, ReturnType<typeof kept>[]][] = [
    [
      'decimal strings',
      {
        Line: [
          line({
            Description: 'a',
            Amount: '29.99',
            SalesItemLineDetail: { ...item, Qty: '1.5', UnitPrice: '19.99' },
          }),
        ],
      },
      [kept({ description: 'a', quantityThousandths: 1500, unitPriceCents: 1999 })],
    ],
    [
      'no quantity and no price: one unit at the amount',
      { Line: [line({ Description: 'a', Amount: 5, SalesItemLineDetail: item })] },
      [kept({ description: 'a', quantityThousandths: 1000, unitPriceCents: 500 })],
    ],
    [
      'no description: the item’s name',
      {
        Line: [
          line({ Amount: 1, SalesItemLineDetail: { ItemRef: { value: '2', name: 'Hours' }, UnitPrice: 1 } }),
        ],
      },
      [
        {
          ...kept({ description: 'Hours', quantityThousandths: 1000, unitPriceCents: 100 }),
          itemName: 'Hours',
        },
      ],
    ],
    [
      'a description over 4,000 characters is cut',
      {
        Line: [
          line({ Description: 'x'.repeat(4100), Amount: 1, SalesItemLineDetail: { ...item, UnitPrice: 1 } }),
        ],
      },
      [kept({ description: 'x'.repeat(4000), quantityThousandths: 1000, unitPriceCents: 100 })],
    ],
    [
      'service date, tax code and QuickBooks line id are kept; the trailing subtotal line is QuickBooks’ own',
      {
        Line: [
          line({
            Id: '9',
            Description: 'a',
            Amount: 130,
            SalesItemLineDetail: {
              ...item,
              Qty: 2,
              UnitPrice: 65,
              ServiceDate: '2026-11-01',
              TaxCodeRef: { value: 'TAX' },
            },
          }),
          { DetailType: 'SubTotalLineDetail', Amount: 130, SubTotalLineDetail: {} },
        ],
      },
      [
        {
          ...kept({ description: 'a', quantityThousandths: 2000, unitPriceCents: 6500 }),
          taxCodeId: 'TAX',
          taxable: true,
          serviceDate: '2026-11-01',
          externalLineId: '9',
        },
      ],
    ],
  ];
  for (const [name, qbo, expected] of modelled) {
    it(`lines: ${name}`, () => {
      const fields = documentFieldsFrom(qbo, 'invoice', 1);
      expect(fields.lines).to.deep.equal(expected);
      expect(fields.managedLines).to.equal(null);
    });
  }

  // Anything Heavy AV cannot model exactly: the lines stay QuickBooks' own (managed there), never rewritten.
  const managed: [string, Record<string, unknown>][] = [
    ['no sales lines', { TotalAmt: 12.34, Line: [{ DetailType: 'SubTotalLineDetail', Amount: 12.34 }] }],
    ['no lines at all', {}],
    [
      'a price worked out from amount and quantity',
      { Line: [line({ Amount: 10, SalesItemLineDetail: { ...item, Qty: 3 } })] },
    ],
    [
      'a credit (negative quantity and price)',
      { Line: [line({ Amount: -5, SalesItemLineDetail: { ...item, Qty: -1, UnitPrice: -5 } })] },
    ],
    [
      'a price below a cent',
      { Line: [line({ Amount: 37.13, SalesItemLineDetail: { ...item, Qty: 3, UnitPrice: 12.375 } })] },
    ],
    [
      'a quantity beyond thousandths',
      { Line: [line({ Amount: 1, SalesItemLineDetail: { ...item, Qty: 0.0001, UnitPrice: 10000 } })] },
    ],
    [
      'an amount that is not quantity × price',
      { Line: [line({ Amount: 9, SalesItemLineDetail: { ...item, Qty: 2, UnitPrice: 5 } })] },
    ],
    ['a line without an item', { Line: [line({ Amount: 1, SalesItemLineDetail: { UnitPrice: 1 } })] }],
    [
      'a discount line',
      {
        Line: [
          line({ Amount: 10, SalesItemLineDetail: { ...item, Qty: 1, UnitPrice: 10 } }),
          {
            DetailType: 'DiscountLineDetail',
            Amount: 1,
            DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 },
          },
        ],
      },
    ],
    ['a description-only line', { Line: [{ DetailType: 'DescriptionOnly', Description: 'Note' }] }],
  ];
  for (const [name, qbo] of managed) {
    it(`lines managed in QuickBooks: ${name}`, () => {
      const fields = documentFieldsFrom(
        { TotalAmt: 50, TxnTaxDetail: { TotalTax: 4 }, ...qbo },
        'invoice',
        1,
      );
      expect(fields.lines).to.deep.equal([]);
      expect(fields.managedLines).to.deep.equal((qbo as { Line?: unknown[] }).Line ?? []);
      expect(fields.managedTotalCents, 'the total before tax').to.equal(
        Math.round(Number(qbo.TotalAmt ?? 50) * 100) - 400,
      );
    });
  }

  it('document: number, memo and dates at and past their limits', () => {
    const fields = documentFieldsFrom(
      {
        DocNumber: 'n'.repeat(30),
        CustomerMemo: 'm'.repeat(1200),
        TxnDate: '2026-11-28',
        DueDate: '2026-12-28',
        ExpirationDate: '2027-01-01',
      },
      'invoice',
      1,
    );
    expect(fields).to.include({
      docNumber: 'n'.repeat(21),
      memo: 'm'.repeat(1000),
      closingDate: '2026-12-28',
    });
    expect(
      documentFieldsFrom({ ExpirationDate: '2027-01-01', DueDate: '2026-12-28' }, 'estimate', 1).closingDate,
    ).to.equal('2027-01-01');
  });

  it('document: a blank number asks for the next free one; a bad date is no date', () => {
    const today = new Date().toISOString().slice(0, 10);
    const fields = documentFieldsFrom(
      { DocNumber: '  ', TxnDate: '28/11/2026', DueDate: '2026-12-1' },
      'invoice',
      1,
    );
    expect(fields.docNumber).to.equal(null);
    expect(fields.closingDate).to.equal(null);
    // The transaction date falls back to today (UTC); a run across midnight may see either day.
    expect([today, new Date().toISOString().slice(0, 10)]).to.include(fields.txnDate);
  });

  const decimals: [unknown, number, number | undefined][] = [
    [19.99, 2, 1999],
    [0.29, 2, 29], // 0.29 × 100 = 28.999999999999996 in floating point
    [1.15, 2, 115], // 114.99999999999999
    [0.285, 2, 29], // half away from zero
    [1.005, 2, 101],
    [-1.005, 2, -101],
    [100055.55, 2, 10005555],
    ['337.50', 2, 33750],
    [4.5, 3, 4500],
    [0.001, 3, 1],
    [0.0005, 3, 1],
    [1000000, 3, 1000000000],
    ['abc', 2, undefined],
    [null, 2, undefined],
    [undefined, 2, undefined],
    [Number.NaN, 2, undefined],
    [Number.POSITIVE_INFINITY, 2, undefined],
    [{}, 2, undefined],
  ];
  for (const [value, places, expected] of decimals) {
    it(`scaled(${JSON.stringify(value) ?? String(value)}, ${places}) = ${expected}`, () =>
      expect(scaled(value, places)).to.equal(expected));
  }

  const times: [unknown, number | undefined][] = [
    ['2015-10-07T11:43:20-07:00', Date.UTC(2015, 9, 7, 18, 43, 20)],
    ['2026-11-28T18:00:00.000Z', Date.UTC(2026, 10, 28, 18)],
    ['not a time', undefined],
    [1700000000000, undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of times) {
    it(`updatedAtMs(${JSON.stringify(value) ?? 'undefined'}) = ${expected}`, () =>
      expect(updatedAtMs(value)).to.equal(expected));
  }
});
