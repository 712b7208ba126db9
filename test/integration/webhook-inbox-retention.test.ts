/**
 * The webhook inbox does not grow for ever: events finished more than the retention ago are deleted;
 * failed, parked and pending ones, and recent ones, stay.
 */
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { until } from '../helpers/until.js';

const DAY = 24 * 3_600_000;

describe('webhook inbox retention', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => t.close());

  async function row(key: string, status: string, processedDaysAgo: number | null) {
    const now = new Date().toISOString();
    await t.container.db('webhook_inbox').insert({
      event_key: key,
      realm_id: '9130350000000001',
      entity: 'Customer',
      entity_id: '1',
      operation: 'Update',
      received_at: now,
      format: 'cloudevents',
      status,
      attempts: 0,
      next_attempt_at: now,
      processed_at:
        processedDaysAgo === null ? null : new Date(Date.now() - processedDaysAgo * DAY).toISOString(),
    });
  }

  it('deletes done and dropped events finished before the cut-off, in chunks, and keeps the rest', async () => {
    for (let i = 0; i < 25; i++) await row(`old-done-${i}`, 'done', 40);
    await row('old-dropped', 'dropped', 31);
    await row('old-parked', 'parked', 40);
    await row('old-failed', 'failed', 40);
    await row('recent-done', 'done', 2);
    await row('pending', 'pending', null);

    const deleted = await t.container.inbound.inbox.prune(new Date(Date.now() - 30 * DAY), 10);
    expect(deleted).to.equal(26);
    const left = await t.container.db('webhook_inbox').orderBy('event_key').pluck('event_key');
    expect(left).to.deep.equal(['old-failed', 'old-parked', 'pending', 'recent-done']);
    expect(await t.container.inbound.inbox.prune(new Date(Date.now() - 30 * DAY), 10)).to.equal(0);
  });

  it('runs when the workers start, with the 30-day default', async () => {
    await row('old-done', 'done', 31);
    await row('recent-done', 'done', 29);
    t.container.inbound.start();
    try {
      await until(
        async () => Number((await t.container.db('webhook_inbox').count({ n: '*' }).first())?.n) === 1,
        5_000,
      );
    } finally {
      await t.container.inbound.stop();
    }
    expect(await t.container.db('webhook_inbox').pluck('event_key')).to.deep.equal(['recent-done']);
  });
});
