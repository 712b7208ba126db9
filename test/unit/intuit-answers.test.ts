/**
 * What each of Intuit's answers becomes for Heavy AV: the client's status and Fault handling, fed real
 * answers (test/fixtures/qbo) through a stand-in for fetch. No server and no database: the token source
 * is a stub that always has a token, the limiter is the real one.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Logger } from '../../src/logger.js';
import {
  QuickBooksAuthError,
  QuickBooksStaleObjectError,
  QuickBooksThrottledError,
  QuickBooksUnavailableError,
  QuickBooksValidationError,
} from '../../src/quickbooks/intuit/errors.js';
import { QboHttp } from '../../src/quickbooks/intuit/http.js';
import { Limiters } from '../../src/quickbooks/intuit/limiter.js';
import type { TokenManager } from '../../src/quickbooks/intuit/token-manager.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/qbo/${name}`, import.meta.url), 'utf8');

type Answer = { status: number; body: string };

/** A client whose fetch answers from the list, in order; returns the requests it saw. */
function clientAnswering(answers: Answer[]) {
  const seen: { url: string; authorization: string | null }[] = [];
  const fetchStub = async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), authorization: new Headers(init?.headers).get('authorization') });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return new Response(next.body, { status: next.status, headers: { intuit_tid: 'tid-1' } });
  };
  let token = 1;
  const tokens = {
    accessToken: async () => ({ token: `t${token}`, version: token }),
    refresh: async () => ({ accessToken: `t${++token}` }),
    settled: async () => undefined,
  } as unknown as TokenManager;
  const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
  const client = new QboHttp({
    apiBase: 'http://quickbooks.invalid',
    tokens,
    limiters: new Limiters({ perMinute: 500, concurrent: 10, batchPerMinute: 120, windowMs: 60_000 }),
    logger: quiet,
    timeoutMs: 1_000,
    throttleBackoffMs: 0,
  });
  return { client, seen, fetchStub };
}

async function outcome(answers: Answer[], path = 'customer') {
  const { client, seen, fetchStub } = clientAnswering(answers);
  const realFetch = globalThis.fetch;
  globalThis.fetch = fetchStub as typeof fetch;
  try {
    const res = await client.request({ realmId: '9130', method: 'POST', path, body: {} });
    return { res, seen };
  } catch (err) {
    return { err, seen };
  } finally {
    globalThis.fetch = realFetch;
  }
}

describe('Intuit answers → typed errors (the client’s fault handling)', () => {
  const table: [string, Answer, new (...args: any[]) => Error, string | undefined][] = [
    [
      '400 stale object 5010',
      { status: 400, body: fixture('faults/stale-object-5010.exquickbooks.json') },
      QuickBooksStaleObjectError,
      '5010',
    ],
    [
      '400 duplicate name 6240',
      { status: 400, body: fixture('faults/duplicate-name-6240-http400.qbo_api.json') },
      QuickBooksValidationError,
      '6240',
    ],
    [
      '400 invalid id 2030',
      { status: 400, body: fixture('faults/invalid-id-2030-http400.qbo_api.json') },
      QuickBooksValidationError,
      '2030',
    ],
    [
      '400 invalid query 4001',
      { status: 400, body: fixture('faults/invalid-query-4001-http400.qbo_api.json') },
      QuickBooksValidationError,
      '4001',
    ],
    [
      '400 unsupported property 2010',
      { status: 400, body: fixture('faults/unsupported-property-2010-http400.qbo_api.json') },
      QuickBooksValidationError,
      '2010',
    ],
    [
      '400 unsupported operation (code 500)',
      { status: 400, body: fixture('faults/unsupported-operation-code500-http400.qbo_api.json') },
      QuickBooksValidationError,
      '500',
    ],
    [
      '400 object not found 610',
      { status: 400, body: fixture('faults/object-not-found-610.exquickbooks.json') },
      QuickBooksValidationError,
      '610',
    ],
    // Some business Faults come back inside a 200.
    [
      '200 carrying a Fault',
      { status: 200, body: fixture('faults/duplicate-name-6240-http400.qbo_api.json') },
      QuickBooksValidationError,
      '6240',
    ],
    ['400 without a Fault', { status: 400, body: '{}' }, QuickBooksUnavailableError, undefined],
    [
      '429 throttled (XML body)',
      { status: 429, body: fixture('faults/throttle-exceeded-3001-http429.quickbooks-ruby.xml') },
      QuickBooksThrottledError,
      '3001',
    ],
    [
      '500 system fault (XML body)',
      { status: 500, body: fixture('faults/system-fault-10000.quickbooks-ruby.xml') },
      QuickBooksUnavailableError,
      undefined,
    ],
    ['503 with no body', { status: 503, body: '' }, QuickBooksUnavailableError, undefined],
    ['403 forbidden', { status: 403, body: '' }, QuickBooksAuthError, undefined],
    [
      '200 that is not JSON',
      { status: 200, body: '<html>maintenance</html>' },
      QuickBooksUnavailableError,
      undefined,
    ],
  ];
  for (const [name, answer, type, faultCode] of table) {
    it(`${name} → ${type.name}${faultCode ? ` (${faultCode})` : ''}`, async () => {
      const { err } = await outcome([answer]);
      expect(err).to.be.instanceOf(type);
      expect((err as QuickBooksAuthError).faultCode).to.equal(faultCode);
      expect((err as QuickBooksAuthError).intuitTid).to.equal('tid-1');
    });
  }

  it('a validation error keeps every fault, and its message names the first', async () => {
    const { err } = await outcome([
      { status: 400, body: fixture('faults/required-param-missing-2020-line-detailtype.exquickbooks.json') },
    ]);
    expect(err).to.be.instanceOf(QuickBooksValidationError);
    const v = err as QuickBooksValidationError;
    expect(v.faults.map((f) => [f.code, f.element])).to.deep.equal([['2020', 'Line.DetailType']]);
    expect(v.message).to.contain('Required param missing').and.contain('Line.DetailType is missing');
    expect(v.httpStatus).to.equal(400);
  });

  it('401 (the gateway’s fault envelope): one refresh, one retry with the new token, then an auth error', async () => {
    const body = fixture('faults/authentication-failed-3200-http401.qbo_api.json');
    const { err, seen } = await outcome([
      { status: 401, body },
      { status: 401, body },
    ]);
    expect(err).to.be.instanceOf(QuickBooksAuthError);
    expect((err as QuickBooksAuthError).faultCode).to.equal('3200');
    expect(seen.map((s) => s.authorization)).to.deep.equal(['Bearer t1', 'Bearer t2']);
  });

  it('401 then success: the retry’s answer is the result', async () => {
    const { res, seen } = await outcome([
      { status: 401, body: fixture('faults/authentication-failed-3200-http401.qbo_api.json') },
      { status: 200, body: fixture('entities/customer-read.qbo_api.json') },
    ]);
    expect((res?.body as { Customer?: { DisplayName: string } } | undefined)?.Customer?.DisplayName).to.equal(
      'Dukes Basketball Camp',
    );
    expect(seen).to.have.length(2);
  });

  it('a batch answer with per-item Faults is a success: the items are for the caller to read', async () => {
    const { res, err } = await outcome(
      [{ status: 200, body: fixture('batch/response.qbo_api.json') }],
      'batch',
    );
    expect(err).to.equal(undefined);
    expect((res?.body as { BatchItemResponse?: unknown[] } | undefined)?.BatchItemResponse).to.have.length(4);
  });
});
