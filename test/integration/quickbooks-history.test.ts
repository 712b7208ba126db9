import { expect } from 'chai';
import request from 'supertest';
import { parseCsv } from '../../src/quickbooks/history/csv.js';
import { CSV_COLUMNS } from '../../src/quickbooks/history/history-service.js';
import { createUser, signIn, startTestApp, type TestApp } from '../helpers/app.js';

const HISTORY = '/admin/settings/quickbooks/history';

interface Seeded {
  id: number;
  at: string;
  direction: string;
  entity: string;
  result: string;
}

const DIRECTIONS = ['push', 'pull'];
const ENTITIES = ['customer', 'estimate', 'invoice'];
const RESULTS = ['ok', 'failed', 'skipped', 'retry'];

/** n events spread over Nov 20–29 2026, several sharing a timestamp (so the id breaks ties). */
async function seedEvents(t: TestApp, n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  const rows = Array.from({ length: n }, (_, i) => {
    const day = 20 + (i % 10);
    const second = Math.floor(i / 30);
    return {
      at: `2026-11-${day}T10:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000Z`,
      realm_id: '9130350000000001',
      direction: DIRECTIONS[i % 2],
      entity: ENTITIES[i % 3],
      local_id: i + 1,
      qbo_id: String(1000 + i),
      operation: i % 2 ? 'update' : 'create',
      result: RESULTS[i % 4],
      error_code: i % 4 === 1 ? '6240' : null,
      error_message: i % 4 === 1 ? 'Duplicate Name Exists Error' : null,
      intuit_tid: `tid-${i}`,
      ...extra(i),
    };
  });
  for (let i = 0; i < rows.length; i += 200)
    await t.container.db('sync_events').insert(rows.slice(i, i + 200));
  const stored = await t.container.db('sync_events').select('id', 'at', 'direction', 'entity', 'result');
  return stored
    .map((r: any) => ({ ...r, id: Number(r.id) }) as Seeded)
    .sort((a, b) => (a.at === b.at ? b.id - a.id : a.at < b.at ? 1 : -1));
}

function idsOnPage(html: string): number[] {
  return [...html.matchAll(/data-event-id="(\d+)"/g)].map((m) => Number(m[1]));
}

function nextLink(html: string): string | undefined {
  const m = /<a href="([^"]+)" rel="next">Older →<\/a>/.exec(html);
  return m?.[1].replace(/&amp;/g, '&');
}

describe('QuickBooks sync history', () => {
  let t: TestApp;
  let admin: request.Agent;
  beforeEach(async () => {
    t = await startTestApp();
    await createUser(t);
    admin = await signIn(t);
  });
  afterEach(async () => t.close());

  describe('GET /admin/settings/quickbooks/history', () => {
    it('shows the newest 50 events first, each with its details, and a link to the local record', async () => {
      const seeded = await seedEvents(t, 60);
      const res = await admin.get(HISTORY);
      expect(res.status).to.equal(200);
      expect(idsOnPage(res.text)).to.deep.equal(seeded.slice(0, 50).map((e) => e.id));
      const failed = seeded.find((e) => e.result === 'failed' && e.entity === 'invoice')!;
      const row = new RegExp(`<tr data-event-id="${failed.id}">([\\s\\S]*?)</tr>`).exec(res.text)![1];
      const local = (await t.container.db('sync_events').where({ id: failed.id }).first()).local_id;
      expect(row).to.contain(`href="/admin/invoices/${local}"`);
      expect(row).to.contain('<span class="badge bad">failed</span>');
      expect(row).to.contain('6240');
      expect(row).to.contain('Duplicate Name Exists Error');
      expect(row).to.match(/tid-\d+/);
      expect(row).to.contain(failed.at.replace('T', ' ').slice(0, 19));
    });

    it('filters by direction, entity, result and an inclusive UTC date range, and keeps the values in the form', async () => {
      const seeded = await seedEvents(t, 240);
      const expected = seeded.filter(
        (e) =>
          e.direction === 'pull' &&
          e.entity === 'estimate' &&
          e.result === 'failed' &&
          e.at >= '2026-11-22' &&
          e.at < '2026-11-26',
      );
      expect(expected.length).to.be.greaterThan(0);
      const res = await admin.get(HISTORY).query({
        direction: 'pull',
        entity: 'estimate',
        result: 'failed',
        from: '2026-11-22',
        to: '2026-11-25',
      });
      expect(res.status).to.equal(200);
      expect(idsOnPage(res.text)).to.deep.equal(expected.map((e) => e.id));
      expect(res.text).to.contain('<option value="pull" selected>');
      expect(res.text).to.contain('<option value="estimate" selected>');
      expect(res.text).to.contain('<option value="failed" selected>');
      expect(res.text).to.contain('name="from" type="date" value="2026-11-22"');
      expect(res.text).to.contain('name="to" type="date" value="2026-11-25"');
      expect(res.text).to.match(/<label for="f-direction">Direction<\/label>/);

      for (const [query, test] of [
        [{ result: 'retry' }, (e: Seeded) => e.result === 'retry'],
        [{ direction: 'push' }, (e: Seeded) => e.direction === 'push'],
        [{ entity: 'customer', result: 'ok' }, (e: Seeded) => e.entity === 'customer' && e.result === 'ok'],
        [{ from: '2026-11-29', to: '2026-11-29' }, (e: Seeded) => e.at.startsWith('2026-11-29')],
      ] as const) {
        const page = await admin.get(HISTORY).query(query);
        expect(idsOnPage(page.text), JSON.stringify(query)).to.deep.equal(
          seeded
            .filter(test)
            .slice(0, 50)
            .map((e) => e.id),
        );
      }
    });

    it('pages by keyset: following "Older" links visits every matching event once, in order', async () => {
      const seeded = await seedEvents(t, 330);
      for (const query of ['', '?result=ok', '?direction=pull&entity=invoice']) {
        const params = new URLSearchParams(query);
        const expected = seeded
          .filter((e) => [...params].every(([k, v]) => (e as any)[k] === v))
          .map((e) => e.id);
        const seen: number[] = [];
        let url: string | undefined = `${HISTORY}${query}`;
        let pages = 0;
        while (url) {
          const res = await admin.get(url);
          expect(res.status).to.equal(200);
          const ids = idsOnPage(res.text);
          expect(ids.length).to.be.at.most(50);
          seen.push(...ids);
          url = nextLink(res.text);
          if (url)
            expect(url)
              .to.match(/[?&]before=\d+/)
              .and.not.match(/page=|offset=/);
          pages++;
        }
        expect(seen, query).to.deep.equal(expected);
        expect(pages).to.equal(Math.max(1, Math.ceil(expected.length / 50)));
      }
    });

    it('refuses a malformed date with a message by the field (422)', async () => {
      const res = await admin.get(HISTORY).query({ from: '2026-13-45' });
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('Enter a date as YYYY-MM-DD.');
      expect(res.text).to.contain('aria-invalid="true"');
    });

    it('shows the audit log beside it, newest first, paged by id, with a link to a deletion receipt', async () => {
      const audit = t.container.quickbooks.audit;
      for (let i = 0; i < 55; i++)
        await audit.record({
          action: 'quickbooks.refreshed',
          summary: `Refresh ${i}`,
          realmId: '9130350000000001',
          intuitTid: `audit-tid-${i}`,
        });
      const receipt = await audit.record({
        action: 'quickbooks.data_deleted',
        summary: 'Deleted the cached QuickBooks data for request #7',
        details: { requestId: 7, processedBy: 'operator (command line)' },
      });
      const res = await admin.get(HISTORY);
      const ids = [...res.text.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));
      expect(ids).to.have.length(50);
      expect(ids[0]).to.equal(receipt.id);
      expect(ids).to.deep.equal([...ids].sort((a, b) => b - a));
      expect(res.text).to.contain('href="/admin/settings/quickbooks/data/deletion-requests/7"');
      expect(res.text).to.contain('operator (command line)');
      expect(res.text).to.contain('audit-tid-54');
      const older = /<a href="([^"]+)" rel="next">Older entries →<\/a>/
        .exec(res.text)![1]
        .replace(/&amp;/g, '&');
      const next = await admin.get(older);
      const rest = [...next.text.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));
      expect(rest).to.have.length(6);
      expect(Math.max(...rest)).to.be.lessThan(Math.min(...ids));
    });

    it('is for admins only: staff get 403, anonymous visitors are sent to sign in', async () => {
      await createUser(t, 'staff@example.com', 'staff password 1234', 'staff');
      const staff = await signIn(t, 'staff@example.com', 'staff password 1234');
      expect((await staff.get(HISTORY)).status).to.equal(403);
      expect((await staff.get(`${HISTORY}?format=csv`)).status).to.equal(403);
      const anonymous = await request(t.app).get(HISTORY);
      expect(anonymous.status).to.equal(303);
      expect(anonymous.headers.location).to.contain('/admin/login');
    });
  });

  describe('GET /admin/settings/quickbooks/history?format=csv', () => {
    it('downloads exactly the filtered events, across several internal batches, newest first', async () => {
      const seeded = await seedEvents(t, 3000);
      const expected = seeded.filter((e) => e.direction === 'push' && e.at >= '2026-11-21');
      expect(expected.length).to.be.greaterThan(1000);
      const res = await admin
        .get(HISTORY)
        .query({ format: 'csv', direction: 'push', from: '2026-11-21' })
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (chunk: string) => {
            text += chunk;
          });
          r.on('end', () => done(null, text));
        });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/csv/);
      expect(res.headers['content-disposition']).to.match(
        /^attachment; filename="quickbooks-history-.*\.csv"$/,
      );
      const [header, ...rows] = parseCsv(res.body as string);
      expect(header).to.deep.equal([...CSV_COLUMNS]);
      expect(rows.map((r) => Number(r[0]))).to.deep.equal(expected.map((e) => e.id));
      for (const r of rows) expect(r[2]).to.equal('push');
    });

    it('escapes quotes, commas and newlines and defuses formulas', async () => {
      const message = 'Stale object: "SyncToken" 3, expected 4\nretry later';
      await seedEvents(t, 3, (i) =>
        i === 0
          ? { error_message: message, qbo_id: '=HYPERLINK("http://x")' }
          : i === 1
            ? { error_message: '@SUM(A1:A9)', intuit_tid: '+tid' }
            : { error_message: '-1 is not valid' },
      );
      const res = await admin.get(HISTORY).query({ format: 'csv' }).buffer(true);
      const rows = parseCsv(res.text);
      const byTid = new Map(rows.slice(1).map((r) => [r[10], r]));
      const first = byTid.get('tid-0')!;
      expect(first[9]).to.equal(message);
      expect(first[5]).to.equal(`'=HYPERLINK("http://x")`);
      expect(byTid.get("'+tid")![9]).to.equal("'@SUM(A1:A9)");
      expect(byTid.get('tid-2')![9]).to.equal("'-1 is not valid");
      expect(res.text).to.contain('"Stale object: ""SyncToken"" 3, expected 4\nretry later"');
    });
  });
});
