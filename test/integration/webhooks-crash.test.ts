/**
 * Done-when 4 of the inbound sync, with a real process: webhook deliveries are acknowledged by a server
 * that is then killed with SIGKILL before its worker has fetched the entities. The next process on the same
 * database must process every acknowledged event, each once.
 */
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { signatureOf } from '../../src/quickbooks/pull/signature.js';
import { connect, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';
import { freePort, serving, startServer } from '../helpers/server-process.js';
import { until } from '../helpers/until.js';
import { cloudEvent, VERIFIER } from '../helpers/webhooks.js';

const EVENTS = 40;

describe('webhook events survive a crash between acknowledgment and processing', function () {
  this.timeout(120_000);
  let w: World;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await w?.close();
  });

  it('SIGKILL after the 200s, while its worker holds claims: the next process creates every customer once, linked', async () => {
    // Slow answers from "Intuit", so that the first process cannot have fetched everything before the kill.
    w = await startWorld({ emulatorConfig: { latencyMs: 400 } });
    await connect(w);
    const db = w.t.container.db;
    // The daily CDC sweep has just run: it must not be what brings the customers in.
    const now = new Date().toISOString();
    await db('qbo_cdc_watermarks').insert({ realm_id: REALM_A, changed_since: now, last_run_at: now });
    const ids: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const created = await w.control('POST', `/companies/${REALM_A}/entities/Customer`, {
        DisplayName: `Crash Webhook ${i + 1}`,
      });
      ids.push(String(created.Id));
    }

    const port = await freePort();
    child = startServer(w, port);
    await serving(port);
    const answers = await Promise.all(
      ids.map((id) => {
        const body = JSON.stringify([cloudEvent(REALM_A, 'Customer', id, 'created')]);
        return fetch(`http://127.0.0.1:${port}/webhooks/quickbooks`, {
          method: 'POST',
          headers: {
            'content-type': 'application/cloudevents+json',
            'intuit-signature': signatureOf(body, VERIFIER),
          },
          body,
        }).then((r) => r.status);
      }),
    );
    expect(answers).to.deep.equal(ids.map(() => 200));
    // Killed while its worker holds claimed events and waits for Intuit's answers.
    await until(
      async () => (await db('webhook_inbox').whereNotNull('claimed_by').first()) !== undefined,
      20_000,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    const after = await db('webhook_inbox').select('status', 'claimed_by');
    // Stored: in the inbox, or still staged as the delivery that carried it (decision 016).
    const staged = Number((await db('webhook_deliveries').sum({ n: 'event_count' }).first())?.n ?? 0);
    expect(after.length + staged, 'every acknowledged event was stored').to.equal(EVENTS);
    const notDone = after.filter((r: { status: string }) => r.status !== 'done').length;
    expect(notDone, 'the kill came before the worker had processed them all').to.be.above(0);
    const held = after.filter((r: { claimed_by: string | null }) => r.claimed_by !== null).length;
    expect(held, 'the killed worker held claims').to.be.above(0);

    // The next process: its worker takes the pending events, and the killed one's claims once their
    // lease (SYNC_LEASE_SECONDS=2 here; the default 60 s would not fit the wait below) has run out.
    child = startServer(w, await freePort());
    await until(
      async () =>
        Number((await db('webhook_deliveries').count({ n: '*' }).first())?.n) === 0 &&
        Number((await db('webhook_inbox').whereNot({ status: 'done' }).count({ n: '*' }).first())?.n) === 0,
      45_000,
    );
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = undefined;

    const customers = await db('customers').where('display_name', 'like', 'Crash Webhook %');
    expect(customers).to.have.length(EVENTS);
    expect(new Set(customers.map((c: { display_name: string }) => c.display_name)).size).to.equal(EVENTS);
    const links = await db('qbo_links').where({
      realm_id: REALM_A,
      record_type: 'customer',
      state: 'linked',
    });
    expect(links.map((l: { qbo_id: string }) => l.qbo_id).sort()).to.deep.equal([...ids].sort());
    expect(await db('webhook_inbox').whereNot({ status: 'done' })).to.have.length(0);
    expect(await db('webhook_inbox')).to.have.length(EVENTS);
  });
});
