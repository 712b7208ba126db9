/**
 * The push keeps both of Intuit's budgets busy (decision 014): when the batch window is full, the lanes
 * carry the rest as single calls within the requests a minute batches leave over, instead of waiting a
 * minute for the window. Real emulator with a batch limit of 2 a minute (so one push fills it), real worker.
 */
import { expect } from 'chai';
import { connect, REALM_EMPTY, startWorld, type World } from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';

const LIMITS = { perMinute: 500, concurrent: 10, batchPerMinute: 2 };

describe('QuickBooks push speed', function () {
  // The test's own bound is on the drain (30 s, against a minute for the batch window): creating the 120
  // invoices and connecting come on top, and under load they alone took mocha's default 20 s.
  this.timeout(90_000);
  let w: World;
  afterEach(async () => w?.close());

  it('a push bigger than the batch window allows goes on as single calls: no 429, each record once', async () => {
    w = await startWorld({ emulatorConfig: { limits: LIMITS }, quickbooks: { limits: LIMITS } });
    await connect(w, { realmId: REALM_EMPTY });
    const c = w.t.container;
    const customer = await makeCustomer(w.t, 'Speed Customer');
    for (let i = 0; i < 120; i++) {
      await c.invoices.create({
        customerId: String(customer.id),
        docNumber: `SP-${i + 1}`,
        txnDate: '2026-11-20',
        closingDate: '',
        memo: '',
        lines: [{ description: 'Line array', quantity: '2', unitPrice: '150.00' }],
      });
    }
    await w.control('DELETE', '/ledger');
    const started = Date.now();
    await c.sync.worker.drain();
    // Waiting for the batch window would take a minute; the single calls take a few seconds.
    expect(Date.now() - started).to.be.below(30_000);

    const ledger = await w.ledger();
    expect(
      ledger.filter((e) => e.status === 429),
      '429s',
    ).to.deep.equal([]);
    const batches = ledger.filter((e) => e.method === 'POST' && e.path.endsWith('/batch'));
    const singles = ledger.filter((e) => e.method === 'POST' && e.path.endsWith('/invoice'));
    expect(batches.length).to.be.at.most(2);
    expect(singles.length).to.be.at.least(60);
    const invoices: any[] = await w.control('GET', `/companies/${REALM_EMPTY}/entities/Invoice`);
    const numbers = invoices.map((i) => i.DocNumber).filter((n: string) => n.startsWith('SP-'));
    expect(numbers).to.have.length(120);
    expect(new Set(numbers).size).to.equal(120);
    const pending = await c.db('qbo_outbox').whereNot({ status: 'done' }).count({ n: '*' }).first();
    expect(Number(pending?.n)).to.equal(0);
  });
});
