/**
 * Sparse updates (mapping/sparse.ts) and a line's item and tax code (mapping/to-quickbooks.ts linePayload):
 * table-driven, no database.
 */
import { expect } from 'chai';
import { canonical, changedFields, parseSnapshot } from '../../src/quickbooks/mapping/sparse.js';
import { type LineSetup, LineSetupError, linePayload } from '../../src/quickbooks/mapping/to-quickbooks.js';
import type { LineSnapshot } from '../../src/quickbooks/push/records-reader.js';

describe('sparse updates: only what differs from what QuickBooks holds', () => {
  const held = {
    DocNumber: '1001',
    TxnDate: '2026-11-20',
    DueDate: '2026-12-20',
    CustomerRef: { value: '58' },
    CustomerMemo: { value: 'Thanks' },
    Line: [{ DetailType: 'SalesItemLineDetail', Amount: 10 }],
  };
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['nothing changed (keys in another order): nothing', { ...held, Line: held.Line, DocNumber: '1001' }, {}],
    ['the memo only', { ...held, CustomerMemo: { value: 'Paid' } }, { CustomerMemo: { value: 'Paid' } }],
    [
      'the lines only when they changed',
      { ...held, Line: [{ DetailType: 'SalesItemLineDetail', Amount: 11 }] },
      { Line: [{ DetailType: 'SalesItemLineDetail', Amount: 11 }] },
    ],
    [
      'a memo cleared in Heavy AV is sent blank',
      { ...held, CustomerMemo: undefined },
      { CustomerMemo: { value: '' } },
    ],
    ['a due date left out is never cleared', { ...held, DueDate: undefined }, {}],
  ];
  for (const [name, now, sent] of cases) {
    it(name, () => {
      const payload = JSON.parse(JSON.stringify(now));
      expect(changedFields(payload, held)).to.deep.equal(sent);
    });
  }

  it('compares JSON whatever the order of keys', () => {
    expect(canonical({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).to.equal(
      canonical({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
    );
  });

  it('reads a stored snapshot, or none for anything unreadable', () => {
    expect(parseSnapshot('{"a":1}')).to.deep.equal({ a: 1 });
    for (const bad of [null, '', 'not json', '[1]', '3']) expect(parseSnapshot(bad)).to.equal(null);
  });
});

describe("a line's item and tax code", () => {
  const line = (extra: Partial<LineSnapshot> = {}): LineSnapshot => ({
    description: 'Crew',
    quantityThousandths: 2000,
    unitPriceCents: 5000,
    amountCents: 10000,
    itemId: null,
    itemName: null,
    taxCodeId: null,
    taxable: null,
    serviceDate: null,
    externalLineId: null,
    ...extra,
  });
  const setup = (extra: Partial<LineSetup> = {}): LineSetup => ({
    defaultItemId: '7',
    defaultTaxCodeId: null,
    taxMode: 'none',
    ...extra,
  });
  const detail = (l: LineSnapshot, s: LineSetup) => linePayload(l, s).SalesItemLineDetail;

  it("its own item, else the card's default; none at all stops the record", () => {
    expect(detail(line({ itemId: '3' }), setup()).ItemRef).to.deep.equal({ value: '3' });
    expect(detail(line(), setup()).ItemRef).to.deep.equal({ value: '7' });
    expect(() => linePayload(line(), setup({ defaultItemId: null })))
      .to.throw(LineSetupError)
      .with.property('code', 'item_missing');
  });

  const taxes: [string, Partial<LineSnapshot>, Partial<LineSetup>, string | undefined][] = [
    ['no sales tax, no code: none sent', {}, {}, undefined],
    ['a code pulled from QuickBooks is kept', { taxCodeId: 'NON' }, {}, 'NON'],
    ['automated sales tax: taxable → TAX', { taxable: true }, { taxMode: 'automated' }, 'TAX'],
    [
      'automated sales tax: not taxable → NON',
      { taxable: false, taxCodeId: 'TAX' },
      { taxMode: 'automated' },
      'NON',
    ],
    [
      'a code per line: the line’s own',
      { taxCodeId: '5' },
      { taxMode: 'per-line', defaultTaxCodeId: '4' },
      '5',
    ],
    ['a code per line: else the default', {}, { taxMode: 'per-line', defaultTaxCodeId: '4' }, '4'],
  ];
  for (const [name, l, s, code] of taxes) {
    it(name, () => expect(detail(line(l), setup(s)).TaxCodeRef?.value).to.equal(code));
  }

  it('a company that needs a code on every line and has no default stops the record', () => {
    expect(() => linePayload(line(), setup({ taxMode: 'per-line' })))
      .to.throw(LineSetupError)
      .with.property('code', 'tax_code_missing');
  });

  it('keeps the QuickBooks line id and the service date', () => {
    const sent = linePayload(line({ externalLineId: '4', serviceDate: '2026-11-01' }), setup());
    expect(sent.Id).to.equal('4');
    expect(sent.SalesItemLineDetail.ServiceDate).to.equal('2026-11-01');
  });
});
