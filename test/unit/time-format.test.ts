import { expect } from 'chai';
import { utcMinutes, utcSeconds } from '../../src/http/time-format.js';

describe('utcMinutes / utcSeconds (the views’ time format)', () => {
  const cases: [string | Date | null | undefined, string, string][] = [
    ['2026-11-28T10:05:59.123Z', '2026-11-28 10:05 UTC', '2026-11-28 10:05:59 UTC'],
    [new Date('2026-01-02T03:04:05.000Z'), '2026-01-02 03:04 UTC', '2026-01-02 03:04:05 UTC'],
    [null, '—', '—'],
    [undefined, '—', '—'],
    ['', '—', '—'],
  ];
  for (const [at, minutes, seconds] of cases) {
    it(`shows ${String(at)} as "${minutes}" and "${seconds}"`, () => {
      expect(utcMinutes(at)).to.equal(minutes);
      expect(utcSeconds(at)).to.equal(seconds);
    });
  }
});
