/**
 * The history page's filter: the query string of a plain GET form → a filter, the values to show back,
 * and a message per refused field (a refused field filters nothing). Express's query parser can hand over
 * strings, arrays (a repeated key) or objects (a[b]=c): only strings are read.
 */
import { expect } from 'chai';
import {
  filterQuery,
  parseHistoryQuery,
  startOfDay,
  startOfNextDay,
} from '../../src/quickbooks/history/filter.js';

describe('history filter: query string → filter', () => {
  const accepted: [string, Record<string, unknown>, Record<string, string>][] = [
    ['nothing: no filter', {}, {}],
    ['blanks: no filter', { direction: '', entity: ' ', result: '', from: '', to: '' }, {}],
    ['push', { direction: 'push' }, { direction: 'push' }],
    ['pull', { direction: 'pull' }, { direction: 'pull' }],
    ['each result', { result: 'retry' }, { result: 'retry' }],
    ['an entity from the list', { entity: 'invoice' }, { entity: 'invoice' }],
    // The pull side may record entities the list does not know yet.
    ['an entity the list does not know', { entity: 'Vendor' }, { entity: 'Vendor' }],
    [
      'values with spaces around them',
      { direction: ' push ', from: ' 2026-11-01 ' },
      { direction: 'push', from: '2026-11-01' },
    ],
    ['a date range', { from: '2026-11-01', to: '2026-11-30' }, { from: '2026-11-01', to: '2026-11-30' }],
    ['a one-day range', { from: '2026-11-28', to: '2026-11-28' }, { from: '2026-11-28', to: '2026-11-28' }],
    ['29 February in a leap year', { from: '2028-02-29' }, { from: '2028-02-29' }],
    [
      'everything at once',
      { direction: 'pull', entity: 'customer', result: 'failed', from: '2026-01-01', to: '2026-12-31' },
      { direction: 'pull', entity: 'customer', result: 'failed', from: '2026-01-01', to: '2026-12-31' },
    ],
  ];
  for (const [name, query, filter] of accepted) {
    it(`accepts ${name}`, () => {
      const parsed = parseHistoryQuery(query);
      expect(parsed.filter).to.deep.equal(filter);
      expect(parsed.errors).to.deep.equal({});
    });
  }

  const refused: [string, Record<string, unknown>, string, Record<string, string>][] = [
    ['an unknown direction', { direction: 'sideways' }, 'direction', {}],
    ['a direction in capitals', { direction: 'PUSH' }, 'direction', {}],
    ['an unknown result', { result: 'maybe' }, 'result', {}],
    ['an entity with other characters', { entity: "invoice' OR 1=1" }, 'entity', {}],
    ['an entity that is too long', { entity: 'x'.repeat(17) }, 'entity', {}],
    ['a date in another format', { from: '28/11/2026' }, 'from', {}],
    ['a date without leading zeros', { from: '2026-1-5' }, 'from', {}],
    ['a day that does not exist', { to: '2026-02-30' }, 'to', {}],
    ['29 February outside a leap year', { to: '2027-02-29' }, 'to', {}],
    ['a month that does not exist', { from: '2026-13-01' }, 'from', {}],
    ['a date with a time', { from: '2026-11-28T10:00' }, 'from', {}],
    // The dates themselves are fine and filter; the range is refused on its end.
    [
      'an end before the start',
      { from: '2026-11-30', to: '2026-11-01' },
      'to',
      { from: '2026-11-30', to: '2026-11-01' },
    ],
    ['a bad value beside a good one', { direction: 'push', result: 'nope' }, 'result', { direction: 'push' }],
  ];
  for (const [name, query, field, filter] of refused) {
    it(`refuses ${name}, with a message on ${field}`, () => {
      const parsed = parseHistoryQuery(query);
      expect(Object.keys(parsed.errors)).to.deep.equal([field]);
      expect(parsed.errors[field]).to.be.a('string').and.not.equal('');
      expect(parsed.filter).to.deep.equal(filter);
    });
  }

  it('shows every value back as it was entered (trimmed), refused ones included', () => {
    const parsed = parseHistoryQuery({
      direction: ' sideways ',
      entity: 'invoice',
      result: '',
      from: '2026-2-1',
    });
    expect(parsed.values).to.deep.equal({
      direction: 'sideways',
      entity: 'invoice',
      result: '',
      from: '2026-2-1',
      to: '',
    });
  });

  it('reads only strings: a repeated key (array) or a nested one (object) is no value', () => {
    const parsed = parseHistoryQuery({
      direction: ['push', 'pull'],
      entity: { $ne: 'x' },
      result: 42,
      from: ['2026-11-01'],
    });
    expect(parsed.filter).to.deep.equal({});
    expect(parsed.errors).to.deep.equal({});
    expect(parsed.values).to.deep.equal({ direction: '', entity: '', result: '', from: '', to: '' });
  });

  const cursors: [unknown, number | undefined][] = [
    ['42', 42],
    [' 7 ', 7],
    // Ids the tables can hold: PostgreSQL's integer ends at 2,147,483,647.
    ['2147483647', 2147483647],
    ['2147483648', undefined],
    ['999999999999999', undefined],
    ['0', undefined],
    ['-3', undefined],
    ['1.5', undefined],
    ['1e3', undefined],
    ['abc', undefined],
    ['1234567890123456', undefined],
    [['5'], undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of cursors) {
    it(`page cursor ${JSON.stringify(value) ?? 'undefined'} → ${expected}`, () => {
      expect(parseHistoryQuery({ before: value }).before).to.equal(expected);
      expect(parseHistoryQuery({ auditBefore: value }).auditBefore).to.equal(expected);
    });
  }
});

describe('history filter: dates as instants, and links that keep the filter', () => {
  const days: [string, string, string][] = [
    ['2026-11-28', '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    ['2026-11-30', '2026-11-30T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-31', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2028-02-28', '2028-02-28T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['2027-02-28', '2027-02-28T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
  ];
  for (const [date, start, next] of days) {
    it(`${date} runs from ${start} up to ${next}`, () => {
      expect(startOfDay(date)).to.equal(start);
      expect(startOfNextDay(date)).to.equal(next);
    });
  }

  const links: [Parameters<typeof filterQuery>[0], Record<string, string | number>, string][] = [
    [{ direction: '', entity: '', result: '', from: '', to: '' }, {}, ''],
    [
      { direction: 'push', entity: '', result: 'failed', from: '', to: '' },
      {},
      '?direction=push&result=failed',
    ],
    [
      { direction: '', entity: '', result: '', from: '2026-11-01', to: '' },
      { before: 120 },
      '?from=2026-11-01&before=120',
    ],
    [{ direction: '', entity: 'a&b=c', result: '', from: '', to: '' }, {}, '?entity=a%26b%3Dc'],
    [{ direction: '', entity: '', result: '', from: '', to: '' }, { format: 'csv' }, '?format=csv'],
  ];
  for (const [values, extra, expected] of links) {
    it(`link for ${JSON.stringify({ ...values, ...extra })} → "${expected}"`, () => {
      expect(filterQuery(values, extra)).to.equal(expected);
    });
  }

  it('a link read back gives the same filter', () => {
    const values = {
      direction: 'pull',
      entity: 'estimate',
      result: 'skipped',
      from: '2026-11-01',
      to: '2026-11-30',
    };
    const query = Object.fromEntries(new URLSearchParams(filterQuery(values).slice(1)));
    expect(parseHistoryQuery(query).filter).to.deep.equal(values);
  });
});
