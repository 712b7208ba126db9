/**
 * The operator's status page and /metrics: figures seeded through the real push (a record QuickBooks
 * refuses), the real receiver (accepted, refused, dropped deliveries) and the real inbox worker (an event
 * parked after its last attempt), against the emulator; then the page and the scrape must say the same.
 */

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import request from 'supertest';
import { dialectOf } from '../../src/db/index.js';
import { ConflictsRepository } from '../../src/quickbooks/conflicts/conflicts-repository.js';
import { createUser, signIn } from '../helpers/app.js';
import {
  connect,
  REALM_B,
  REALM_EMPTY,
  refusedBatchFault,
  startWorld,
  type World,
} from '../helpers/quickbooks.js';
import { makeCustomer, rowCount, STAFF } from '../helpers/records.js';
import { cloudEvent, deliver } from '../helpers/webhooks.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const VERSION = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** The text of each `data-stat` element of the page. */
function stats(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/data-stat="([^"]+)">([\s\S]*?)<\/span>/g))
    out[m[1]] = m[2]
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  return out;
}

/** Prometheus text → { 'name' or 'name{labels}': value }; throws on a line that is not a sample. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample: ${line}`);
    samples.set(m[1], Number(m[2]));
  }
  return samples;
}

const REFUSED_BATCH = refusedBatchFault('refused for the status page test');

async function parkOneEvent(w: World): Promise<void> {
  await w.control('POST', '/faults', { match: { path: '/customer/' }, times: 100, respond: { status: 503 } });
  expect((await deliver(w, [cloudEvent(REALM_EMPTY, 'Customer', '1', 'updated')])).status).to.equal(200);
  const { worker } = w.t.container.inbound;
  let now = Date.now();
  (worker as any).deps.now = () => now;
  for (let i = 0; i < 8; i++) {
    await worker.processOnce();
    now += 60 * 60_000;
  }
  (worker as any).deps.now = undefined;
  await w.control('DELETE', '/faults');
}

describe('GET /admin/status and GET /metrics', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterEach(async () => w.close());

  it('sends anonymous visitors to sign in and refuses staff', async () => {
    const anonymous = await request(w.t.app).get('/admin/status');
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.location).to.equal('/admin/login');
    await createUser(w.t, STAFF.email, STAFF.password, 'staff');
    const staff = await signIn(w.t, STAFF.email, STAFF.password);
    const refused = await staff.get('/admin/status');
    expect(refused.status).to.equal(403);
    expect(refused.text).to.not.contain('data-stat="push-waiting"');
  });

  it('shows an empty, never-connected install plainly', async () => {
    const res = await w.admin.get('/admin/status');
    expect(res.status).to.equal(200);
    const s = stats(res.text);
    expect(s).to.include({
      'push-waiting': '0',
      'push-oldest': '—',
      'push-failed': '0',
      'inbox-waiting': '0',
      'inbox-parked': '0',
      'cdc-result': 'Never',
      connection: 'Never connected',
      'webhook-refused': '0',
      'webhook-dropped': '0',
      version: VERSION,
    });
    expect(s['database-engine']).to.contain(dialectOf(w.t.container.db));
  });

  it('counts what the push, the receiver and the inbox worker did, and each figure links to where it is fixed', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    // A record QuickBooks refuses: failed for good.
    await w.control('POST', '/faults', REFUSED_BATCH);
    await makeCustomer(w.t, 'Refused Rentals');
    await w.t.container.sync.worker.drain();
    // A change nobody pushed yet: waiting.
    await makeCustomer(w.t, 'Waiting Hall');
    // An event parked after its last attempt, then one still waiting.
    await parkOneEvent(w);
    expect((await deliver(w, [cloudEvent(REALM_EMPTY, 'Customer', '2', 'updated')])).status).to.equal(200);
    // The waiting one is still staged, as it arrived (no worker runs here): counted as waiting all the same.
    expect(await w.t.container.db('webhook_deliveries').pluck('event_count')).to.deep.equal([1]);
    // Refused deliveries, and events of a company that is not connected (dropped).
    expect(
      (await deliver(w, [cloudEvent(REALM_EMPTY, 'Customer', '3')], { signature: 'bad' })).status,
    ).to.equal(401);
    expect((await deliver(w, '{"not": "a webhook"}')).status).to.equal(400);
    // Refused by the body parser before the receiver runs: still counted.
    expect((await deliver(w, `"${'x'.repeat(1024 * 1024 + 1)}"`)).status).to.equal(413);
    expect(
      (await deliver(w, [cloudEvent(REALM_B, 'Customer', '4'), cloudEvent(REALM_B, 'Customer', '5')])).status,
    ).to.equal(200);
    // A CDC sweep that finds nothing to change.
    await w.t.container.inbound.cdc.sweep(REALM_EMPTY);

    const res = await w.admin.get('/admin/status');
    expect(res.status).to.equal(200);
    const s = stats(res.text);
    expect(s).to.include({
      'push-waiting': '1',
      'push-failed': '1',
      'inbox-waiting': '1',
      'inbox-parked': '1',
      'cdc-result': 'OK',
      connection: 'Connected',
      // Stored in the last hour: the parked event and the waiting one (dropped events are not stored).
      'webhook-events-hour': '2',
      // Deliveries answered 200: the parked event's, the waiting one's and the dropped pair's.
      'webhook-accepted': '3',
      'webhook-refused': '3',
      'webhook-dropped': '2',
    });
    expect(s['push-oldest']).to.match(/^\d+ s$/);
    expect(s['refresh-age']).to.match(/^\d+ s$/);
    expect(res.text).to.contain('1 bad signature, 1 malformed, 1 too large');
    expect(res.text).to.contain('since this process started');
    // Each figure links to where it is dealt with.
    expect(res.text).to.contain('href="/admin/settings/quickbooks/history?direction=push&amp;result=failed"');
    expect(res.text).to.contain('href="/admin/settings/quickbooks/history?direction=pull&amp;result=failed"');
    expect(res.text).to.contain('href="/admin/settings/quickbooks/data"');
    expect(res.text).to.contain('href="/admin/settings/quickbooks"');
    // The history the failed link opens does list the refused record.
    const history = await w.admin.get('/admin/settings/quickbooks/history?direction=push&result=failed');
    expect(history.text).to.contain('refused for the status page test');

    // A record in conflict (here a name a vendor holds) is counted apart from the refused ones.
    await new ConflictsRepository(w.t.container.db).open({
      realmId: REALM_EMPTY,
      recordType: 'customer',
      recordId: 1,
      kind: 'name_taken',
      message: 'The name is used by a vendor in QuickBooks.',
    });

    // The scrape says the same.
    const scrape = await request(w.t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(scrape.status).to.equal(200);
    expect(scrape.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(scrape.text);
    expect(m.get('heavyav_push_queue_waiting')).to.equal(1);
    expect(m.get('heavyav_push_queue_failed')).to.equal(1);
    expect(m.get('heavyav_push_conflicts_open')).to.equal(1);
    expect(m.get('heavyav_inbox_waiting')).to.equal(1);
    expect(m.get('heavyav_inbox_parked')).to.equal(1);
    expect(m.get('heavyav_cdc_last_run_succeeded')).to.equal(1);
    expect(m.get('heavyav_quickbooks_connected')).to.equal(1);
    expect(m.get('heavyav_webhook_events_last_hour')).to.equal(2);
    expect(m.get('heavyav_webhook_events_dropped')).to.equal(2);
    expect(m.get('heavyav_webhook_deliveries_total{outcome="accepted"}')).to.equal(3);
    expect(m.get('heavyav_webhook_deliveries_total{outcome="bad_signature"}')).to.equal(1);
    expect(m.get('heavyav_webhook_deliveries_total{outcome="malformed"}')).to.equal(1);
    expect(m.get('heavyav_webhook_deliveries_total{outcome="too_large"}')).to.equal(1);
    expect(m.get('heavyav_webhook_deliveries_total{outcome="error"}')).to.equal(0);
    expect(m.get(`heavyav_app_info{version="${VERSION}"}`)).to.equal(1);
    expect(m.get('heavyav_push_queue_oldest_age_seconds')).to.be.at.least(0);
    const engine = dialectOf(w.t.container.db);
    expect(m.get(`heavyav_database_size_bytes{engine="${engine}"}`)).to.be.greaterThan(0);
    // Default process metrics come along.
    expect(m.has('process_cpu_user_seconds_total')).to.equal(true);
  });

  describe('GET /metrics', () => {
    it('asks for the Bearer token: 401 without it or with a wrong one, and never creates a session', async () => {
      const before = await rowCount(w.t, 'sessions');
      const missing = await request(w.t.app).get('/metrics');
      expect(missing.status).to.equal(401);
      expect(missing.headers['www-authenticate']).to.match(/^Bearer/);
      const wrong = await request(w.t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`);
      expect(wrong.status).to.equal(401);
      const basic = await request(w.t.app).get('/metrics').set('Authorization', `Basic ${TOKEN}`);
      expect(basic.status).to.equal(401);
      const ok = await request(w.t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
      expect(ok.status).to.equal(200);
      expect(ok.headers['set-cookie']).to.equal(undefined);
      expect(missing.headers['set-cookie']).to.equal(undefined);
      expect(await rowCount(w.t, 'sessions')).to.equal(before);
      expect(parseMetrics(ok.text).get('heavyav_push_queue_waiting')).to.equal(0);
    });
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  it('does not exist: 404, with or without a token', async () => {
    expect((await request(w.t.app).get('/metrics')).status).to.equal(404);
    const withToken = await request(w.t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(withToken.status).to.equal(404);
    expect(withToken.text).to.not.contain('heavyav_');
  });

  it('leaves /healthz as it was', async () => {
    const res = await request(w.t.app).get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok', database: 'ok' });
  });
});
