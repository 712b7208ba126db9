import { expect } from 'chai';
import { bytes, duration } from '../../src/status/format.js';
import { sameToken } from '../../src/status/routes.js';
import { outcomeOf } from '../../src/status/webhook-deliveries.js';

describe('status page figures (status/format.ts)', () => {
  const durations: [number | null, string][] = [
    [null, '—'],
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [3599, '59 min'],
    [3600, '1 h 0 min'],
    [47 * 3600 + 59 * 60, '47 h 59 min'],
    [48 * 3600, '2 days'],
  ];
  for (const [seconds, text] of durations)
    it(`duration(${seconds}) is "${text}"`, () => expect(duration(seconds)).to.equal(text));

  const sizes: [number, string][] = [
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1.0 KB'],
    [266_240, '260.0 KB'],
    [5 * 1024 ** 3, '5.0 GB'],
  ];
  for (const [n, text] of sizes) it(`bytes(${n}) is "${text}"`, () => expect(bytes(n)).to.equal(text));
});

describe('webhook delivery outcomes (status/webhook-deliveries.ts)', () => {
  const cases: [number, string][] = [
    [200, 'accepted'],
    [401, 'bad_signature'],
    [400, 'malformed'],
    [413, 'too_large'],
    [500, 'error'],
    [503, 'error'],
  ];
  for (const [status, outcome] of cases)
    it(`${status} is ${outcome}`, () => expect(outcomeOf(status)).to.equal(outcome));
});

describe('the /metrics token compare (status/routes.ts)', () => {
  it('accepts the same token only, whatever the lengths', () => {
    expect(sameToken('abc123', 'abc123')).to.equal(true);
    expect(sameToken('abc124', 'abc123')).to.equal(false);
    expect(sameToken('abc', 'abc123')).to.equal(false);
    expect(sameToken('', 'abc123')).to.equal(false);
    expect(sameToken('abc1234', 'abc123')).to.equal(false);
  });
});
