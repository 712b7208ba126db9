import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { createUser, csrfFrom, csrfToken, signIn, TEST_SECRETS } from '../helpers/app.js';
import { connect, REALM_A, REALM_B, startWorld, type World } from '../helpers/quickbooks.js';
import { documentValues, makeCustomer, rowCount } from '../helpers/records.js';

const DATA = '/admin/settings/quickbooks/data';
const FILE = `${DATA}/deletion-requests`;
const LINE = [{ description: 'PA system, 2 days', quantity: '2', unitPrice: '450.00' }];
const KEPT_TABLES = ['customers', 'estimates', 'invoices', 'estimate_lines', 'invoice_lines', 'users'];

async function post(w: World, path: string, fields: Record<string, string> = {}) {
  const _csrf = await csrfToken(w.admin, DATA);
  return w.admin
    .post(path)
    .type('form')
    .send({ ...fields, _csrf });
}

async function disconnect(w: World) {
  const res = await post(w, '/admin/settings/quickbooks/disconnect');
  expect(res.status).to.equal(303);
  expect(await w.t.container.quickbooks.connections.active()).to.equal(undefined);
}

/** Records through the services, and QuickBooks data of every kind written straight into its tables. */
async function seed(w: World) {
  const { t } = w;
  const db = t.container.db;
  const now = new Date().toISOString();
  const customers = [await makeCustomer(t, 'Acme Events'), await makeCustomer(t, 'Bright Stage Ltd')];
  const estimate = await t.container.estimates.create(documentValues(customers[0].id, LINE));
  const invoice = await t.container.invoices.create(documentValues(customers[1].id, LINE));
  const link = (type: string, id: number, realm: string, qboId: string, state: string) => ({
    record_type: type,
    record_id: id,
    realm_id: realm,
    qbo_id: qboId,
    sync_token: state === 'linked' ? '3' : '0',
    payload_hash: state === 'linked' ? 'f'.repeat(64) : null,
    state,
    created_at: now,
    updated_at: now,
  });
  await db('qbo_links').insert([
    link('customer', customers[0].id, REALM_A, '58', 'linked'),
    link('customer', customers[1].id, REALM_A, '59', 'linked'),
    link('estimate', estimate.id, REALM_A, '130', 'linked'),
    link('invoice', invoice.id, REALM_A, '131', 'linked'),
    link('customer', customers[0].id, REALM_B, '7', 'archived'),
    link('invoice', invoice.id, REALM_B, '8', 'archived'),
  ]);
  // A line booked to a QuickBooks item: the ids are QuickBooks data, the line is the invoice's.
  await db('invoice_lines')
    .where({ invoice_id: invoice.id })
    .update({ item_id: '1', item_name: 'Services', tax_code_id: 'NON', qbo_line_id: '1' });
  await db('qbo_connections').insert({
    realm_id: REALM_B,
    company_name: 'Earlier Company',
    environment: 'emulator',
    status: 'archived',
    created_at: now,
    updated_at: now,
  });
  await db('sync_runs').insert({ realm_id: REALM_A, kind: 'push', started_at: now, status: 'finished' });
  await db('qbo_imports').insert({
    realm_id: REALM_A,
    generation: 1,
    customers: true,
    phase: 'done',
    status: 'finished',
    imported: 3,
    created_at: now,
    updated_at: now,
  });
  await db('sync_events').insert(
    Array.from({ length: 7 }, (_, i) => ({
      at: now,
      realm_id: REALM_A,
      direction: i % 2 ? 'pull' : 'push',
      entity: 'customer',
      local_id: customers[0].id,
      qbo_id: '58',
      operation: 'update',
      result: 'ok',
      intuit_tid: `tid-${i}`,
    })),
  );
  await db('webhook_inbox').insert(
    Array.from({ length: 3 }, (_, i) => ({
      event_key: `evt-${i}`,
      realm_id: REALM_A,
      entity: 'Customer',
      entity_id: '58',
      operation: 'Update',
      received_at: now,
      format: 'cloudevents',
      status: i ? 'done' : 'pending',
      next_attempt_at: now,
    })),
  );
  // A delivery acknowledged and not yet unpacked (decision 016): its two events are cached data too.
  await db('webhook_deliveries').insert({
    realm_id: REALM_A,
    received_at: now,
    event_count: 2,
    body: JSON.stringify([
      {
        specversion: '1.0',
        id: 'staged-1',
        type: 'qbo.customer.updated.v1',
        intuitaccountid: REALM_A,
        intuitentityid: '58',
      },
      {
        specversion: '1.0',
        id: 'staged-2',
        type: 'qbo.customer.updated.v1',
        intuitaccountid: REALM_A,
        intuitentityid: '59',
      },
    ]),
  });
  await db('webhook_stats').insert({ name: 'dropped_not_connected', value: 4, updated_at: now });
  await db('qbo_outbox').insert({
    realm_id: REALM_A,
    record_type: 'invoice',
    record_id: invoice.id,
    status: 'pending',
    next_attempt_at: now,
    created_at: now,
    updated_at: now,
  });
  await db('qbo_conflicts').insert({
    realm_id: REALM_A,
    record_type: 'invoice',
    record_id: invoice.id,
    kind: 'number_taken',
    qbo_id: '77',
    message: 'Number taken in QuickBooks',
    details: JSON.stringify({ quickBooks: { Total: '42.00' } }),
    state: 'open',
    created_at: now,
  });
  // The reconnect sweep may have written company A's watermark already; the earlier company's is ours.
  await db('qbo_cdc_watermarks').insert({ realm_id: REALM_B, changed_since: now });
}

async function counts(w: World) {
  const out: Record<string, number> = {};
  for (const table of [...KEPT_TABLES, 'audit_log']) out[table] = await rowCount(w.t, table);
  return out;
}

/** What must be gone after a purge: no QuickBooks id, SyncToken, sync event or inbox event is left. */
async function expectPurged(w: World) {
  const db = w.t.container.db;
  for (const table of [
    'qbo_links',
    'sync_events',
    'sync_runs',
    'webhook_inbox',
    'webhook_deliveries',
    'webhook_stats',
    'qbo_outbox',
    'qbo_cdc_watermarks',
    'qbo_oauth_states',
    'qbo_conflicts',
    'qbo_connections',
    'qbo_line_settings',
    'qbo_imports',
  ])
    expect(await rowCount(w.t, table), table).to.equal(0);
  expect(await db('qbo_links').whereNotNull('sync_token').first()).to.equal(undefined);
  for (const table of ['estimate_lines', 'invoice_lines'])
    expect(await db(table).whereNotNull('item_id').first(), `${table}: QuickBooks items`).to.equal(undefined);
}

async function fileRequest(w: World): Promise<number> {
  const res = await post(w, FILE, { note: 'Customer asked us to forget QuickBooks' });
  expect(res.status, res.text).to.equal(303);
  const m = /\/deletion-requests\/(\d+)\/process$/.exec(res.headers.location);
  expect(m, res.headers.location).to.not.equal(null);
  return Number(m![1]);
}

function runPurge(
  w: World,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli/qbo-purge.ts', ...args], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: w.t.database.url,
        ...TEST_SECRETS,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('QuickBooks data and deletion requests', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => w.close());

  describe('GET /admin/settings/quickbooks/data', () => {
    it('counts the cached QuickBooks data by kind and lists requests with their status', async () => {
      await connect(w);
      await disconnect(w);
      await seed(w);
      const res = await w.admin.get(DATA);
      expect(res.status).to.equal(200);
      const cell = (kind: string) =>
        Number(new RegExp(`data-kind="${kind}">.*?<td class="num">(\\d+)</td>`).exec(res.text)?.[1]);
      expect(cell('links')).to.equal(4);
      expect(cell('archivedLinks')).to.equal(2);
      expect(cell('syncTokens')).to.equal(6);
      expect(cell('payloadHashes')).to.equal(4);
      expect(cell('syncEvents')).to.be.at.least(7);
      expect(cell('webhookInboxEvents'), 'inbox events and staged ones').to.equal(5);
      expect(cell('pendingOutboxItems')).to.be.at.least(1);
      expect(cell('cdcWatermarks')).to.be.at.least(1);
      // The disconnected company and the archived earlier one: rows without credentials.
      expect(cell('connectionRemnants')).to.equal(2);
      expect(res.text).to.contain('No deletion requests yet.');
      expect(res.text).to.contain(`action="${FILE}"`);

      const id = await fileRequest(w);
      const after = await w.admin.get(DATA);
      expect(after.text).to.match(new RegExp(`data-request-id="${id}">[\\s\\S]*?badge warn">pending<`));
    });
  });

  describe('POST /admin/settings/quickbooks/data/deletion-requests', () => {
    it('is refused while a company is connected: 409, says to disconnect first, links to it, stores nothing', async () => {
      await connect(w);
      const page = await w.admin.get(DATA);
      expect(page.text).to.contain('href="/admin/settings/quickbooks/disconnect"');
      expect(page.text).to.not.contain(`action="${FILE}"`);
      const auditBefore = await rowCount(w.t, 'audit_log');
      const res = await post(w, FILE);
      expect(res.status).to.equal(409);
      expect(res.text).to.contain('Disconnect QuickBooks first');
      expect(res.text).to.contain('disconnect first');
      expect(res.text).to.contain('href="/admin/settings/quickbooks/disconnect"');
      expect(await rowCount(w.t, 'qbo_deletion_requests')).to.equal(0);
      expect(await rowCount(w.t, 'audit_log')).to.equal(auditBefore);
    });

    it('files a request after a disconnect and audits it; a second filing returns the waiting one', async () => {
      await connect(w);
      await disconnect(w);
      const id = await fileRequest(w);
      const row = await w.t.container.db('qbo_deletion_requests').where({ id }).first();
      expect(row.status).to.equal('pending');
      expect(row.requested_by_email).to.equal('admin@example.com');
      const audit = await w.t.container
        .db('audit_log')
        .where({ action: 'quickbooks.data_deletion_requested' });
      expect(audit).to.have.length(1);
      expect(JSON.parse(audit[0].details).requestId).to.equal(id);
      expect(await fileRequest(w)).to.equal(id);
      expect(await rowCount(w.t, 'qbo_deletion_requests')).to.equal(1);
    });

    it('needs _csrf (403, nothing stored) and an admin (staff get 403)', async () => {
      const res = await w.admin.post(FILE).type('form').send({});
      expect(res.status).to.equal(403);
      expect(await rowCount(w.t, 'qbo_deletion_requests')).to.equal(0);

      await createUser(w.t, 'staff@example.com', 'staff password 1234', 'staff');
      const staff = await signIn(w.t, 'staff@example.com', 'staff password 1234');
      const _csrf = await csrfToken(staff, '/admin');
      expect((await staff.get(DATA)).status).to.equal(403);
      expect((await staff.post(FILE).type('form').send({ _csrf })).status).to.equal(403);
      expect(await rowCount(w.t, 'qbo_deletion_requests')).to.equal(0);
    });
  });

  describe('POST /admin/settings/quickbooks/data/deletion-requests/:id/process', () => {
    it('after a confirm page, deletes every kind of cached QuickBooks data in one go, keeps the records, and sends nothing to Intuit', async () => {
      await connect(w);
      await disconnect(w);
      await seed(w);
      const id = await fileRequest(w);
      const before = await counts(w);
      const expected = await w.t.container.db.transaction(async (trx) => {
        const c = async (q: any) => Number((await q.count({ n: '*' }).first()).n);
        return {
          links: await c(trx('qbo_links').where('state', 'linked')),
          archivedLinks: await c(trx('qbo_links').where('state', 'archived')),
          syncTokens: await c(trx('qbo_links').whereNotNull('sync_token')),
          payloadHashes: await c(trx('qbo_links').whereNotNull('payload_hash')),
          syncEvents: await c(trx('sync_events')),
          syncRuns: await c(trx('sync_runs')),
          // Two of them still in the staged delivery.
          webhookInboxEvents: (await c(trx('webhook_inbox'))) + 2,
          webhookStats: await c(trx('webhook_stats')),
          outboxItems: await c(trx('qbo_outbox')),
          cdcWatermarks: await c(trx('qbo_cdc_watermarks')),
          oauthStates: await c(trx('qbo_oauth_states')),
          conflicts: await c(trx('qbo_conflicts')),
          connectionRemnants: await c(trx('qbo_connections')),
          lineSettings: await c(trx('qbo_line_settings')),
          imports: await c(trx('qbo_imports')),
          lineReferences:
            (await c(trx('estimate_lines').whereNotNull('item_id'))) +
            (await c(trx('invoice_lines').whereNotNull('item_id'))),
        };
      });
      await w.control('DELETE', '/ledger');

      const confirm = await w.admin.get(`${FILE}/${id}/process`);
      expect(confirm.status).to.equal(200);
      expect(confirm.text).to.contain('Delete the cached QuickBooks data?');
      expect(confirm.text).to.contain(`action="${FILE}/${id}/process"`);
      expect(confirm.text).to.match(/data-kind="links">.*?<td class="num">4<\/td>/);
      expect(await rowCount(w.t, 'qbo_links')).to.equal(6);

      const res = await w.admin
        .post(`${FILE}/${id}/process`)
        .type('form')
        .send({ _csrf: csrfFrom(confirm.text) });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(`${FILE}/${id}`);

      await expectPurged(w);
      const after = await counts(w);
      expect(after).to.deep.equal({ ...before, audit_log: before.audit_log + 1 });
      const request = await w.t.container.db('qbo_deletion_requests').where({ id }).first();
      expect(request.status).to.equal('processed');
      expect(request.processed_by).to.equal('admin@example.com');
      const entry = await w.t.container.db('audit_log').where({ id: request.receipt_audit_id }).first();
      expect(entry.action).to.equal('quickbooks.data_deleted');
      expect(entry.actor_email).to.equal('admin@example.com');
      const details = JSON.parse(entry.details);
      expect(details.requestId).to.equal(id);
      expect(details.processedBy).to.equal('admin@example.com');
      expect(details.deleted).to.deep.equal(expected);
      expect(details.realmIds).to.have.members([REALM_A, REALM_B]);
      expect(await w.ledger()).to.deep.equal([]);

      const page = await w.admin.get(`${FILE}/${id}`);
      expect(page.text).to.contain('QuickBooks data');
      expect(page.text).to.contain(`Audit entry #${entry.id}`);
      expect(page.text).to.match(/data-kind="syncEvents">.*?<td class="num">\d+<\/td>/);
      const json = await w.admin.get(`${FILE}/${id}?format=json`);
      expect(json.headers['content-disposition']).to.equal(
        `attachment; filename="quickbooks-deletion-receipt-${id}.json"`,
      );
      const receipt = JSON.parse(json.text);
      expect(receipt).to.include({ requestId: id, receiptId: entry.id, processedBy: 'admin@example.com' });
      expect(receipt.deleted).to.deep.equal(expected);
      const history = await w.admin.get('/admin/settings/quickbooks/history');
      expect(history.text).to.contain(`href="${FILE}/${id}"`);
    });

    it('does nothing the second time: same receipt, nothing deleted, no second audit entry', async () => {
      await connect(w);
      await disconnect(w);
      await seed(w);
      const id = await fileRequest(w);
      expect((await post(w, `${FILE}/${id}/process`)).status).to.equal(303);
      // Data that arrives later is not touched by the old, already processed request.
      await w.t.container.db('sync_events').insert({
        at: new Date().toISOString(),
        realm_id: REALM_A,
        direction: 'push',
        entity: 'customer',
        operation: 'create',
        result: 'ok',
      });
      const auditBefore = await rowCount(w.t, 'audit_log');
      const again = await post(w, `${FILE}/${id}/process`);
      expect(again.status).to.equal(303);
      expect(await rowCount(w.t, 'sync_events')).to.equal(1);
      expect(await rowCount(w.t, 'audit_log')).to.equal(auditBefore);
      expect(
        (await w.t.container.db('audit_log').where({ action: 'quickbooks.data_deleted' })).length,
      ).to.equal(1);
      const page = await w.admin.get(again.headers.location);
      expect(page.text).to.contain('was already processed');
      expect((await w.admin.get(`${FILE}/${id}/process`)).status).to.equal(303);
    });

    it('is refused while a company is connected (409), deleting nothing', async () => {
      await connect(w);
      await disconnect(w);
      const id = await fileRequest(w);
      await connect(w);
      await seed(w);
      const links = await rowCount(w.t, 'qbo_links');
      const res = await post(w, `${FILE}/${id}/process`);
      expect(res.status).to.equal(409);
      expect(res.text).to.contain('href="/admin/settings/quickbooks/disconnect"');
      expect(await rowCount(w.t, 'qbo_links')).to.equal(links);
      expect((await w.t.container.db('qbo_deletion_requests').where({ id }).first()).status).to.equal(
        'pending',
      );
      const confirm = await w.admin.get(`${FILE}/${id}/process`);
      expect(confirm.text).to.contain('Disconnect QuickBooks first');
      expect(confirm.text).to.not.contain(`action="${FILE}/${id}/process"`);
    });

    it('needs _csrf (403, nothing deleted) and an admin (staff get 403)', async () => {
      await connect(w);
      await disconnect(w);
      await seed(w);
      const id = await fileRequest(w);
      const links = await rowCount(w.t, 'qbo_links');
      const res = await w.admin.post(`${FILE}/${id}/process`).type('form').send({});
      expect(res.status).to.equal(403);
      await createUser(w.t, 'staff@example.com', 'staff password 1234', 'staff');
      const staff = await signIn(w.t, 'staff@example.com', 'staff password 1234');
      const _csrf = await csrfToken(staff, '/admin');
      expect((await staff.post(`${FILE}/${id}/process`).type('form').send({ _csrf })).status).to.equal(403);
      expect((await staff.get(`${FILE}/${id}/process`)).status).to.equal(403);
      expect((await staff.get(`${FILE}/${id}?format=json`)).status).to.equal(403);
      expect(await rowCount(w.t, 'qbo_links')).to.equal(links);
      expect((await w.t.container.db('qbo_deletion_requests').where({ id }).first()).status).to.equal(
        'pending',
      );
    });

    it('answers 404 for a request that does not exist', async () => {
      expect((await w.admin.get(`${FILE}/999/process`)).status).to.equal(404);
      expect((await post(w, `${FILE}/999/process`)).status).to.equal(404);
      expect((await w.admin.get(`${FILE}/abc`)).status).to.equal(404);
    });
  });

  describe('npm run qbo:purge -- --request ID', function () {
    // Each run starts a fresh Node process through npx and tsx: a few seconds apiece.
    this.timeout(60_000);

    it('processes a request like the UI does, prints the receipt, and a second run changes nothing', async () => {
      await connect(w);
      await disconnect(w);
      await seed(w);
      const id = await fileRequest(w);
      const before = await counts(w);
      const links = await rowCount(w.t, 'qbo_links');
      const events = await rowCount(w.t, 'sync_events');
      await w.control('DELETE', '/ledger');

      const run = await runPurge(w, ['--request', String(id)]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`Processed deletion request #${id}.`);
      await expectPurged(w);
      expect(await counts(w)).to.deep.equal({ ...before, audit_log: before.audit_log + 1 });
      const request = await w.t.container.db('qbo_deletion_requests').where({ id }).first();
      expect(request.processed_by).to.equal('operator (command line)');
      const entry = await w.t.container.db('audit_log').where({ id: request.receipt_audit_id }).first();
      expect(entry.actor_user_id).to.equal(null);
      const details = JSON.parse(entry.details);
      expect(details.deleted.links + details.deleted.archivedLinks).to.equal(links);
      expect(details.deleted.syncEvents).to.equal(events);
      expect(details.deleted.webhookInboxEvents, 'inbox events and staged ones').to.equal(5);
      const printed = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(printed.deleted).to.deep.equal(details.deleted);
      expect(await w.ledger()).to.deep.equal([]);

      const again = await runPurge(w, ['--request', String(id)]);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.contain('already processed');
      expect(await rowCount(w.t, 'audit_log')).to.equal(before.audit_log + 1);
    });

    it('exits 64 without --request, and 65 for an unknown request or while a company is connected', async () => {
      expect((await runPurge(w, [])).code).to.equal(64);
      expect((await runPurge(w, ['--request', '42'])).code).to.equal(65);
      await connect(w);
      await disconnect(w);
      const id = await fileRequest(w);
      await connect(w);
      await seed(w);
      const links = await rowCount(w.t, 'qbo_links');
      const refused = await runPurge(w, ['--request', String(id)]);
      expect(refused.code).to.equal(65);
      expect(refused.stderr).to.contain('disconnect');
      expect(await rowCount(w.t, 'qbo_links')).to.equal(links);
    });
  });
});
