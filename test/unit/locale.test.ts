import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { createFormatters } from '../../src/locale/format.js';
import { normaliseDecimal, parseMoneyIn, parseQuantityIn } from '../../src/locale/numbers.js';
import { addDays, DEFAULT_COMPANY, todayIn } from '../../src/locale/settings.js';
import { testDataDir } from '../helpers/db.js';

describe('locale: numbers as people type them', () => {
  const cases: [string, string, number][] = [
    ['en-US', '$1,250.00', 125000],
    ['en-US', '1,250.00', 125000],
    ['en-US', '1250', 125000],
    ['en-US', ' 19.99 ', 1999],
    ['en-US', 'USD 1,234,567.8', 123456780],
    ['fr-FR', '1 250,00', 125000],
    ['fr-FR', '1\u202f250,00 €', 125000],
    ['fr-FR', '19,99', 1999],
    ['de-DE', '1.250,00', 125000],
    ['de-DE', '1.250,00 €', 125000],
    ['de-DE', '0,5', 50],
  ];
  for (const [locale, text, cents] of cases) {
    it(`reads ${JSON.stringify(text)} in ${locale} as ${cents} cents`, () => {
      expect(parseMoneyIn(text, locale)).to.deep.equal({ ok: true, value: cents });
    });
  }

  it('refuses irregular grouping instead of guessing (1250,00 in en-US is not 125000)', () => {
    for (const text of ['1250,00', '1,25', '12,3456.00', '1.250,00', '1,,250', ',5'])
      expect(normaliseDecimal(text, 'en-US'), text).to.equal(null);
    expect(parseMoneyIn('1250,00', 'en-US')).to.deep.equal({
      ok: false,
      error: 'Enter an amount like 1,250.00.',
    });
    expect(parseMoneyIn('19.99', 'de-DE')).to.deep.equal({
      ok: false,
      error: 'Enter an amount like 1.250,00.',
    });
    expect(parseMoneyIn('twelve', 'fr-FR')).to.deep.include({ ok: false });
  });

  it('keeps money.ts messages for negatives and over-precise amounts', () => {
    expect(parseMoneyIn('-$5.00', 'en-US')).to.deep.equal({ ok: false, error: 'Cannot be negative.' });
    expect(parseMoneyIn('1.999', 'en-US')).to.deep.equal({
      ok: false,
      error: 'Use at most 2 decimal places.',
    });
    expect(parseMoneyIn('', 'en-US')).to.deep.equal({ ok: false, error: 'Enter a number.' });
  });

  it('reads quantities in the locale too', () => {
    expect(parseQuantityIn('1,5', 'de-DE')).to.deep.equal({ ok: true, value: 1500 });
    expect(parseQuantityIn('1,000', 'en-US')).to.deep.equal({ ok: true, value: 1_000_000 });
    expect(parseQuantityIn('0.333', 'en-US')).to.deep.equal({ ok: true, value: 333 });
    expect(parseQuantityIn('x', 'en-US')).to.deep.equal({
      ok: false,
      error: 'Enter a number like 3 or 2.5.',
    });
  });
});

describe('locale: formatting', () => {
  const us = createFormatters({ ...DEFAULT_COMPANY, timeZone: 'America/Chicago' });
  const de = createFormatters({ currency: 'EUR', locale: 'de-DE', timeZone: 'Europe/Berlin', termsDays: 30 });

  it('writes amounts with the currency, in the locale', () => {
    expect(us.money(490150)).to.equal('$4,901.50');
    expect(de.money(490150)).to.equal('4.901,50\u00a0€');
    expect(createFormatters({ ...DEFAULT_COMPANY, currency: 'CAD', locale: 'en-CA' }).money(100)).to.equal(
      '$1.00',
    );
    expect(us.moneyInput(125000)).to.equal('1,250.00');
    expect(de.moneyInput(125000)).to.equal('1.250,00');
    expect(de.quantity(1500)).to.equal('1,5');
  });

  it('writes calendar dates without shifting them, and instants in the company time zone', () => {
    expect(us.date('2026-12-01')).to.equal('Dec 1, 2026');
    expect(de.date('2026-12-01')).to.equal('01.12.2026');
    expect(us.date(null)).to.equal('—');
    // 16:30 UTC is 10:30 in Chicago in December (CST, UTC-6).
    expect(us.dateTime('2026-12-01T16:30:22.291Z')).to.match(/^Dec 1, 2026, 10:30\sAM$/);
  });

  it('writes how long ago, with the exact time in a <time> title', () => {
    const now = new Date('2026-12-01T16:32:22Z');
    expect(us.relative('2026-12-01T16:30:22Z', now)).to.equal('2 minutes ago');
    expect(us.relative('2026-11-28T16:30:22Z', now)).to.equal('3 days ago');
    expect(us.relative('2026-12-01T16:32:00Z', now)).to.equal('now');
    const html = us.timeAgo('2026-12-01T16:30:22.291Z');
    expect(html).to.match(
      /^<time datetime="2026-12-01T16:30:22.291Z" title="Dec 1, 2026, 10:30\sAM">.+ ago<\/time>$/,
    );
  });

  it('knows what day it is where the company is', () => {
    const instant = new Date('2026-12-01T23:30:00Z');
    expect(todayIn('UTC', instant)).to.equal('2026-12-01');
    expect(todayIn('Asia/Tokyo', instant)).to.equal('2026-12-02');
    expect(todayIn('America/Los_Angeles', instant)).to.equal('2026-12-01');
    expect(addDays('2026-12-15', 30)).to.equal('2027-01-14');
    expect(addDays('2028-02-28', 1)).to.equal('2028-02-29');
  });
});

describe('config: the company settings', () => {
  const base = {
    NODE_ENV: 'test',
    SESSION_SECRET: 'x'.repeat(32),
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
  };
  const load = (env: Record<string, string>) => loadConfig({ ...base, ...env }, { dataDir: testDataDir() });

  it('defaults to USD, en-US, the server time zone and Net 30', () => {
    const { company } = load({});
    expect(company.currency).to.equal('USD');
    expect(company.locale).to.equal('en-US');
    expect(company.timeZone).to.equal(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(company.termsDays).to.equal(30);
  });

  it('reads COMPANY_CURRENCY, COMPANY_LOCALE, COMPANY_TIMEZONE and DEFAULT_TERMS_DAYS', () => {
    const { company } = load({
      COMPANY_CURRENCY: 'cad',
      COMPANY_LOCALE: 'fr-CA',
      COMPANY_TIMEZONE: 'America/Toronto',
      DEFAULT_TERMS_DAYS: '15',
    });
    expect(company).to.deep.equal({
      currency: 'CAD',
      locale: 'fr-CA',
      timeZone: 'America/Toronto',
      termsDays: 15,
    });
  });

  it('refuses bad values, naming the key', () => {
    expect(() => load({ COMPANY_CURRENCY: 'DOLLARS' })).to.throw(/COMPANY_CURRENCY/);
    expect(() => load({ COMPANY_TIMEZONE: 'Mars/Olympus' })).to.throw(/COMPANY_TIMEZONE/);
    expect(() => load({ COMPANY_LOCALE: 'not a locale!' })).to.throw(/COMPANY_LOCALE/);
    expect(() => load({ DEFAULT_TERMS_DAYS: '-1' })).to.throw(/DEFAULT_TERMS_DAYS/);
  });
});
