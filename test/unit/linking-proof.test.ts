/**
 * The pure pieces of "linking needs proof" (decision 009): the marker Heavy AV writes and reads back, the
 * side-by-side comparison of a customer, the holder's id in a 6140 Fault, the name query, and requestids
 * that change with the item's request key.
 */
import { expect } from 'chai';
import { selectByName } from '../../src/quickbooks/intuit/query.js';
import { requestIdOf } from '../../src/quickbooks/intuit/writes.js';
import { markerIn, markerText, provesOwnership } from '../../src/quickbooks/mapping/marker.js';
import { customerSide, differences } from '../../src/quickbooks/mapping/sides.js';
import { txnIdOf } from '../../src/quickbooks/push/proof.js';

const INSTALLATION = '6f1c2a9e-0d3b-4c55-9a10-2b7e8f0c1d2e';
const ours = { recordType: 'invoice' as const, recordId: 42, installationId: INSTALLATION };

describe('the Heavy AV marker in PrivateNote', () => {
  it('reads back what it writes', () => {
    const note = markerText(ours);
    expect(note).to.equal(`Created by Heavy AV · invoice #42 · ${INSTALLATION}`);
    expect(markerIn(note)).to.deep.equal(ours);
  });

  it('is found when someone wrote around it in QuickBooks', () => {
    expect(markerIn(`Call first.\n${markerText(ours)}\nPaid by card`)).to.deep.equal(ours);
  });

  const cases: [string, string | undefined, boolean][] = [
    ['the same record of this installation', markerText(ours), true],
    ['another record', markerText({ ...ours, recordId: 41 }), false],
    ['the same id of another kind', markerText({ ...ours, recordType: 'estimate' }), false],
    ['another installation', markerText({ ...ours, installationId: 'another-install' }), false],
    ['a note without a marker', 'Voided', false],
    ['no note', undefined, false],
    [
      'a marker with the id as a prefix of another',
      `Created by Heavy AV · invoice #421 · ${INSTALLATION}`,
      false,
    ],
  ];
  for (const [what, note, proves] of cases) {
    it(`${proves ? 'proves' : 'does not prove'} ownership: ${what}`, () => {
      expect(provesOwnership(note, ours)).to.equal(proves);
    });
  }
});

describe('customer values side by side', () => {
  const base = { DisplayName: 'Same Name', PrimaryEmailAddr: { Address: 'a@x.example' } };
  const table: [string, object, object, string[]][] = [
    ['the same values', base, base, []],
    ['another email', base, { ...base, PrimaryEmailAddr: { Address: 'b@x.example' } }, ['Email']],
    [
      'a name differing only in case (QuickBooks compares so)',
      base,
      { ...base, DisplayName: 'SAME NAME' },
      [],
    ],
    [
      'a field Heavy AV leaves blank (never sent, never cleared)',
      base,
      { ...base, CompanyName: 'Theirs Inc' },
      [],
    ],
    ['a field only Heavy AV has', { ...base, CompanyName: 'Ours Inc' }, base, ['Company']],
  ];
  for (const [what, heavyAv, quickBooks, expected] of table) {
    it(`differ in ${expected.length ? expected.join(', ') : 'nothing'}: ${what}`, () => {
      expect(differences(customerSide(heavyAv), customerSide(quickBooks))).to.deep.equal(expected);
    });
  }
});

describe("6140's holder", () => {
  it('is the TxnId in the Detail', () => {
    const detail =
      'Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=1001 is assigned to TxnType=Invoice with TxnId=147';
    expect(txnIdOf([{ code: '6140', message: 'Duplicate Document Number Error', detail }])).to.equal('147');
  });

  it('is unknown when the Detail does not name it', () => {
    expect(txnIdOf([{ code: '6140', message: 'Duplicate Document Number Error' }])).to.equal(undefined);
  });
});

describe('the query for a name', () => {
  it('asks for inactive holders too, with the name quoted', () => {
    expect(selectByName('Vendor', "O'Brien Sound")).to.equal(
      "select * from Vendor where DisplayName = 'O\\'Brien Sound' and Active in (true, false) maxresults 1000",
    );
  });
});

describe('requestids', () => {
  it('are the same for the same content and key, and new for a new key', () => {
    const a = requestIdOf('hav-', ['realm', [{ bId: '0' }], ['k1']], 32);
    expect(requestIdOf('hav-', ['realm', [{ bId: '0' }], ['k1']], 32)).to.equal(a);
    expect(requestIdOf('hav-', ['realm', [{ bId: '0' }], ['k2']], 32)).to.not.equal(a);
    expect(a).to.have.length(36);
  });
});
