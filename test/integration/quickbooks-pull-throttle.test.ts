/**
 * Issue 18, a throttled pull: a CDC sweep that Intuit throttles (429) or that meets an outage (5xx) waits
 * and asks the same page again; while it waits, its run (sync_runs) says why and when, so status.json and
 * the card show it; a stop or a disconnect ends the wait at once; a sweep that gives up says so and is
 * swept again at the next check. Against the real emulator and its faults control API.
 */
import { expect } from 'chai';
import { csrfToken } from '../helpers/app.js';
import { connect, REALM_A, startWorld, throttledFault, type World } from '../helpers/quickbooks.js';
import { until } from '../helpers/until.js';

const CARD = '/admin/settings/quickbooks';
const STATUS = '/admin/settings/quickbooks/status.json';

/** Intuit's CDC endpoint, where the faults answer 429. */
const CDC = { method: 'GET', path: '/cdc$' };

/** A passing outage on the CDC endpoint. */
function unavailableCdc(times: number) {
  return {
    match: { method: 'GET', path: '/cdc$' },
    times,
    respond: { status: 503, body: 'Service Unavailable' },
  };
}

async function syncNow(w: World) {
  const _csrf = await csrfToken(w.admin, CARD);
  const res = await w.admin.post(`${CARD}/sync`).type('form').send({ _csrf });
  expect(res.status).to.equal(303);
}

/** A customer made in QuickBooks that no webhook told us about: only the pull finds it. */
async function changedInQuickBooks(w: World, name: string) {
  await w.control('POST', `/companies/${REALM_A}/entities/Customer`, { DisplayName: name });
}

const latestCdcRun = (w: World) =>
  w.t.container.db('sync_runs').where({ realm_id: REALM_A, kind: 'cdc' }).orderBy('id', 'desc').first();

/** Waits until status.json reports the pull waiting out a delay. */
async function untilPullWaits(w: World) {
  return until(
    async () => {
      const s = (await w.admin.get(STATUS)).body;
      return s.pull && s.delay ? s : undefined;
    },
    10_000,
    'status.json to show the pull waiting',
  );
}

describe('A throttled pull (issue 18)', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('shows the reason and next try in status.json and on the card, then completes once Intuit lets it', async () => {
    w = await startWorld({ inbound: { cdc: { retry: { firstWaitMs: 1500, maxWaitMs: 1500 } } } });
    const world = w;
    await connect(world);
    await changedInQuickBooks(world, 'Pulled After Throttle');
    await world.control('DELETE', '/ledger');
    await world.control('POST', '/faults', throttledFault(CDC, 2));
    await syncNow(world);

    const s = await untilPullWaits(world);
    expect(s.delay.reason).to.equal('Intuit is limiting us');
    expect(s.delay.inSeconds).to.be.within(0, 2);
    // Read from the run's row, which every instance shares: not guessed, not in one process's memory.
    const run = await latestCdcRun(world);
    expect(run).to.include({ status: 'running', delay_code: 'quickbooks_throttled' });
    expect(s.delay.nextTryAt).to.equal(run.next_try_at);
    expect(s.sentence).to.match(
      /^Reading changes from QuickBooks: \d+ of \d+ — Intuit is limiting us, next try in \d+ s$/,
    );
    expect(s.tone).to.equal('warn');

    const card = (await world.admin.get(CARD)).text;
    expect(card).to.match(
      /Reading changes from QuickBooks: \d+ of \d+ — Intuit is limiting us, next try in \d+ s/,
    );
    expect(card).to.contain('<span data-status="delay-reason">Intuit is limiting us</span>');
    expect(card).to.match(/<div class="progress-block" data-status="pull">/);

    // The fault clears (two 429s): the same page is asked again and the change is applied once.
    await until(
      () => world.t.container.db('customers').where({ display_name: 'Pulled After Throttle' }).first(),
      15_000,
      'the pull to apply the change',
    );
    const done = await until(
      async () => {
        const r = await latestCdcRun(world);
        return r.status === 'finished' ? r : undefined;
      },
      10_000,
      'the sweep to finish',
    );
    expect(done).to.include({ delay_code: null, next_try_at: null });
    expect(
      await world.t.container.db('customers').where({ display_name: 'Pulled After Throttle' }),
    ).to.have.length(1);
    const cdcCalls = (await world.ledger()).filter((e) => e.path.endsWith('/cdc'));
    // Two refused, then the same page again and the other entities.
    expect(cdcCalls.length).to.equal(2 + 3);
    const after = (await world.admin.get(STATUS)).body;
    expect(after.delay).to.equal(null);
    expect(after.pull).to.equal(null);
    expect(after.sentence).to.match(/^In step with /);
    // The watermark moved: the whole sweep succeeded.
    expect(
      await world.t.container.db('qbo_cdc_watermarks').where({ realm_id: REALM_A }).first(),
    ).to.not.equal(undefined);
  });

  it('stops at once when the sweep is stopped during its wait: no hang, the run is stopped, no watermark', async () => {
    w = await startWorld({ inbound: { cdc: { retry: { firstWaitMs: 60_000, maxWaitMs: 60_000 } } } });
    const world = w;
    await connect(world);
    await world.control('POST', '/faults', throttledFault(CDC, 5));
    await syncNow(world);
    const s = await untilPullWaits(world);
    expect(s.delay.inSeconds).to.be.within(50, 60);

    const started = Date.now();
    await world.t.container.inbound.cdc.stop();
    expect(Date.now() - started).to.be.below(2_000);
    const run = await latestCdcRun(world);
    // Stopped by us, not given up on: no reason, no next try.
    expect(run).to.include({ status: 'stopped', delay_code: null, next_try_at: null });
    expect(await world.t.container.db('qbo_cdc_watermarks').where({ realm_id: REALM_A }).first()).to.equal(
      undefined,
    );
  });

  it('stops at once when the company is disconnected during its wait', async () => {
    w = await startWorld({ inbound: { cdc: { retry: { firstWaitMs: 60_000, maxWaitMs: 60_000 } } } });
    const world = w;
    await connect(world);
    await world.control('POST', '/faults', throttledFault(CDC, 5));
    await syncNow(world);
    await untilPullWaits(world);
    const _csrf = await csrfToken(world.admin, CARD);
    await world.admin.post(`${CARD}/disconnect`).type('form').send({ _csrf });
    const run = await until(
      async () => {
        const r = await latestCdcRun(world);
        return r.status === 'stopped' ? r : undefined;
      },
      2_000,
      'the sweep to stop with the disconnect',
    );
    expect(run.delay_code).to.equal(null);
  });

  it('gives up after its tries on an outage: the card and history say so and when; the next check sweeps again', async () => {
    w = await startWorld({ inbound: { cdc: { retry: { tries: 2, firstWaitMs: 200, maxWaitMs: 200 } } } });
    const world = w;
    await connect(world);
    // A sweep that succeeded: the daily one is not due again for a day.
    expect(await world.t.container.inbound.cdc.runIfDue()).to.not.equal(undefined);
    const mark = await world.t.container.db('qbo_cdc_watermarks').where({ realm_id: REALM_A }).first();
    expect(await world.t.container.inbound.cdc.runIfDue()).to.equal(undefined);
    await changedInQuickBooks(world, 'Pulled After Outage');
    await world.control('POST', '/faults', unavailableCdc(2));
    await syncNow(world);
    const run = await until(
      async () => {
        const r = await latestCdcRun(world);
        return r.status === 'stopped' ? r : undefined;
      },
      10_000,
      'the sweep to give up',
    );
    expect(run.delay_code).to.equal('quickbooks_unavailable');
    // The next hourly check (checkEveryMs) sweeps again.
    const inMinutes = (Date.parse(run.next_try_at) - Date.now()) / 60_000;
    expect(inMinutes).to.be.within(58, 60);

    const s = (await world.admin.get(STATUS)).body;
    expect(s.sentence).to.equal(
      'Pulling from QuickBooks stopped — QuickBooks is not answering; Heavy AV pulls again in about 60 min',
    );
    expect(s.delay).to.include({ reason: 'QuickBooks is not answering', nextTryAt: run.next_try_at });
    expect((await world.admin.get(CARD)).text).to.contain(
      'Pulling from QuickBooks stopped — QuickBooks is not answering',
    );
    expect((await world.admin.get(CARD)).text).to.match(
      /Last pull [^<]+ \(stopped before the end; the next pull starts by [^)]+\): 0 change\(s\) read/,
    );
    const history = (await world.admin.get(`${CARD}/history`)).text;
    expect(history).to.contain('Pull stopped — QuickBooks is not answering; Heavy AV pulls again by itself');
    expect(history).to.match(/Gave up after 2 tries; the next pull starts by \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    // The watermark stays where the last whole sweep left it.
    expect(
      await world.t.container.db('qbo_cdc_watermarks').where({ realm_id: REALM_A }).first(),
    ).to.deep.equal(mark);

    // The sweep that gave up is due at the next check, though the daily one is not; it applies the change.
    const result = await world.t.container.inbound.cdc.runIfDue();
    expect(result?.applied).to.be.greaterThan(0);
    expect(
      await world.t.container.db('customers').where({ display_name: 'Pulled After Outage' }),
    ).to.have.length(1);
    expect((await world.admin.get(STATUS)).body.sentence).to.match(/^In step with /);
  });
});
