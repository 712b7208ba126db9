/** The import's pure parts: the order of its phases, the date an admin types, the query text it sends. */
import { expect } from 'chai';
import { parseDay } from '../../src/quickbooks/import/import-service.js';
import { firstPhase, nextPhase, phasesOf } from '../../src/quickbooks/import/phases.js';
import { countImport, selectAnyCustomers, selectImportPage } from '../../src/quickbooks/intuit/query.js';

describe('import: phases', () => {
  const cases = [
    { customers: true, documentsSince: null, phases: ['customers'] },
    { customers: false, documentsSince: '2026-01-01', phases: ['estimates', 'invoices'] },
    { customers: true, documentsSince: '2026-01-01', phases: ['customers', 'estimates', 'invoices'] },
    { customers: false, documentsSince: null, phases: [] },
  ];
  for (const c of cases) {
    it(`customers ${c.customers}, documents since ${c.documentsSince}: ${c.phases.join(' → ') || 'nothing'}`, () => {
      expect(phasesOf(c)).to.deep.equal(c.phases);
      expect(firstPhase(c)).to.equal(c.phases[0] ?? 'done');
      for (const [i, p] of c.phases.entries()) {
        expect(nextPhase(c, p as never)).to.equal(c.phases[i + 1] ?? 'done');
      }
    });
  }
});

describe('import: the date an admin types', () => {
  for (const [input, expected] of [
    ['2026-01-31', '2026-01-31'],
    ['2024-02-29', '2024-02-29'],
    ['2026-02-29', undefined],
    ['2026-13-01', undefined],
    ['31/01/2026', undefined],
    ["2026-01-01' or 1=1", undefined],
    ['', undefined],
  ] as const) {
    it(`"${input}" → ${expected ?? 'refused'}`, () => expect(parseDay(input)).to.equal(expected));
  }
});

describe('import: query text', () => {
  it('pages active customers in Id order from a 1-based position', () => {
    expect(selectImportPage('Customer', { active: true }, 1001)).to.equal(
      'select * from Customer where Active = true orderby Id startposition 1001 maxresults 1000',
    );
    expect(countImport('Customer', { active: true })).to.equal(
      'select count(*) from Customer where Active = true',
    );
  });
  it('pages documents since a day, and refuses anything but a date or a position below 1', () => {
    expect(selectImportPage('Invoice', { txnDateFrom: '2026-01-01' }, 1)).to.equal(
      "select * from Invoice where TxnDate >= '2026-01-01' orderby Id startposition 1 maxresults 1000",
    );
    expect(() => selectImportPage('Invoice', { txnDateFrom: "1' or '1" }, 1)).to.throw();
    expect(() => selectImportPage('Invoice', { txnDateFrom: '2026-01-01' }, 0)).to.throw(RangeError);
  });
  it('reads customers by id whether active or not, quoted', () => {
    expect(selectAnyCustomers(['1', "o'k"])).to.equal(
      "select * from Customer where Id in ('1', 'o\\'k') and Active in (true, false) maxresults 1000",
    );
    expect(selectAnyCustomers([])).to.equal(undefined);
  });
});
