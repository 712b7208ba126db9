import type { Server } from 'node:http';
import { expect } from 'chai';
import { csrfFrom, startTestApp, type TestApp } from '../helpers/app.js';
import { connect, itemId, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';
import { until } from '../helpers/until.js';
import { closeServer, cloudEvent, deliver, listenForWebhooks } from '../helpers/webhooks.js';

const entities = (realm: string, name: string) => `/companies/${realm}/entities/${name}`;

async function linkOf(w: World | TestApp, type: 'customer' | 'estimate' | 'invoice', qboId: string) {
  const container = 't' in w ? w.t.container : w.container;
  return container.db('qbo_links').where({ record_type: type, qbo_id: qboId, realm_id: REALM_A }).first();
}

describe('changes made in QuickBooks flow back', () => {
  let w: World;
  let server: Server | undefined;
  /** The full US company's "Services" item (Item 1 there is a category no line can use). */
  let services: string;
  beforeEach(async () => {
    w = await startWorld();
    await connect(w);
    services = await itemId(w, REALM_A);
  });
  afterEach(async () => {
    await closeServer(server);
    server = undefined;
    await w.close();
  });

  for (const format of ['cloudevents', 'classic'] as const) {
    it(`an edit made inside QuickBooks shows up within seconds (${format} webhooks)`, async () => {
      server = await listenForWebhooks(w, format);
      w.t.container.inbound.worker.start();
      const created = await w.control('POST', entities(REALM_A, 'Customer'), {
        DisplayName: `Stage Left ${format}`,
        PrimaryEmailAddr: { Address: 'booking@stageleft.example' },
      });
      // A customer created in QuickBooks appears here, linked (realm-stamped).
      const link = await until(() => linkOf(w, 'customer', String(created.Id)));
      const customer = await w.t.container.customers.get(Number(link.record_id));
      expect(customer.displayName).to.equal(`Stage Left ${format}`);
      expect(customer.email).to.equal('booking@stageleft.example');

      await w.control('POST', `${entities(REALM_A, 'Customer')}/${created.Id}`, {
        DisplayName: `Stage Right ${format}`,
        BillAddr: { Line1: '1 Dock Rd', City: 'Oakland', PostalCode: '94607', Country: 'US' },
      });
      const updated = await until(async () => {
        const c = await w.t.container.customers.get(customer.id);
        return c.displayName === `Stage Right ${format}` ? c : undefined;
      });
      expect(updated.billingCity).to.equal('Oakland');
      // The history line is written after the record is applied: waited for, not assumed to be there yet.
      const pulls = () =>
        w.t.container.db('sync_events').where({ direction: 'pull', entity: 'customer' }).orderBy('id');
      const events = await until(
        async () => {
          const rows = await pulls();
          return rows.length >= 2 ? rows : undefined;
        },
        8000,
        'the history line of the update',
      );
      expect(events.map((e) => `${e.operation} ${e.result}`)).to.deep.equal(['create ok', 'update ok']);
      const deliveries = await w.control('GET', '/webhooks');
      expect(deliveries.every((d: any) => d.format === format && d.delivered)).to.equal(true);
    });
  }

  it('estimates and invoices made in QuickBooks arrive with their customer and lines; void and delete mark them', async () => {
    server = await listenForWebhooks(w, 'cloudevents');
    w.t.container.inbound.worker.start();
    const customer = await w.control('POST', entities(REALM_A, 'Customer'), { DisplayName: 'Gala Nights' });
    const line = (qty: number, price: number, description: string) => ({
      DetailType: 'SalesItemLineDetail',
      Amount: Math.round(qty * price * 100) / 100,
      Description: description,
      SalesItemLineDetail: { ItemRef: { value: services }, Qty: qty, UnitPrice: price },
    });
    const invoice = await w.control('POST', entities(REALM_A, 'Invoice'), {
      CustomerRef: { value: customer.Id },
      DocNumber: 'QB-77',
      TxnDate: '2026-11-02',
      DueDate: '2026-12-02',
      CustomerMemo: { value: 'Thanks!' },
      Line: [line(2.5, 120.1, 'Line array'), line(1, 0.35, 'Cable')],
    });
    const estimate = await w.control('POST', entities(REALM_A, 'Estimate'), {
      CustomerRef: { value: customer.Id },
      Line: [line(1, 500, 'Stage')],
    });
    const invLink = await until(() => linkOf(w, 'invoice', String(invoice.Id)));
    const estLink = await until(() => linkOf(w, 'estimate', String(estimate.Id)));
    const local = (await w.t.container.invoices.getWithLines(Number(invLink.record_id)))!;
    expect(local).to.include({
      docNumber: 'QB-77',
      txnDate: '2026-11-02',
      memo: 'Thanks!',
      customerName: 'Gala Nights',
    });
    expect((local as any).dueDate).to.equal('2026-12-02');
    expect(local.lines.map((l) => [l.description, l.quantityThousandths, l.unitPriceCents])).to.deep.equal([
      ['Line array', 2500, 12010],
      ['Cable', 1000, 35],
    ]);
    expect(local.totalCents).to.equal(30025 + 35);

    await w.control('POST', `${entities(REALM_A, 'Invoice')}/${invoice.Id}?operation=void`);
    await w.control('POST', `${entities(REALM_A, 'Estimate')}/${estimate.Id}?operation=delete`);
    await until(async () => (await w.t.container.invoices.get(local.id)).status === 'voided');
    await until(
      async () =>
        (await w.t.container.estimates.get(Number(estLink.record_id))).status === 'deleted_in_quickbooks',
    );
    // Kept, never destroyed: the lines are still there.
    expect((await w.t.container.invoices.getWithLines(local.id))!.lines).to.have.length(2);
  });

  it('the echo of our own push (same SyncToken as the link) changes nothing', async () => {
    const created = await w.control('POST', entities(REALM_A, 'Customer'), { DisplayName: 'Echo Hall' });
    await deliver(w, [cloudEvent(REALM_A, 'Customer', String(created.Id), 'created')]);
    await w.t.container.inbound.worker.drain();
    const link = await linkOf(w, 'customer', String(created.Id));
    const id = Number(link.record_id);
    // Changed here since (as if our push carried it to QuickBooks and got this SyncToken back).
    const current = await w.t.container.customers.get(id);
    await w.t.container.customers.applyFromQuickBooks(id, { ...current, displayName: 'Echo Hall (ours)' });
    await deliver(w, [cloudEvent(REALM_A, 'Customer', String(created.Id), 'updated')]);
    await w.t.container.inbound.worker.drain();
    expect((await w.t.container.customers.get(id)).displayName).to.equal('Echo Hall (ours)');
    const last = await w.t.container
      .db('sync_events')
      .where({ direction: 'pull' })
      .orderBy('id', 'desc')
      .first();
    expect(last.result).to.equal('skipped');

    // A newer version in QuickBooks is applied.
    await w.control('POST', `${entities(REALM_A, 'Customer')}/${created.Id}`, {
      DisplayName: 'Echo Hall (theirs)',
    });
    await deliver(w, [cloudEvent(REALM_A, 'Customer', String(created.Id), 'updated')]);
    await w.t.container.inbound.worker.drain();
    expect((await w.t.container.customers.get(id)).displayName).to.equal('Echo Hall (theirs)');
  });

  it('events acknowledged before a restart are processed by the next process on the same database', async () => {
    const created = await w.control('POST', entities(REALM_A, 'Customer'), { DisplayName: 'After Restart' });
    expect(
      (await deliver(w, [cloudEvent(REALM_A, 'Customer', String(created.Id), 'created')])).status,
    ).to.equal(200);
    // A worker that unpacked the delivery, claimed the event and died: its lease runs out and the event
    // comes back.
    await w.t.container.inbound.inbox.unpack();
    const claimed = await w.t.container.inbound.inbox.claim('dead-worker', { limit: 10, leaseMs: 100 });
    expect(claimed).to.have.length(1);
    await w.t.container.close();

    const next = await startTestApp({ database: w.t.database, env: { INTUIT_EMULATOR_URL: w.emulator.url } });
    try {
      await new Promise((r) => setTimeout(r, 150));
      await next.container.inbound.worker.drain();
      expect(await next.container.customers.findByDisplayName('After Restart')).to.not.equal(undefined);
      expect(await linkOf(next, 'customer', String(created.Id))).to.not.equal(undefined);
      const rows = await next.container.inbound.inbox.list();
      expect(rows.map((r) => r.status)).to.deep.equal(['done']);
    } finally {
      await next.close();
    }
  });

  it('failed events are retried with back-off and parked after the last attempt, visible in the history', async () => {
    await w.control('POST', '/faults', {
      match: { path: '/customer/' },
      times: 100,
      respond: { status: 503 },
    });
    await deliver(w, [cloudEvent(REALM_A, 'Customer', '1', 'updated')]);
    const { inbox, worker } = w.t.container.inbound;
    let now = Date.now();
    (worker as any).deps.now = () => now;
    for (let i = 0; i < 8; i++) {
      await worker.processOnce();
      now += 60 * 60_000;
    }
    const [row] = await inbox.list();
    expect(row.status).to.equal('parked');
    expect(row.attempts).to.equal(8);
    const events = await w.t.container.db('sync_events').where({ direction: 'pull' }).orderBy('id');
    expect(events.map((e) => e.result)).to.deep.equal([...Array(7).fill('retry'), 'failed']);
  });

  it('stops for a company being disconnected: its events stay pending, nothing is sent', async () => {
    const created = await w.control('POST', entities(REALM_A, 'Customer'), { DisplayName: 'Paused' });
    await deliver(w, [cloudEvent(REALM_A, 'Customer', String(created.Id), 'created')]);
    await w.t.container.quickbooks.lifecycle.stopping(REALM_A);
    w.t.container.quickbooks.client.close(REALM_A);
    await w.control('DELETE', '/ledger');
    await w.t.container.inbound.worker.drain();
    await w.t.container.inbound.worker.drain();
    expect(await w.ledger()).to.deep.equal([]);
    expect((await w.t.container.inbound.inbox.list()).map((r) => [r.status, r.attempts])).to.deep.equal([
      ['pending', 0],
    ]);
  });

  describe('CDC sweep', () => {
    it('brings Heavy AV back in step after webhooks were off for a while', async () => {
      // Webhooks are off in this world: QuickBooks changes reach nobody.
      const kept = await w.control('POST', entities(REALM_A, 'Customer'), { DisplayName: 'Known Before' });
      await deliver(w, [cloudEvent(REALM_A, 'Customer', String(kept.Id), 'created')]);
      await w.t.container.inbound.worker.drain();
      await w.control('POST', `${entities(REALM_A, 'Customer')}/${kept.Id}`, {
        DisplayName: 'Renamed While Deaf',
      });
      const missed = await w.control('POST', entities(REALM_A, 'Customer'), {
        DisplayName: 'Made While Deaf',
      });
      const invoice = await w.control('POST', entities(REALM_A, 'Invoice'), {
        CustomerRef: { value: missed.Id },
        Line: [
          {
            DetailType: 'SalesItemLineDetail',
            Amount: 10,
            SalesItemLineDetail: { ItemRef: { value: services }, Qty: 1, UnitPrice: 10 },
          },
        ],
      });

      const result = await w.t.container.inbound.cdc.sweep(REALM_A);
      expect(result.failed).to.equal(0);
      const keptLink = await linkOf(w, 'customer', String(kept.Id));
      expect((await w.t.container.customers.get(Number(keptLink.record_id))).displayName).to.equal(
        'Renamed While Deaf',
      );
      expect(await linkOf(w, 'customer', String(missed.Id))).to.not.equal(undefined);
      expect(await linkOf(w, 'invoice', String(invoice.Id))).to.not.equal(undefined);
      const mark = await w.t.container.db('qbo_cdc_watermarks').where({ realm_id: REALM_A }).first();
      expect(Date.parse(mark.changed_since)).to.be.greaterThan(Date.now() - 10 * 60_000);

      // A second sweep finds everything in step.
      const again = await w.t.container.inbound.cdc.sweep(REALM_A);
      expect(again.applied).to.equal(0);
    });

    it('pages past 1,000 changed objects per entity', async function () {
      this.timeout(120_000);
      // Spread the creations over many (Intuit) seconds, as real edits would be.
      await w.control('POST', '/config', { timeScale: 100 });
      const total = 1050;
      for (let i = 0; i < total; i++) {
        const res = await w.control('POST', entities(REALM_A, 'Customer'), { DisplayName: `Bulk ${i}` });
        expect(res.Id).to.be.a('string');
      }
      await w.control('POST', '/config', { timeScale: 1 });
      await w.control('DELETE', '/ledger');
      const result = await w.t.container.inbound.cdc.sweep(REALM_A);
      expect(result.applied).to.equal(total);
      expect(await w.t.container.customers.count()).to.equal(total);
      const cdcCalls = (await w.ledger()).filter((e) => e.path.endsWith('/cdc'));
      expect(cdcCalls.length).to.be.greaterThan(3); // Customer twice, then Estimate and Invoice
    });

    it('runs after a reconnect to the same company', async () => {
      const _csrf = csrfFrom((await w.admin.get('/admin/settings/quickbooks')).text);
      await w.admin.post('/admin/settings/quickbooks/disconnect').type('form').send({ _csrf });
      const missed = await w.control('POST', entities(REALM_A, 'Customer'), { DisplayName: 'While Away' });
      await connect(w);
      await until(() => linkOf(w, 'customer', String(missed.Id)));
    });
  });
});
