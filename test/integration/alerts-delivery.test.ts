/**
 * The alerts outbox's delivery: an SMTP outage delays an alert (retried with back-off, shown as waiting on
 * the status page, /metrics and the history page's delivery log) and never loses or doubles it; a crashed
 * instance's claim runs out; one channel failing does not resend the other. And the settings card's
 * "Send a test", which says in words what the SMTP server or the webhook answered.
 */
import { expect } from 'chai';
import request from 'supertest';
import { createUser, csrfToken, signIn, startTestApp, type TestApp } from '../helpers/app.js';
import { startChatWebhook, type TestChatWebhook } from '../helpers/chat-webhook.js';
import { freePort } from '../helpers/free-port.js';
import { STAFF } from '../helpers/records.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const DAY = 86_400_000;
const TOKEN = 'metrics-token-alerts-0123456789';

/** A company connected 4 years and 11 months ago, as Intuit's 5-year limit comes near: an incident. */
async function connectionNearItsLimit(t: TestApp): Promise<void> {
  const now = new Date().toISOString();
  await t.container.db('qbo_connections').insert({
    realm_id: '9130350000000001',
    company_name: 'Heavy AV Demo Productions',
    environment: 'emulator',
    status: 'connected',
    connected_at: now,
    refresh_hard_expires_at: new Date(Date.now() + 20 * DAY).toISOString(),
    token_version: 1,
    created_at: now,
    updated_at: now,
  });
}

const deliveries = (t: TestApp) => t.container.db('alert_deliveries').orderBy('id');
/** Time passes until every waiting delivery is due again (the back-off is minutes long). */
const timePasses = (t: TestApp) =>
  t.container.db('alert_deliveries').update({ next_attempt_at: new Date(Date.now() - 1000).toISOString() });

function stat(html: string, name: string): string {
  const m = new RegExp(`data-stat="${name}">([^<]*)<`).exec(html);
  return m ? m[1].trim() : '';
}

describe('alerts outbox: delivery', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await thing.close();
  });
  async function app(env: Record<string, string>): Promise<{ t: TestApp; admin: request.Agent }> {
    const t = await startTestApp({ env: { METRICS_TOKEN: TOKEN, ...env } });
    opened.push(t);
    await createUser(t);
    return { t, admin: await signIn(t) };
  }
  async function smtpServer(port?: number): Promise<TestSmtp> {
    const smtp = await startSmtp({ port });
    opened.push(smtp);
    return smtp;
  }
  async function chatReceiver(): Promise<TestChatWebhook> {
    const chat = await startChatWebhook();
    opened.push(chat);
    return chat;
  }

  it('keeps an alert through an SMTP outage, shows it waiting with the error, and sends it once when SMTP is back', async () => {
    const port = await freePort();
    const { t, admin } = await app({ SMTP_URL: `smtp://mailer:smtp-password-9f2c@127.0.0.1:${port}` });
    await connectionNearItsLimit(t);
    await t.container.alerts.tick();
    const [waiting] = await deliveries(t);
    expect(waiting).to.include({ channel: 'email', status: 'pending', attempts: 1 });
    expect(waiting.last_error).to.contain(`Could not reach the SMTP server at 127.0.0.1:${port}`);
    expect(waiting.last_error).to.not.contain('smtp-password-9f2c');
    expect(Date.parse(waiting.next_attempt_at) - Date.now()).to.be.within(30_000, 60_000);

    // Waiting, where the operator looks.
    const status = await admin.get('/admin/status');
    expect(stat(status.text, 'alerts-waiting')).to.equal('1');
    expect(stat(status.text, 'alerts-retrying')).to.equal('1');
    const metrics = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(metrics.text).to.match(/^heavyav_alerts_waiting 1$/m);
    expect(metrics.text).to.match(/^heavyav_alerts_retrying 1$/m);
    const history = await admin.get('/admin/settings/quickbooks/history');
    expect(history.text).to.contain('id="alerts"');
    expect(history.text).to.contain('waiting');
    expect(history.text).to.contain('Could not reach the SMTP server');

    // Back on its port: not before the back-off is over, then exactly once.
    const smtp = await smtpServer(port);
    await t.container.alerts.tick();
    expect(smtp.mails).to.have.length(0);
    await timePasses(t);
    await t.container.alerts.tick();
    await timePasses(t);
    await t.container.alerts.tick();
    expect(smtp.mails).to.have.length(1);
    expect(smtp.mails[0].to).to.deep.equal(['admin@example.com']);
    expect(smtp.mails[0].raw).to.not.contain('Heavy AV Demo Productions');
    const [sent] = await deliveries(t);
    expect(sent).to.include({ status: 'sent', attempts: 2, sent_to: 'admin@example.com', last_error: null });
    expect(stat((await admin.get('/admin/status')).text, 'alerts-waiting')).to.equal('0');
    const after = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(after.text).to.match(/^heavyav_alerts_waiting 0$/m);
  });

  it('delivers what a crashed instance raised or claimed (once its lease runs out), and leaves a live claim alone', async () => {
    const smtp = await smtpServer();
    const { t } = await app({ SMTP_URL: smtp.url, NOTIFY_EMAILS: 'ops@example.com, owner@example.com' });
    await connectionNearItsLimit(t);
    const db = t.container.db;
    // Another instance claimed it, then died (or is still working on it).
    const live = new Date(Date.now() + 60_000).toISOString();
    await db('alerts').insert({
      incident_key: 'expiry-hard:9130350000000001:placeholder',
      kind: 'expiry',
      subject: 'claimed elsewhere',
      body: 'b',
      link: 'http://localhost:3000/admin/settings/quickbooks',
      created_at: new Date().toISOString(),
      raised_by: 'other',
    });
    const alertId = (await db('alerts').first('id')).id;
    await db('alert_deliveries').insert({
      alert_id: alertId,
      channel: 'email',
      next_attempt_at: new Date().toISOString(),
      claimed_by: 'other-instance',
      claimed_until: live,
    });
    // Another raised an alert and crashed before queueing its deliveries: the row says where it goes.
    await db('alerts').insert({
      incident_key: 'deletion-processed:999',
      kind: 'deletion_processed',
      subject: 'raised, then crashed',
      body: 'b',
      link: 'http://localhost:3000/admin/settings/quickbooks',
      created_at: new Date().toISOString(),
      raised_by: 'crashed',
      channels: 'email',
    });
    await t.container.alerts.tick();
    // The real incident and the crashed raiser's went out; the one held by a live claim did not.
    expect(smtp.mails.map((m) => m.subject).sort()).to.deep.equal([
      `[Heavy AV] QuickBooks connection reaches its 5-year limit on ${new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10)}`,
      '[Heavy AV] raised, then crashed',
    ]);
    expect(smtp.mails.map((m) => m.to)).to.deep.equal([
      ['ops@example.com', 'owner@example.com'],
      ['ops@example.com', 'owner@example.com'],
    ]);

    // Its holder crashed: the lease runs out and the delivery is taken over, once.
    await db('alert_deliveries')
      .where({ alert_id: alertId })
      .update({ claimed_until: new Date(Date.now() - 1000).toISOString() });
    await t.container.alerts.tick();
    await t.container.alerts.tick();
    expect(smtp.mails.map((m) => m.subject)).to.include('[Heavy AV] claimed elsewhere');
    expect(smtp.mails).to.have.length(3);
  });

  it('alerts once when two instances on the same database notice the incident at the same moment', async () => {
    const smtp = await smtpServer();
    const { t } = await app({ SMTP_URL: smtp.url });
    const second = await startTestApp({ database: t.database, env: { SMTP_URL: smtp.url } });
    opened.push(second);
    await connectionNearItsLimit(t);
    await Promise.all([t.container.alerts.tick(), second.container.alerts.tick()]);
    await Promise.all([t.container.alerts.tick(), second.container.alerts.tick()]);
    expect(smtp.mails).to.have.length(1);
    expect(await t.container.db('alerts')).to.have.length(1);
    expect(await deliveries(t)).to.have.length(1);
  });

  it('retries a failing chat webhook without mailing the alert again', async () => {
    const smtp = await smtpServer();
    const chat = await chatReceiver();
    chat.answer = { status: 500, body: 'internal_error' };
    const { t } = await app({ SMTP_URL: smtp.url, NOTIFY_WEBHOOK_URL: chat.url });
    await connectionNearItsLimit(t);
    await t.container.alerts.tick();
    const webhook = (await deliveries(t)).find((d) => d.channel === 'webhook');
    expect(webhook.last_error).to.equal(
      `The chat webhook at ${new URL(chat.url).origin} answered HTTP 500 Internal Server Error: "internal_error".`,
    );
    chat.answer = { status: 200, body: 'ok' };
    await timePasses(t);
    await t.container.alerts.tick();
    await timePasses(t);
    await t.container.alerts.tick();
    expect(chat.received).to.have.length(1);
    expect(smtp.mails).to.have.length(1);
    expect((await deliveries(t)).map((d) => [d.channel, d.status, d.attempts])).to.deep.equal([
      ['email', 'sent', 1],
      ['webhook', 'sent', 2],
    ]);
  });

  describe('POST /admin/settings/notifications/test', () => {
    async function sendTest(admin: request.Agent): Promise<string> {
      const _csrf = await csrfToken(admin, '/admin/settings/quickbooks');
      const res = await admin.post('/admin/settings/notifications/test').type('form').send({ _csrf });
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal('/admin/settings/quickbooks#notifications');
      return (await admin.get('/admin/settings/quickbooks')).text;
    }

    it('sends a test by email and chat and says where it went; the delivery log shows it', async () => {
      const smtp = await smtpServer();
      const chat = await chatReceiver();
      const { t, admin } = await app({ SMTP_URL: smtp.url, NOTIFY_WEBHOOK_URL: chat.url });
      await createUser(t, STAFF.email, STAFF.password, 'staff');
      const card = await sendTest(admin);
      expect(card).to.contain('Test email sent to admin@example.com.');
      expect(card).to.contain(`Test chat message sent to ${new URL(chat.url).origin}.`);
      expect(card).to.not.contain('T000-secret-path');
      expect(smtp.mails).to.have.length(1);
      expect(smtp.mails[0].subject).to.equal('[Heavy AV] Heavy AV test alert');
      expect(smtp.mails[0].to).to.deep.equal(['admin@example.com']);
      expect(chat.received[0].text).to.contain('Heavy AV test alert');
      const history = await admin.get('/admin/settings/quickbooks/history');
      expect(history.text.match(/data-delivery-id=/g)).to.have.length(2);
      // A test is not an incident: nothing more goes out.
      await t.container.alerts.tick();
      expect(smtp.mails).to.have.length(1);
    });

    it('says in words what the SMTP server and the webhook answered when they refuse', async () => {
      const smtp = await smtpServer();
      const chat = await chatReceiver();
      chat.answer = { status: 404, body: 'no_service' };
      const wrongPassword = smtp.url.replace(smtp.password, 'wrong-password');
      const { admin } = await app({ SMTP_URL: wrongPassword, NOTIFY_WEBHOOK_URL: chat.url });
      const card = await sendTest(admin);
      expect(card).to.match(
        /Test email not sent: The SMTP server at 127\.0\.0\.1:\d+ refused the user name or password in SMTP_URL\. It answered: &#34;535/,
      );
      expect(card).to.contain(
        `Test chat message not sent: The chat webhook at ${new URL(chat.url).origin} answered HTTP 404 Not Found: &#34;no_service&#34;.`,
      );
      expect(card).to.not.contain('wrong-password');
      expect(smtp.mails).to.have.length(0);
    });

    it('says on the card when nothing is configured, and that a test sent nothing', async () => {
      const { admin } = await app({});
      const before = await admin.get('/admin/settings/quickbooks');
      expect(before.text).to.contain('data-notify="none"');
      expect(before.text).to.contain('No alerts are sent');
      const card = await sendTest(admin);
      expect(card).to.contain('Nothing was sent: neither SMTP_URL nor NOTIFY_WEBHOOK_URL is set.');
    });

    it('is for admins only, with a CSRF token', async () => {
      const smtp = await smtpServer();
      const { t, admin } = await app({ SMTP_URL: smtp.url });
      await createUser(t, STAFF.email, STAFF.password, 'staff');
      const staff = await signIn(t, STAFF.email, STAFF.password);
      const _csrf = await csrfToken(staff, '/admin');
      expect(
        (await staff.post('/admin/settings/notifications/test').type('form').send({ _csrf })).status,
      ).to.equal(403);
      expect((await admin.post('/admin/settings/notifications/test').type('form').send({})).status).to.equal(
        403,
      );
      expect(smtp.mails).to.have.length(0);
    });
  });
});
