/**
 * Bring the company along (capability 19): POST /admin/settings/quickbooks/import brings in the connected
 * company's active customers, and estimates and invoices since a date, as linked records; customers on
 * both sides are linked by name; nothing goes back to QuickBooks; a disconnect stops it.
 */
import { expect } from 'chai';
import { createUser, csrfToken, signIn } from '../helpers/app.js';
import { connect, REALM_A, REALM_EMPTY, startWorld, type World } from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';
import { until } from '../helpers/until.js';

type Entity = Record<string, any>;

const qbo = (w: World, entity: string, realm = REALM_A): Promise<Entity[]> =>
  w.control('GET', `/companies/${realm}/entities/${entity}`);

async function postImport(w: World, fields: Record<string, string>) {
  const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
  return w.admin
    .post('/admin/settings/quickbooks/import')
    .type('form')
    .send({ _csrf, ...fields });
}

async function latestImport(w: World): Promise<Entity | undefined> {
  return w.t.container.db('qbo_imports').orderBy('id', 'desc').first();
}

async function finished(w: World, timeoutMs = 30_000): Promise<Entity> {
  return until(
    async () => {
      const row = await latestImport(w);
      return row && row.status !== 'running' ? row : undefined;
    },
    timeoutMs,
    'the import to end',
  );
}

const count = async (w: World, table: string, where: Record<string, unknown> = {}) =>
  Number((await w.t.container.db(table).where(where).count({ n: '*' }).first())?.n);

/** Requests to Intuit's API other than reads: an import must make none. */
async function writesAtIntuit(w: World) {
  return (await w.ledger()).filter((e) => e.path.startsWith('/v3/') && e.method !== 'GET');
}

describe('POST /admin/settings/quickbooks/import', function () {
  this.timeout(60_000);
  let w: World;
  afterEach(async () => w?.close());

  it('after a first connect the card offers it; active customers come in linked, with a summary, and nothing goes back', async () => {
    w = await startWorld();
    await connect(w, { realmId: REALM_A });
    const card = await w.admin.get('/admin/settings/quickbooks');
    expect(card.text).to.contain('Bring in from QuickBooks');
    expect(card.text).to.contain('data-import="offer"');
    expect(await count(w, 'customers'), 'nothing before the admin chooses').to.equal(0);

    const res = await postImport(w, { customers: 'on', documentsSince: '' });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/admin/settings/quickbooks#import');
    const done = await finished(w);
    expect(done.status).to.equal('finished');

    const active = (await qbo(w, 'Customer')).filter((c) => c.Active !== false);
    expect(active.length).to.equal(31);
    expect(await count(w, 'customers')).to.equal(31);
    expect(Number(done.imported)).to.equal(31);
    expect(Number(done.skipped)).to.equal(0);
    const links = await w.t.container.db('qbo_links').where({ record_type: 'customer', realm_id: REALM_A });
    expect(links.map((l: Entity) => l.qbo_id).sort()).to.deep.equal(active.map((c) => c.Id).sort());
    expect(
      links.every((l: Entity) => l.snapshot_json),
      'each link keeps what QuickBooks holds',
    ).to.equal(true);

    expect(await count(w, 'qbo_outbox'), 'nothing queued for a push').to.equal(0);
    await w.t.container.sync.worker.drain();
    expect(await writesAtIntuit(w), 'no write at Intuit').to.deep.equal([]);

    const after = await w.admin.get('/admin/settings/quickbooks');
    expect(after.text).to.contain('31 of 31 customers');
    expect(after.text).to.contain('31 imported, 0 linked to records already here, 0 skipped');
    expect(after.text).not.to.contain('data-import="offer"');
    const history = await w.admin.get('/admin/settings/quickbooks/history');
    expect(history.text).to.contain('import');
    expect(await count(w, 'sync_events', { operation: 'import', realm_id: REALM_A })).to.equal(31);
  });

  it('estimates and invoices since a date, with their customers; counts add up; voided ones are skipped with the reason', async () => {
    w = await startWorld();
    await connect(w, { realmId: REALM_A });
    const since = '2000-01-01';
    await postImport(w, { customers: 'on', documentsSince: since });
    const done = await finished(w);
    expect(done.status, done.error).to.equal('finished');

    const estimates = (await qbo(w, 'Estimate')).filter((d) => d.TxnDate >= since);
    const invoices = (await qbo(w, 'Invoice')).filter((d) => d.TxnDate >= since);
    expect(estimates.length).to.equal(40);
    expect(invoices.length).to.equal(90);
    const voided = invoices.filter((i) => i.PrivateNote === 'Voided' && Number(i.TotalAmt) === 0).length;
    expect(await count(w, 'estimates')).to.equal(40);
    expect(await count(w, 'invoices')).to.equal(90 - voided);
    expect(await count(w, 'qbo_links', { record_type: 'invoice' })).to.equal(90 - voided);
    const totals = JSON.parse(done.totals_json);
    expect(totals).to.deep.equal({ customers: 31, estimates: 40, invoices: 90 });
    const customersHere = await count(w, 'customers');
    expect(Number(done.imported) + Number(done.linked) + Number(done.skipped)).to.equal(
      customersHere + 40 + 90,
    );
    if (voided) expect(JSON.parse(done.skip_reasons_json)['voided in QuickBooks']).to.equal(voided);

    // Each invoice's number and total as QuickBooks has them, and not pushed back.
    const inv = invoices.find((i) => i.PrivateNote !== 'Voided')!;
    const local = await w.t.container.db('invoices').where({ doc_number: inv.DocNumber }).first();
    const link = await w.t.container
      .db('qbo_links')
      .where({ record_type: 'invoice', record_id: local.id })
      .first();
    expect(link.qbo_id).to.equal(inv.Id);
    expect(Number(link.qbo_total_cents)).to.equal(Math.round(Number(inv.TotalAmt) * 100));
    await w.t.container.sync.worker.drain();
    expect(await writesAtIntuit(w)).to.deep.equal([]);
    expect(await count(w, 'qbo_outbox')).to.equal(0);

    // Imported again: everything is already linked, nothing is duplicated.
    await postImport(w, { customers: 'on', documentsSince: since });
    const again = await until(async () => {
      const row = await latestImport(w);
      return row && row.id !== done.id && row.status !== 'running' ? row : undefined;
    }, 30_000);
    expect(Number(again.imported)).to.equal(0);
    expect(await count(w, 'invoices')).to.equal(90 - voided);
    expect(await count(w, 'customers')).to.equal(customersHere);
  });

  it('links a customer that exists on both sides by its display name instead of duplicating it', async () => {
    w = await startWorld();
    await connect(w, { realmId: REALM_A });
    const theirs = (await qbo(w, 'Customer')).find((c) => c.Active !== false)!;
    const ours = await makeCustomer(w.t, theirs.DisplayName);
    await w.t.container.db('qbo_outbox').del(); // typed here before the import: not the import's doing
    await postImport(w, { customers: 'on' });
    const done = await finished(w);
    expect(Number(done.linked)).to.equal(1);
    expect(Number(done.imported)).to.equal(30);
    expect(await count(w, 'customers')).to.equal(31);
    const link = await w.t.container
      .db('qbo_links')
      .where({ record_type: 'customer', qbo_id: theirs.Id })
      .first();
    expect(Number(link.record_id)).to.equal(ours.id);
    expect(link.realm_id).to.equal(REALM_A);
    expect(await count(w, 'qbo_outbox')).to.equal(0);
    const card = await w.admin.get('/admin/settings/quickbooks');
    expect(card.text).to.contain('30 imported, 1 linked to records already here');
  });

  it('refuses a date that is not one (nothing started), an empty choice, and a second import while one runs', async () => {
    w = await startWorld({ emulatorConfig: { latencyMs: 400 } });
    await connect(w, { realmId: REALM_A });
    const bad = await postImport(w, { customers: 'on', documentsSince: '2026-13-45' });
    expect(bad.status).to.equal(303);
    const card = await w.admin.get('/admin/settings/quickbooks');
    expect(card.text).to.contain('is not a date: write it as YYYY-MM-DD');
    expect(await latestImport(w)).to.equal(undefined);

    await postImport(w, { documentsSince: '' });
    expect((await w.admin.get('/admin/settings/quickbooks')).text).to.contain('Choose what to bring in');
    expect(await latestImport(w)).to.equal(undefined);

    await postImport(w, { customers: 'on' });
    const second = await postImport(w, { customers: 'on' });
    expect(second.status).to.equal(303);
    const page = await w.admin.get('/admin/settings/quickbooks');
    expect(page.text).to.contain('An import is already running');
    expect(await count(w, 'qbo_imports')).to.equal(1);
    await finished(w);
  });

  it('is for admins: staff get 403, a missing _csrf 403', async () => {
    w = await startWorld();
    await connect(w, { realmId: REALM_EMPTY });
    await createUser(w.t, 'staff@example.com', 'staff password 1234', 'staff');
    const staff = await signIn(w.t, 'staff@example.com', 'staff password 1234');
    const _csrf = await csrfToken(staff, '/admin');
    const res = await staff
      .post('/admin/settings/quickbooks/import')
      .type('form')
      .send({ _csrf, customers: 'on' });
    expect(res.status).to.equal(403);
    const noCsrf = await w.admin
      .post('/admin/settings/quickbooks/import')
      .type('form')
      .send({ customers: 'on' });
    expect(noCsrf.status).to.equal(403);
    expect(await latestImport(w)).to.equal(undefined);
  });

  it('a disconnect stops it: no request for the company afterwards, the import marked stopped', async () => {
    // Slow reads so that the disconnect lands mid-import.
    w = await startWorld({ emulatorConfig: { latencyMs: 300 } });
    await connect(w, { realmId: REALM_A });
    await postImport(w, { customers: 'on', documentsSince: '2000-01-01' });
    await until(async () => (await latestImport(w))?.phase === 'estimates', 30_000, 'the estimates phase');
    const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
    const off = await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({ _csrf });
    expect(off.status).to.equal(303);
    const row = await finished(w, 10_000);
    expect(row.status).to.equal('stopped');
    const seen = (await w.ledger()).length;
    await new Promise((r) => setTimeout(r, 1200));
    const later = (await w.ledger()).slice(seen).filter((e) => e.path.startsWith('/v3/'));
    expect(later, 'no call after the disconnect').to.deep.equal([]);
    expect(await count(w, 'invoices')).to.equal(0);
    expect((await w.admin.get('/admin/settings/quickbooks')).text).not.to.contain('Bring in from QuickBooks');

    // A reconnect does not resume it (the admin chooses again): it stays stopped, the card offers the form.
    await connect(w, { realmId: REALM_A });
    await w.t.container.imports.check();
    expect((await latestImport(w))!.status).to.equal('stopped');
    const card = await w.admin.get('/admin/settings/quickbooks');
    expect(card.text).to.contain('Last import, stopped');
    expect(card.text).to.contain('action="/admin/settings/quickbooks/import"');
  });
});
