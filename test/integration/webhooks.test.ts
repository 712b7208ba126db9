import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import request from 'supertest';
import { DROPPED_NOT_CONNECTED } from '../../src/quickbooks/pull/receiver.js';
import { signatureOf } from '../../src/quickbooks/pull/signature.js';
import { csrfToken } from '../helpers/app.js';
import { connect, REALM_A, REALM_B, startWorld, type World } from '../helpers/quickbooks.js';
import { classic, cloudEvent, deliver, VERIFIER } from '../helpers/webhooks.js';

/** Inbox rows once the deliveries acknowledged so far are unpacked (as the worker does first; decision 016). */
async function inboxRows(w: World) {
  await w.t.container.inbound.inbox.unpack();
  return w.t.container.inbound.inbox.list();
}

async function inboxCount(w: World): Promise<number> {
  await w.t.container.inbound.inbox.unpack();
  const row = await w.t.container.db('webhook_inbox').count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

const METRICS = 'metrics-token-0123456789abcdef';

async function customerInQuickBooks(w: World, name: string): Promise<string> {
  const created = await w.control('POST', `/companies/${REALM_A}/entities/Customer`, { DisplayName: name });
  return String(created.Id);
}

describe('POST /webhooks/quickbooks', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    await connect(w);
  });
  afterEach(async () => w.close());

  describe('accepted deliveries', () => {
    it('stores a signed CloudEvents array sent as application/cloudevents+json and answers 200', async () => {
      const event = {
        ...cloudEvent(REALM_A, 'Invoice', '12', 'voided', 'evt-1'),
        time: '2026-11-28T09:30:00Z',
      };
      const res = await deliver(w, [event]);
      expect(res.status).to.equal(200);
      // Durable before the 200: the delivery as it arrived, staged for the worker.
      const staged = await w.t.container.db('webhook_deliveries').select('realm_id', 'event_count', 'body');
      expect(staged).to.deep.equal([{ realm_id: REALM_A, event_count: 1, body: JSON.stringify([event]) }]);
      const rows = await inboxRows(w);
      expect(
        rows.map((r) => [r.eventKey, r.realmId, r.entity, r.entityId, r.operation, r.format, r.status]),
      ).to.deep.equal([
        ['ce:2026-11-28T09:30:00.000Z|evt-1', REALM_A, 'Invoice', '12', 'Void', 'cloudevents', 'pending'],
      ]);
    });

    it('stores a classic delivery sent as application/json, and one sent with no useful content type', async () => {
      const first = classic(REALM_A, [{ name: 'Customer', id: '3', operation: 'Update' }]);
      expect((await deliver(w, first, { contentType: 'application/json' })).status).to.equal(200);
      const second = classic(REALM_A, [{ name: 'Estimate', id: '4', operation: 'Create' }]);
      expect((await deliver(w, second, { contentType: 'text/plain' })).status).to.equal(200);
      const rows = await inboxRows(w);
      expect(rows.map((r) => `${r.format} ${r.entity}.${r.operation} ${r.entityId}`)).to.deep.equal([
        'classic Customer.Update 3',
        'classic Estimate.Create 4',
      ]);
    });

    it('routes each event by its own realm: a mixed delivery keeps only the connected company’s events', async () => {
      const res = await deliver(w, [
        cloudEvent(REALM_A, 'Customer', '1'),
        cloudEvent(REALM_B, 'Customer', '1'),
      ]);
      expect(res.status).to.equal(200);
      expect((await inboxRows(w)).map((r) => r.realmId)).to.deep.equal([REALM_A]);
      expect(await w.t.container.inbound.inbox.stat(DROPPED_NOT_CONNECTED)).to.equal(1);
    });
  });

  describe('refused deliveries store nothing', () => {
    const body = JSON.stringify([cloudEvent(REALM_A, 'Customer', '1')]);

    it('401 without a signature', async () => {
      const res = await deliver(w, body, { signature: null });
      expect(res.status).to.equal(401);
      expect(await inboxCount(w)).to.equal(0);
    });

    it('401 with a wrong signature, or one made with another verifier token', async () => {
      expect((await deliver(w, body, { signature: 'bm9wZQ==' })).status).to.equal(401);
      expect((await deliver(w, body, { signature: signatureOf(body, 'not-the-token') })).status).to.equal(
        401,
      );
      expect(await inboxCount(w)).to.equal(0);
    });

    it('401 for a truncated body sent with the signature of the whole', async () => {
      const res = await deliver(w, body.slice(0, body.length - 10), {
        signature: signatureOf(body, VERIFIER),
      });
      expect(res.status).to.equal(401);
      expect(await inboxCount(w)).to.equal(0);
    });

    it('400 for a signed body that is not JSON, or JSON in neither format', async () => {
      expect(
        (await deliver(w, '{"eventNotifications": [', { contentType: 'application/json' })).status,
      ).to.equal(400);
      expect((await deliver(w, 'hello', { contentType: 'text/plain' })).status).to.equal(400);
      expect((await deliver(w, { hello: 'world' })).status).to.equal(400);
      // Signed JSON of the wrong shape: arrays of non-events, empty lists, notifications without entities.
      for (const body of [
        [1, 2, 3],
        [{ hello: 'world' }],
        [cloudEvent(REALM_A, 'Customer', '1'), { not: 'an event' }],
        [],
        { eventNotifications: [] },
        { eventNotifications: [{ realmId: REALM_A }] },
        { specversion: '1.0' },
      ]) {
        expect((await deliver(w, body)).status, JSON.stringify(body)).to.equal(400);
      }
      expect(await inboxCount(w)).to.equal(0);
    });

    it('413 for a body over 1 MB, signed or not', async () => {
      const events = Array.from({ length: 5000 }, (_, i) => cloudEvent(REALM_A, 'Customer', String(i)));
      const big = JSON.stringify(events);
      expect(big.length).to.be.greaterThan(1024 * 1024);
      const res = await deliver(w, big);
      expect(res.status).to.equal(413);
      expect(await inboxCount(w)).to.equal(0);
    });

    it('is not behind the session or CSRF, and sets no cookie', async () => {
      const res = await deliver(w, body);
      expect(res.status).to.equal(200);
      expect(res.headers['set-cookie']).to.equal(undefined);
    });
  });

  describe('taken before Express (decision 018)', () => {
    const events = () => [cloudEvent(REALM_A, 'Customer', '7')];

    it('verifies a gzip, deflate or br delivery over its decoded bytes; an unknown encoding is 415 and stores nothing', async () => {
      for (const [encoding, pack] of [
        ['gzip', gzipSync],
        ['deflate', deflateSync],
        ['br', brotliCompressSync],
      ] as const) {
        const text = JSON.stringify(events());
        // Sent as bytes (supertest would serialise a Buffer under a JSON content type).
        const res = await request(w.t.app)
          .post('/webhooks/quickbooks')
          .set('Content-Type', 'application/octet-stream')
          .set('Content-Encoding', encoding)
          .set('intuit-signature', signatureOf(text, VERIFIER))
          .send(pack(Buffer.from(text)));
        expect(res.status, encoding).to.equal(200);
      }
      expect(await inboxCount(w)).to.equal(3);
      const text = JSON.stringify(events());
      const refused = await request(w.t.app)
        .post('/webhooks/quickbooks')
        .set('Content-Type', 'application/cloudevents+json')
        .set('Content-Encoding', 'compress')
        .set('intuit-signature', signatureOf(text, VERIFIER))
        .send(text);
      expect(refused.status).to.equal(415);
      expect(refused.text).to.equal('unsupported content encoding');
      // A body that claims gzip and is not: 400, nothing stored.
      const broken = await request(w.t.app)
        .post('/webhooks/quickbooks')
        .set('Content-Encoding', 'gzip')
        .set('intuit-signature', signatureOf(text, VERIFIER))
        .send(text);
      expect(broken.status).to.equal(400);
      expect(await inboxCount(w)).to.equal(3);
    });

    it('takes the path as Express matched it (trailing slash, query, any case); other methods and paths go on to the app', async () => {
      for (const path of [
        '/webhooks/quickbooks/',
        '/webhooks/quickbooks?from=intuit',
        '/Webhooks/QuickBooks',
      ]) {
        const text = JSON.stringify(events());
        const res = await request(w.t.app)
          .post(path)
          .set('Content-Type', 'application/cloudevents+json')
          .set('intuit-signature', signatureOf(text, VERIFIER))
          .send(text);
        expect(res.status, path).to.equal(200);
        expect(res.text, path).to.equal('');
      }
      expect(await inboxCount(w)).to.equal(3);
      // Not the receiver's: the app answers, with its security headers (a page 404; a form post without
      // a CSRF token 403).
      for (const [method, path, status] of [
        ['get', '/webhooks/quickbooks', 404],
        ['post', '/webhooks/quickbooks/extra', 403],
        ['post', '/webhooks/quickbooksx', 403],
      ] as const) {
        const res = await request(w.t.app)[method](path);
        expect(res.status, `${method} ${path}`).to.equal(status);
        expect(res.headers['content-security-policy'], `${method} ${path}`).to.be.a('string');
      }
      expect(await inboxCount(w)).to.equal(3);
    });

    it('answers in plain text with a length, and counts every answer by outcome', async () => {
      const counted = await startWorld({ env: { METRICS_TOKEN: METRICS } });
      try {
        await connect(counted);
        const text = JSON.stringify(events());
        const bad = await deliver(counted, text, { signature: 'bm9wZQ==' });
        expect(bad.status).to.equal(401);
        expect(bad.headers['content-type']).to.equal('text/plain; charset=utf-8');
        expect(bad.headers['content-length']).to.equal(String('invalid signature'.length));
        expect(bad.text).to.equal('invalid signature');
        expect((await deliver(counted, text)).status).to.equal(200);
        const unknown = await request(counted.t.app)
          .post('/webhooks/quickbooks')
          .set('Content-Encoding', 'compress')
          .send(text);
        expect(unknown.status).to.equal(415);
        const metrics = await request(counted.t.app)
          .get('/metrics')
          .set('Authorization', `Bearer ${METRICS}`);
        const count = (outcome: string) =>
          Number(
            metrics.text
              .split('\n')
              .find((l) => l.startsWith(`heavyav_webhook_deliveries_total{outcome="${outcome}"}`))
              ?.split(' ')
              .pop(),
          );
        expect(['bad_signature', 'accepted', 'malformed'].map(count)).to.deep.equal([1, 1, 1]);
      } finally {
        await counted.close();
      }
    });
  });

  describe('a delivery that cannot be stored', () => {
    it('is answered 500 (Intuit retries), logged with its cause, counted as an error, and stores nothing', async () => {
      const logs: string[] = [];
      const broken = await startWorld({ logs, env: { METRICS_TOKEN: METRICS } });
      // The delivery counter, as Prometheus scrapes it.
      const counted = async (outcome: string) => {
        const res = await request(broken.t.app).get('/metrics').set('Authorization', `Bearer ${METRICS}`);
        expect(res.status).to.equal(200);
        const line = res.text
          .split('\n')
          .find((l) => l.startsWith(`heavyav_webhook_deliveries_total{outcome="${outcome}"}`));
        return Number(line?.split(' ').pop());
      };
      try {
        await connect(broken);
        const db = broken.t.container.db;
        await db.schema.renameTable('webhook_deliveries', 'webhook_deliveries_away');
        const res = await deliver(broken, [cloudEvent(REALM_A, 'Customer', '1')]);
        await db.schema.renameTable('webhook_deliveries_away', 'webhook_deliveries');
        expect(res.status).to.equal(500);
        expect(res.text).to.equal('not stored');
        const line = logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'webhook could not be stored');
        expect(line?.err?.message).to.match(/webhook_deliveries/);
        expect(Number((await db('webhook_deliveries').count({ n: '*' }).first())?.n)).to.equal(0);
        expect([await counted('error'), await counted('accepted')]).to.deep.equal([1, 0]);
        // The sender's retry is stored.
        expect((await deliver(broken, [cloudEvent(REALM_A, 'Customer', '1')])).status).to.equal(200);
        expect([await counted('error'), await counted('accepted')]).to.deep.equal([1, 1]);
      } finally {
        await broken.close();
      }
    });
  });

  describe('duplicates', () => {
    it('a valid delivery sent five times is stored once and processed once', async () => {
      const id = await customerInQuickBooks(w, 'Five Times AV');
      const body = [cloudEvent(REALM_A, 'Customer', id, 'created', 'same-event')];
      for (let i = 0; i < 5; i++) expect((await deliver(w, body)).status).to.equal(200);
      expect(await inboxCount(w)).to.equal(1);
      await w.control('DELETE', '/ledger');
      await w.t.container.inbound.worker.drain();
      const reads = (await w.ledger()).filter((e) => e.path.endsWith(`/customer/${id}`));
      expect(reads).to.have.length(1);
      const events = await w.t.container.db('sync_events').where({ direction: 'pull', qbo_id: id });
      expect(events.map((e) => `${e.operation} ${e.result}`)).to.deep.equal(['create ok']);
      const customer = await w.t.container.customers.findByDisplayName('Five Times AV');
      expect(customer).to.not.equal(undefined);
    });

    it('two classic changes to one customer within one second: the second is processed too', async () => {
      const id = await customerInQuickBooks(w, 'Same Second AV');
      // Classic events carry no id, and lastUpdated has whole seconds (as in Intuit's own samples): both
      // changes look the same.
      const lastUpdated = '2026-12-01T10:15:30-08:00';
      const body = {
        eventNotifications: [
          {
            realmId: REALM_A,
            dataChangeEvent: { entities: [{ name: 'Customer', id, operation: 'Update', lastUpdated }] },
          },
        ],
      };
      expect((await deliver(w, body, { contentType: 'application/json' })).status).to.equal(200);
      await w.t.container.inbound.worker.drain();
      expect(await w.t.container.customers.findByDisplayName('Same Second AV')).to.not.equal(undefined);

      await w.control('POST', `/companies/${REALM_A}/entities/Customer/${id}`, {
        DisplayName: 'Same Second AV Renamed',
      });
      expect((await deliver(w, body, { contentType: 'application/json' })).status).to.equal(200);
      await w.t.container.inbound.worker.drain();
      expect(await w.t.container.customers.findByDisplayName('Same Second AV Renamed')).to.not.equal(
        undefined,
      );
      expect(await inboxCount(w), 'still one row').to.equal(1);
    });

    it('a storm of events on a few customers is read once per customer, in one Id IN (…) query', async () => {
      const ids = [
        await customerInQuickBooks(w, 'Storm A'),
        await customerInQuickBooks(w, 'Storm B'),
        await customerInQuickBooks(w, 'Storm C'),
      ];
      const events = Array.from({ length: 90 }, (_, i) => cloudEvent(REALM_A, 'Customer', ids[i % 3]));
      expect((await deliver(w, events)).status).to.equal(200);
      await w.control('DELETE', '/ledger');
      await w.t.container.inbound.worker.drain();
      const reads = (await w.ledger()).filter((e) => e.method === 'GET');
      expect(reads.map((e) => e.path.split('/').pop())).to.deep.equal(['query']);
      for (const name of ['Storm A', 'Storm B', 'Storm C'])
        expect(await w.t.container.customers.findByDisplayName(name), name).to.not.equal(undefined);
      expect((await w.t.container.inbound.inbox.list()).every((r) => r.status === 'done')).to.equal(true);
    });

    it('classic redeliveries (same realm, entity, id, operation, lastUpdated) are stored once', async () => {
      const body = classic(REALM_A, [{ name: 'Customer', id: '1', operation: 'Update' }]);
      for (let i = 0; i < 3; i++) await deliver(w, body, { contentType: 'application/json' });
      expect(await inboxCount(w)).to.equal(1);
    });
  });

  describe('a company that is not connected', () => {
    it('is answered 200, stores no content, sends nothing to Intuit, and is counted', async () => {
      const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
      await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({ _csrf });
      await w.control('DELETE', '/ledger');
      const res = await deliver(w, [
        cloudEvent(REALM_A, 'Customer', '1'),
        cloudEvent(REALM_A, 'Invoice', '2'),
      ]);
      expect(res.status).to.equal(200);
      const other = await deliver(w, classic(REALM_B, [{ name: 'Customer', id: '1', operation: 'Create' }]));
      expect(other.status).to.equal(200);
      expect(await inboxCount(w)).to.equal(0);
      await w.t.container.inbound.worker.drain();
      expect(await w.ledger()).to.deep.equal([]);
      expect(await w.t.container.inbound.inbox.stat(DROPPED_NOT_CONNECTED)).to.equal(3);
    });
  });
});
