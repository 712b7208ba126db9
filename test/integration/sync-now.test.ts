/**
 * "Sync now" (SPEC: checks the connection, then pushes what waits and pulls what changed): the push half
 * queues every record as one run, the pull half is a CDC sweep in the background, and the card shows both.
 */
import { expect } from 'chai';
import { csrfToken } from '../helpers/app.js';
import { connect, REALM_A, startWorld, type World } from '../helpers/quickbooks.js';
import { makeCustomer } from '../helpers/records.js';
import { until } from '../helpers/until.js';

const CARD = '/admin/settings/quickbooks';

describe('"Sync now"', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('pushes what waits and pulls what changed in QuickBooks, with the pull on the card', async () => {
    w = await startWorld();
    const world = w;
    await connect(world);
    const local = await makeCustomer(world.t, 'Made In Heavy AV');
    // Changed in QuickBooks, and no webhook told us: only a pull finds it.
    await world.control('POST', `/companies/${REALM_A}/entities/Customer`, {
      DisplayName: 'Made In QuickBooks',
    });
    await world.control('DELETE', '/ledger');

    const _csrf = await csrfToken(world.admin, CARD);
    const res = await world.admin.post(`${CARD}/sync`).type('form').send({ _csrf });
    expect(res.status).to.equal(303);
    const card = await world.admin.get(CARD);
    expect(card.text).to.contain('Pulling what changed in QuickBooks');

    // Pulled: the customer made in QuickBooks is here, through a CDC call.
    await until(
      () => world.t.container.db('customers').where({ display_name: 'Made In QuickBooks' }).first(),
      10_000,
      'the pull',
    );
    expect((await world.ledger()).some((e) => e.path.endsWith('/cdc'))).to.equal(true);
    const after = await until(
      async () => {
        const text = (await world.admin.get(CARD)).text;
        return /Last pull .*?: \d+ change\(s\) read/.test(text) && text;
      },
      10_000,
      'the card to show the finished pull',
    );
    expect(after).to.contain('Pull from QuickBooks');

    // Pushed: the local customer was queued by the same click, and the worker sends it.
    await world.t.container.sync.worker.drain();
    const qbo: { DisplayName: string }[] = await world.control(
      'GET',
      `/companies/${REALM_A}/entities/Customer`,
    );
    expect(qbo.map((c) => c.DisplayName)).to.include(local.displayName);
  });
});
