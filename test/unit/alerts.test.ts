import { expect } from 'chai';
import { smtpWords } from '../../src/notifications/channels.js';
import {
  connectionLost,
  expiring,
  messageText,
  nearEnd,
  receiptSummary,
  recordsFailing,
  retryDelayMs,
} from '../../src/notifications/incidents.js';

const BASE = 'https://app.example.com';
const DAY = 86_400_000;

describe('alert incidents (notifications/incidents.ts)', () => {
  it('backs off 1, 2, 4 … minutes, at most an hour, and never gives up', () => {
    const minutes = [1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => retryDelayMs(n) / 60_000);
    expect(minutes).to.deep.equal([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('is near its end within 30 days, not after it passed, not without a date', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const at = (days: number) => new Date(now + days * DAY).toISOString();
    const cases: [string | null, boolean][] = [
      [at(31), false],
      [at(30), true],
      [at(1), true],
      [at(-1), false],
      [null, false],
    ];
    for (const [end, near] of cases) expect(nearEnd(end, now), String(end)).to.equal(near);
  });

  it('keys a lost connection by the connection it was, so it is alerted once and a later loss again', () => {
    const a = connectionLost(BASE, { realmId: '1', connectedAt: '2026-01-01T00:00:00.000Z' }, 'revoked');
    const b = connectionLost(BASE, { realmId: '1', connectedAt: '2026-06-01T00:00:00.000Z' }, 'expired');
    expect(a.key).to.not.equal(b.key);
    expect(a.content.link).to.equal(`${BASE}/admin/settings/quickbooks`);
    expect(b.content.body).to.contain('refresh token expired');
  });

  it('counts failing records and conflicts in one sentence', () => {
    const words = (failed: number, conflicts: number) =>
      recordsFailing(BASE, 1, { failed, conflicts }).content.body.split('.')[0];
    expect(words(1, 0)).to.equal('1 record QuickBooks refused');
    expect(words(3, 0)).to.equal('3 records QuickBooks refused');
    expect(words(0, 2)).to.equal('2 records in conflict (for an admin to resolve)');
    expect(words(2, 1)).to.equal(
      '2 records QuickBooks refused and 1 record in conflict (for an admin to resolve)',
    );
  });

  it('names the day a limit ends, and links to the card', () => {
    const i = expiring(BASE, { realmId: '1' }, 'hard', '2027-01-15T10:00:00.000Z');
    expect(i.content.subject).to.equal('QuickBooks connection reaches its 5-year limit on 2027-01-15');
    expect(messageText(i.content)).to.match(
      /\n\nOpen in Heavy AV: https:\/\/app\.example\.com\/admin\/settings\/quickbooks\n$/,
    );
  });

  it('sums a deletion receipt up as a count of items', () => {
    expect(
      receiptSummary({
        receiptId: 7,
        requestId: 3,
        processedAt: '2026-12-01T10:00:00.000Z',
        processedBy: 'admin@example.com',
        deleted: { links: 4, syncEvents: 10, webhookStats: 0 },
      }),
    ).to.deep.equal({
      receiptId: 7,
      requestId: 3,
      processedAt: '2026-12-01T10:00:00.000Z',
      processedBy: 'admin@example.com',
      deleted: 14,
    });
    expect(receiptSummary(undefined)).to.equal(undefined);
  });
});

describe('SMTP errors in words (notifications/channels.ts)', () => {
  const where = 'smtp.example.com:587';
  const cases: [string, object, string][] = [
    [
      'a refused login',
      { code: 'EAUTH', response: '535 5.7.8  Authentication\r\n failed' },
      'The SMTP server at smtp.example.com:587 refused the user name or password in SMTP_URL. It answered: "535 5.7.8 Authentication failed".',
    ],
    [
      'nobody listening',
      { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:587' },
      'Could not reach the SMTP server at smtp.example.com:587 (connect ECONNREFUSED 127.0.0.1:587). Check the host and port in SMTP_URL.',
    ],
    ['a timeout', { code: 'ETIMEDOUT' }, 'The SMTP server at smtp.example.com:587 did not answer in time.'],
    [
      'a refused recipient',
      { code: 'EENVELOPE', response: '550 no such user' },
      'The SMTP server at smtp.example.com:587 refused the sender or a recipient (NOTIFY_FROM, NOTIFY_EMAILS). It answered: "550 no such user".',
    ],
    [
      'anything else, without a URL that could hold a password',
      { message: 'bad thing at smtp://u:secret@host' },
      'Sending through the SMTP server at smtp.example.com:587 failed: bad thing at [url].',
    ],
  ];
  for (const [name, err, words] of cases) {
    it(name, () => expect(smtpWords(err, where)).to.equal(words));
  }
});
