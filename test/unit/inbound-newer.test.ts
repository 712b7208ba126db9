/**
 * Pull side: when QuickBooks' version of an entity replaces ours. The link remembers the SyncToken and
 * LastUpdatedTime we last saw; webhooks and the CDC sweep can bring the same change twice, our own push
 * back as an echo, and changes out of order.
 */
import { expect } from 'chai';
import { parseEntity } from '../../src/quickbooks/intuit/parse.js';
import { isNewer, isVoided } from '../../src/quickbooks/pull/freshness.js';
import { qboFixture } from './fixtures.js';

type Seen = { syncToken: string | null; qboUpdatedAt: string | null };

function link(seen: Seen) {
  return {
    id: 1,
    recordType: 'customer' as const,
    recordId: 7,
    realmId: '9130',
    qboId: '58',
    payloadHash: null,
    state: 'linked' as const,
    lastSyncedAt: null,
    snapshot: null,
    qboTotalCents: null,
    qboTaxCents: null,
    ...seen,
  };
}

/** QuickBooks' entity as the pull sees it: through the client's parse boundary (numbers spelled out). */
function entity(syncToken: unknown, lastUpdated?: unknown) {
  const raw = {
    Id: '58',
    ...(syncToken === undefined ? {} : { SyncToken: syncToken }),
    ...(lastUpdated === undefined ? {} : { MetaData: { LastUpdatedTime: lastUpdated } }),
  };
  const parsed = parseEntity('Customer', raw);
  if (!parsed) throw new Error(`not an entity: ${JSON.stringify(raw)}`);
  return parsed;
}

const T10 = '2026-11-28T10:00:00-08:00';
const T11 = '2026-11-28T11:00:00-08:00';
const T09 = '2026-11-28T09:00:00-08:00';

describe('isNewer (is QuickBooks’ version to be applied over what the link last saw?)', () => {
  // biome-ignore format: a table reads row by row
  const cases: [string, Seen, ReturnType<typeof entity>, boolean][] = [
    // The same SyncToken is our own push coming back, or a change already applied.
    ['same token, same time: the echo of our push', { syncToken: '3', qboUpdatedAt: T10 }, entity('3', T10), false],
    ['same token, later time: still the same version', { syncToken: '3', qboUpdatedAt: T10 }, entity('3', T11), false],
    ['same token given as a number', { syncToken: '3', qboUpdatedAt: T10 }, entity(3, T10), false],
    ['next token, later time', { syncToken: '3', qboUpdatedAt: T10 }, entity('4', T11), true],
    ['next token, same time (not older)', { syncToken: '3', qboUpdatedAt: T10 }, entity('4', T10), true],
    ['next token as a number', { syncToken: '3', qboUpdatedAt: T10 }, entity(4, T11), true],
    ['higher token but an older time: out of order', { syncToken: '3', qboUpdatedAt: T10 }, entity('4', T09), false],
    ['lower token: an old change arriving late', { syncToken: '5', qboUpdatedAt: T10 }, entity('4', T10), false],
    ['lower token, no time on either side', { syncToken: '5', qboUpdatedAt: null }, entity('4'), false],
    ['tokens compare as numbers, not text (10 > 9)', { syncToken: '9', qboUpdatedAt: null }, entity('10'), true],
    ['no time from QuickBooks: the token decides', { syncToken: '3', qboUpdatedAt: T10 }, entity('4'), true],
    ['a time that does not parse is ignored', { syncToken: '3', qboUpdatedAt: T10 }, entity('4', 'yesterday'), true],
    ['the same non-numeric token', { syncToken: 'a', qboUpdatedAt: null }, entity('a'), false],
    ['non-numeric tokens that differ: applied', { syncToken: 'a', qboUpdatedAt: null }, entity('b'), true],
    ['non-numeric tokens that differ but older: not applied', { syncToken: 'a', qboUpdatedAt: T10 }, entity('b', T09), false],
    // A link without a token (e.g. re-pointed by a merge) takes whatever QuickBooks has, unless older.
    ['link without a token', { syncToken: null, qboUpdatedAt: null }, entity('0', T10), true],
    ['link without a token, QuickBooks older', { syncToken: null, qboUpdatedAt: T10 }, entity('7', T09), false],
    // Instants, not text: 10:00-08:00 is 18:00Z.
    ['same instant in another offset', { syncToken: '3', qboUpdatedAt: '2026-11-28T18:00:00.000Z' }, entity('4', T10), true],
    ['a second earlier in another offset', { syncToken: '3', qboUpdatedAt: '2026-11-28T18:00:01Z' }, entity('4', T10), false],
  ];
  for (const [name, seen, qbo, expected] of cases) {
    it(`${name} → ${expected ? 'apply' : 'skip'}`, () => {
      expect(isNewer(link(seen), qbo)).to.equal(expected);
    });
  }
});

describe('isVoided (QuickBooks keeps a voided document with zeroed lines and the note "Voided")', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['a real voided invoice', qboFixture('entities/invoice-void.qbo_api.json').Invoice, true],
    ['a real open invoice', qboFixture('entities/invoice-create.qbo_api.json').Invoice, false],
    ['the note alone, with an amount', { PrivateNote: 'Voided', TotalAmt: 100 }, false],
    ['a zero total without the note', { PrivateNote: '', TotalAmt: 0 }, false],
    ['the total as a string', { PrivateNote: 'Voided', TotalAmt: '0.00' }, true],
  ];
  for (const [name, qbo, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(isVoided(qbo)).to.equal(expected));
  }
});
