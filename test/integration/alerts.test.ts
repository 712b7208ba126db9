/**
 * Alerts (capability 20): each incident found in the real state the app leaves behind (a revocation found
 * by the keep-alive, a disconnect at Intuit, a push QuickBooks refused, a limit near, a deletion processed)
 * is mailed to a real SMTP server on a loopback port and posted to a real HTTP receiver, once, across
 * instances, with a link to the page that fixes it and no QuickBooks data or token in it.
 */

import { expect } from 'chai';
import { ConflictsRepository } from '../../src/quickbooks/conflicts/conflicts-repository.js';
import { createDataDeletionService } from '../../src/quickbooks/data-deletion/index.js';
import { createUser, startTestApp } from '../helpers/app.js';
import { startChatWebhook, type TestChatWebhook } from '../helpers/chat-webhook.js';
import {
  connect,
  REALM_A,
  REALM_EMPTY,
  refusedBatchFault,
  startWorld,
  type World,
} from '../helpers/quickbooks.js';
import { makeCustomer, STAFF } from '../helpers/records.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';

const BASE = 'http://localhost:3000';
const DAY = 86_400_000;

const REFUSED_BATCH = refusedBatchFault('refused for the alerts test');

describe('alerts', () => {
  let w: World;
  let smtp: TestSmtp;
  let chat: TestChatWebhook;
  beforeEach(async () => {
    smtp = await startSmtp();
    chat = await startChatWebhook();
    w = await startWorld({ env: { SMTP_URL: smtp.url, NOTIFY_WEBHOOK_URL: chat.url } });
  });
  afterEach(async () => {
    await w.close();
    await smtp.close();
    await chat.close();
  });

  const alertRows = () => w.t.container.db('alerts').whereNot({ kind: 'test' }).orderBy('id');
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  describe('connection lost', () => {
    it('mails every active admin and posts to the chat once when the keep-alive finds the access revoked, with a link to the card and no QuickBooks data or token', async () => {
      await createUser(w.t, 'second-admin@example.com', 'another long password 1', 'admin');
      await createUser(w.t, STAFF.email, STAFF.password, 'staff');
      await connect(w);
      const { connections, keepAlive } = w.t.container.quickbooks;
      const company = (await connections.active())!.companyName!;
      const creds = (await connections.credentials(REALM_A))!;

      // Revoked at Intuit; the hourly keep-alive is the first to ask.
      await w.control('POST', `/companies/${REALM_A}/revoke`);
      await w.t.container.db('qbo_connections').update({ refresh_token_issued_at: ago(40 * DAY) });
      expect(await keepAlive.runOnce()).to.equal(false);

      // Nobody calls a tick: the revocation nudged the alerts.
      const mail = await until(() => smtp.mails[0], 8000, 'the alert email');
      expect(mail.subject).to.equal('[Heavy AV] QuickBooks connection lost: syncing has stopped');
      expect([...mail.to].sort()).to.deep.equal(['admin@example.com', 'second-admin@example.com']);
      expect(mail.text).to.contain('access was revoked');
      expect(mail.text).to.match(
        /\nOpen in Heavy AV: http:\/\/localhost:3000\/admin\/settings\/quickbooks\r?\n$/,
      );
      const posted = await until(() => chat.received[0], 8000, 'the chat message');
      expect(posted.contentType).to.equal('application/json');
      expect(posted.text).to.contain('*QuickBooks connection lost: syncing has stopped*');
      expect(posted.text).to.contain(`${BASE}/admin/settings/quickbooks`);
      for (const secret of [company, REALM_A, creds.accessToken, creds.refreshToken]) {
        expect(mail.raw, 'nothing of QuickBooks in the email').to.not.contain(secret);
        expect(posted.text, 'nothing of QuickBooks in the chat').to.not.contain(secret);
      }

      // Once: another look from this instance, and one from a second instance on the same database.
      await w.t.container.alerts.tick();
      const second = await startTestApp({
        database: w.t.database,
        env: { SMTP_URL: smtp.url, NOTIFY_WEBHOOK_URL: chat.url },
      });
      try {
        await second.container.alerts.tick();
      } finally {
        await second.close();
      }
      expect(smtp.mails).to.have.length(1);
      expect(chat.received).to.have.length(1);
      expect(await alertRows()).to.have.length(1);

      // The link opens the card, which explains it.
      const card = await w.admin.get('/admin/settings/quickbooks');
      expect(card.text).to.contain('Access revoked');
      expect(card.text).to.contain('was revoked');
      expect(card.text).to.contain('QuickBooks connection lost: syncing has stopped');
    });

    it('says "disconnected at Intuit" for My Apps, "back" once reconnected, and nothing for an admin’s own disconnect', async () => {
      await connect(w);
      const { landing, disconnect } = w.t.container.quickbooks.connection;
      await w.control('POST', `/companies/${REALM_A}/revoke`);
      expect(await landing.verifyDisconnect(REALM_A)).to.equal('cleared');
      await until(() => smtp.mails[0], 8000, 'the disconnect email');
      expect(smtp.mails[0].text).to.contain("disconnected from QuickBooks on Intuit's My Apps page");

      await connect(w);
      const back = await until(() => smtp.mails[1], 8000, 'the connection-back email');
      expect(back.subject).to.equal('[Heavy AV] QuickBooks connection is back');
      expect(back.text).to.contain(`${BASE}/admin/settings/quickbooks`);

      await disconnect.disconnect({ id: 1, email: 'admin@example.com' });
      await w.t.container.alerts.tick();
      expect(smtp.mails).to.have.length(2);
      expect((await alertRows()).map((a) => a.kind)).to.deep.equal([
        'connection_lost',
        'connection_restored',
      ]);
    });
  });

  it('alerts once per incident of records failing or in conflict, with the counts, and again after it is over', async () => {
    await connect(w, { realmId: REALM_EMPTY });
    await w.control('POST', '/faults', REFUSED_BATCH);
    const refused = await makeCustomer(w.t, 'Refused Rentals');
    await w.t.container.sync.worker.drain();
    await w.t.container.alerts.tick();
    expect(smtp.mails).to.have.length(1);
    expect(smtp.mails[0].subject).to.equal(
      '[Heavy AV] QuickBooks sync needs attention: records are not syncing',
    );
    expect(smtp.mails[0].text).to.contain('1 record QuickBooks refused.');
    expect(smtp.mails[0].text).to.contain(
      `${BASE}/admin/settings/quickbooks/history?direction=push&result=failed`,
    );
    expect(smtp.mails[0].raw).to.not.contain('Refused Rentals');

    // More trouble in the same incident (a record in conflict) is not a new alert.
    const other = await makeCustomer(w.t, 'Second Hall');
    await w.t.container.sync.worker.drain();
    const conflicts = new ConflictsRepository(w.t.container.db);
    const conflict = {
      realmId: REALM_EMPTY,
      recordType: 'customer' as const,
      recordId: other.id,
      kind: 'name_taken' as const,
      message: 'The name is used by a vendor in QuickBooks.',
    };
    await conflicts.open(conflict);
    await w.t.container.alerts.tick();
    expect(smtp.mails).to.have.length(1);

    // Over once nothing fails (the records were fixed and pushed), then a new failure is a new incident.
    await w.t.container.db('qbo_outbox').where('status', 'failed').update({ status: 'done' });
    await w.t.container.db('qbo_conflicts').update({ state: 'resolved' });
    await w.t.container.alerts.tick();
    expect((await alertRows())[0].resolved_at).to.be.a('string');
    await w.t.container.db('qbo_outbox').where({ record_id: refused.id }).update({ status: 'failed' });
    await conflicts.open(conflict);
    await w.t.container.alerts.tick();
    expect(smtp.mails).to.have.length(2);
    expect(smtp.mails[1].text).to.contain(
      '1 record QuickBooks refused and 1 record in conflict (for an admin to resolve).',
    );
    expect((await alertRows()).map((a) => a.incident_key)).to.deep.equal([
      'records-failing:1',
      'records-failing:2',
    ]);
  });

  it('warns 30 days before the 5-year limit and before a refresh token the keep-alive has not renewed dies, once each', async () => {
    await connect(w);
    const hard = new Date(Date.now() + 20 * DAY).toISOString();
    const refresh = new Date(Date.now() + 10 * DAY).toISOString();
    await w.t.container.db('qbo_connections').update({ refresh_hard_expires_at: hard });
    await w.t.container.alerts.tick();
    await w.t.container.db('qbo_connections').update({ refresh_expires_at: refresh });
    await w.t.container.alerts.tick();
    await w.t.container.alerts.tick();
    expect(smtp.mails.map((m) => m.subject)).to.deep.equal([
      `[Heavy AV] QuickBooks connection reaches its 5-year limit on ${hard.slice(0, 10)}`,
      `[Heavy AV] QuickBooks connection expires on ${refresh.slice(0, 10)} unless renewed`,
    ]);
    expect(smtp.mails[1].text).to.contain('the daily keep-alive has not renewed it');
    expect(smtp.mails[0].text).to.contain(`${BASE}/admin/settings/quickbooks`);
  });

  it('tells of a deletion request processed at the command line, with its receipt', async () => {
    const service = createDataDeletionService(w.t.container.db);
    const { request } = await service.file({ id: 1, email: 'admin@example.com' }, null);
    const outcome = await service.process(request.id, { label: 'operator (npm run qbo:purge)' });
    await w.t.container.alerts.tick();
    expect(smtp.mails).to.have.length(1);
    expect(smtp.mails[0].subject).to.equal(
      `[Heavy AV] QuickBooks data deletion request #${request.id} processed`,
    );
    expect(smtp.mails[0].text).to.contain(`Receipt #${outcome.receipt.receiptId}`);
    expect(smtp.mails[0].text).to.contain('by operator (npm run qbo:purge)');
    expect(smtp.mails[0].text).to.contain(
      `${BASE}/admin/settings/quickbooks/data/deletion-requests/${request.id}`,
    );
    await w.t.container.alerts.tick();
    expect(smtp.mails).to.have.length(1);
  });
});
