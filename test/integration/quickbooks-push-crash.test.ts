/**
 * Durability of the push: a real server process is killed with SIGKILL three times in the middle of a
 * bulk push, then allowed to finish. Every record must be in QuickBooks exactly once, and linked.
 */
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { createDb } from '../../src/db/index.js';
import { connect, REALM_EMPTY, startWorld, type World } from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';
import { freePort, startServer } from '../helpers/server-process.js';
import { until } from '../helpers/until.js';

describe('QuickBooks push survives crashes', function () {
  this.timeout(120_000);
  let w: World;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await w?.close();
  });

  it('SIGKILL three times during a bulk push, then finish: every record in QuickBooks exactly once, linked', async () => {
    w = await startWorld({ emulatorConfig: { latencyMs: 40 } });
    // A bulk push of new invoices needs a blank slate: the empty company.
    await connect(w, { realmId: REALM_EMPTY });
    const customers = [];
    for (let i = 0; i < 20; i++) customers.push(await makeCustomer(w.t, `Crash Customer ${i + 1}`));
    for (let i = 0; i < 400; i++) {
      await w.t.container.invoices.create({
        customerId: String(customers[i % customers.length].id),
        docNumber: `CR-${i + 1}`,
        txnDate: '2026-11-20',
        closingDate: '',
        memo: '',
        lines: [{ description: 'Truss', quantity: '1', unitPrice: '99.00' }],
      });
    }
    // The test's own app steps aside: only the child server pushes.
    await w.t.container.close();
    const db = createDb({ databaseUrl: w.t.config.databaseUrl });
    const batches = async () =>
      (await w.ledger()).filter((e) => e.path.endsWith('/batch') && e.status === 200).length;
    try {
      let seen = 0;
      for (let kill = 1; kill <= 3; kill++) {
        const port = await freePort();
        child = startServer(w, port);
        const target = seen + 2;
        await until(async () => (await batches()) >= target, 60_000);
        child.kill('SIGKILL');
        await new Promise((r) => child!.once('exit', r));
        seen = await batches();
      }
      const pendingBefore = Number(
        (await db('qbo_outbox').where({ status: 'pending' }).count({ n: '*' }).first())?.n,
      );
      expect(pendingBefore, 'the kills happened mid-push').to.be.above(0);

      child = startServer(w, await freePort());
      // The killed processes' claims come back when their leases (2 s here) run out.
      await until(
        async () =>
          Number((await db('qbo_outbox').where({ status: 'pending' }).count({ n: '*' }).first())?.n) === 0,
        100_000,
      );
      child.kill('SIGTERM');

      const invoices: any[] = await w.control('GET', `/companies/${REALM_EMPTY}/entities/Invoice`);
      const qboCustomers: any[] = await w.control('GET', `/companies/${REALM_EMPTY}/entities/Customer`);
      const numbers = invoices.map((i) => i.DocNumber).filter((n: string) => n.startsWith('CR-'));
      expect(numbers).to.have.length(400);
      expect(new Set(numbers).size).to.equal(400);
      const names = qboCustomers
        .map((c) => c.DisplayName)
        .filter((n: string) => n.startsWith('Crash Customer'));
      expect(names).to.have.length(20);
      const links = await db('qbo_links').where({ realm_id: REALM_EMPTY, state: 'linked' });
      expect(links.filter((l: any) => l.record_type === 'invoice')).to.have.length(400);
      expect(links.filter((l: any) => l.record_type === 'customer')).to.have.length(20);
      expect(await db('qbo_outbox').where({ status: 'failed' })).to.have.length(0);
    } finally {
      await db.destroy();
      w.t.close = async () => w.t.database.drop();
    }
  });
});
