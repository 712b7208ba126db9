/** The card's sentence of truth (connection/status.ts) and history rows in plain words (history/plain-words.ts). */
import { expect } from 'chai';
import type { Connection } from '../../src/quickbooks/connection/connection-types.js';
import { ago, syncStatus } from '../../src/quickbooks/connection/status.js';
import { whatHappened } from '../../src/quickbooks/history/plain-words.js';
import { intuitEndpoints, openInQuickBooksUrl } from '../../src/quickbooks/intuit/endpoints.js';

const NOW = Date.parse('2026-12-02T10:00:00.000Z');
const company = {
  realmId: '9130350000000001',
  companyName: 'Blue Stage Rentals',
  status: 'connected',
  lastSyncAt: '2026-12-02T09:58:00.000Z',
} as Connection;
const idle = { running: false, done: 0, total: 0, failed: 0, waiting: 0, failedNow: 0 };

describe("syncStatus: the card's one sentence", () => {
  const cases: [string, Parameters<typeof syncStatus>[0], string][] = [
    [
      'never connected',
      { active: undefined, latest: undefined, progress: undefined, pull: undefined, conflicts: 0, now: NOW },
      'Not connected to QuickBooks',
    ],
    [
      'revoked',
      {
        active: undefined,
        latest: { ...company, status: 'revoked' },
        progress: undefined,
        pull: undefined,
        conflicts: 0,
        now: NOW,
      },
      'Not syncing — access to Blue Stage Rentals was revoked at Intuit; changes wait for a reconnect to the same company',
    ],
    [
      'in step',
      { active: company, latest: company, progress: idle, pull: undefined, conflicts: 0, now: NOW },
      'In step with Blue Stage Rentals — last change 2 minutes ago',
    ],
    [
      'throttled mid-push',
      {
        active: company,
        latest: company,
        progress: {
          ...idle,
          running: true,
          done: 1200,
          total: 3000,
          waiting: 1800,
          delay: { code: 'quickbooks_throttled', message: 'x', nextTryAt: '2026-12-02T10:00:40.000Z' },
        },
        pull: undefined,
        conflicts: 0,
        now: NOW,
      },
      'Sending 1,200 of 3,000 — Intuit is limiting us, next try in 40 s',
    ],
    [
      'needs an admin',
      {
        active: company,
        latest: company,
        progress: { ...idle, failedNow: 1 },
        pull: undefined,
        conflicts: 2,
        now: NOW,
      },
      '3 records need you',
    ],
    [
      'pulling',
      {
        active: company,
        latest: company,
        progress: idle,
        pull: { running: true, done: 4, total: 10, failed: 0, startedAt: '', finishedAt: null },
        conflicts: 0,
        now: NOW,
      },
      'Reading changes from QuickBooks: 4 of 10',
    ],
    [
      'pull throttled, waiting to ask the same page again',
      {
        active: company,
        latest: company,
        progress: idle,
        pull: {
          running: true,
          done: 4,
          total: 10,
          failed: 0,
          startedAt: '',
          finishedAt: null,
          delay: { code: 'quickbooks_throttled', nextTryAt: '2026-12-02T10:00:20.000Z' },
        },
        conflicts: 0,
        now: NOW,
      },
      'Reading changes from QuickBooks: 4 of 10 — Intuit is limiting us, next try in 20 s',
    ],
    [
      'pull gave up on an outage',
      {
        active: company,
        latest: company,
        progress: idle,
        pull: {
          running: false,
          stopped: true,
          done: 0,
          total: 0,
          failed: 0,
          startedAt: '',
          finishedAt: '2026-12-02T10:00:00.000Z',
          delay: { code: 'quickbooks_unavailable', nextTryAt: '2026-12-02T11:00:00.000Z' },
        },
        conflicts: 0,
        now: NOW,
      },
      'Pulling from QuickBooks stopped — QuickBooks is not answering; Heavy AV pulls again in about 60 min',
    ],
  ];
  for (const [name, input, sentence] of cases) {
    it(name, () => expect(syncStatus(input).sentence).to.equal(sentence));
  }

  it('gives a waiting pull its reason and next try, and clears them once the page comes back', () => {
    const pull = { running: true, done: 0, total: 0, failed: 0, startedAt: '', finishedAt: null };
    const waiting = syncStatus({
      active: company,
      latest: company,
      progress: idle,
      pull: { ...pull, delay: { code: 'quickbooks_throttled', nextTryAt: '2026-12-02T10:00:05.000Z' } },
      conflicts: 0,
      now: NOW,
    });
    expect(waiting.delay).to.deep.equal({
      reason: 'Intuit is limiting us',
      nextTryAt: '2026-12-02T10:00:05.000Z',
      inSeconds: 5,
    });
    expect(waiting.tone).to.equal('warn');
    const going = syncStatus({
      active: company,
      latest: company,
      progress: idle,
      pull,
      conflicts: 0,
      now: NOW,
    });
    expect(going.delay).to.equal(null);
    expect(going.tone).to.equal('busy');
    // A finished pull's old reason says nothing.
    const finished = syncStatus({
      active: company,
      latest: company,
      progress: idle,
      pull: {
        ...pull,
        running: false,
        delay: { code: 'quickbooks_throttled', nextTryAt: '2026-12-02T10:00:05.000Z' },
      },
      conflicts: 0,
      now: NOW,
    });
    expect(finished.delay).to.equal(null);
    expect(finished.sentence).to.match(/^In step with /);
  });

  it('has no delay once nothing waits (a stale retry time is no reason)', () => {
    const s = syncStatus({
      active: company,
      latest: company,
      progress: {
        ...idle,
        delay: { code: 'quickbooks_throttled', message: '', nextTryAt: '2026-12-02T10:00:40.000Z' },
      },
      pull: undefined,
      conflicts: 0,
      now: NOW,
    });
    expect(s.delay).to.equal(null);
    expect(s.tone).to.equal('ok');
  });

  it('ago: just now, minutes, hours, days', () => {
    expect(ago('2026-12-02T09:59:50.000Z', NOW)).to.equal('just now');
    expect(ago('2026-12-02T09:59:00.000Z', NOW)).to.equal('1 minute ago');
    expect(ago('2026-12-02T07:00:00.000Z', NOW)).to.equal('3 hours ago');
    expect(ago('2026-11-28T10:00:00.000Z', NOW)).to.equal('4 days ago');
    expect(ago(null, NOW)).to.equal('no change yet');
  });
});

describe('whatHappened: history rows in plain words', () => {
  const rows: [Parameters<typeof whatHappened>[0], string][] = [
    [
      { direction: 'pull', operation: 'update', result: 'skipped' },
      'Pulled from QuickBooks — nothing changed',
    ],
    [{ direction: 'pull', operation: 'update', result: 'ok' }, 'Pulled from QuickBooks — updated'],
    [{ direction: 'push', operation: 'create', result: 'ok' }, 'Sent to QuickBooks — created'],
    [
      { direction: 'push', operation: 'update', result: 'skipped' },
      'Not sent — nothing changed since the last push',
    ],
    [
      { direction: 'push', operation: 'create', result: 'retry', errorCode: 'quickbooks_throttled' },
      'Not sent yet — Intuit is limiting us; tried again later',
    ],
    [
      { direction: 'pull', operation: 'cdc', result: 'retry', errorCode: 'quickbooks_throttled' },
      'Pull stopped — Intuit is limiting us; Heavy AV pulls again by itself',
    ],
    [
      { direction: 'pull', operation: 'update', result: 'retry', errorCode: 'quickbooks_unavailable' },
      'Not pulled yet — QuickBooks is not answering; tried again later',
    ],
    [{ direction: 'push', operation: 'create', result: 'failed' }, 'QuickBooks refused it'],
    [
      { direction: 'push', operation: 'create', result: 'conflict' },
      'Held — a conflict for an admin to decide',
    ],
  ];
  for (const [row, words] of rows)
    it(`${row.direction} ${row.operation} ${row.result}`, () => expect(whatHappened(row)).to.equal(words));
});

describe('openInQuickBooksUrl: the right host for each environment', () => {
  const cases: [Parameters<typeof openInQuickBooksUrl>, string][] = [
    [
      [intuitEndpoints('sandbox'), 'invoice', '42', '9130'],
      'https://app.sandbox.qbo.intuit.com/app/invoice?txnId=42',
    ],
    [
      [intuitEndpoints('production'), 'estimate', '7', '9130'],
      'https://app.qbo.intuit.com/app/estimate?txnId=7',
    ],
    [
      [intuitEndpoints('production'), 'customer', '58', '9130'],
      'https://app.qbo.intuit.com/app/customerdetail?nameId=58',
    ],
    [
      [
        intuitEndpoints('emulator', {
          browserUrl: 'http://localhost:3001',
          serverUrl: 'http://127.0.0.1:3001',
        }),
        'invoice',
        '3',
        '9130',
      ],
      'http://localhost:3001/app/invoice?txnId=3&realmId=9130',
    ],
  ];
  for (const [args, url] of cases) it(url, () => expect(openInQuickBooksUrl(...args)).to.equal(url));
});
