import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { EMULATOR_DEFAULTS, type RunningEmulator } from '../../src/emulator/index.js';
import { until } from '../helpers/until.js';
import { api, connect, control, REALM_B, REALM_EMPTY, receiver, start } from './helpers.js';

/** Copies of ../shared/fixtures/qbo/webhooks in the project, so a clone without shared/ runs the tests too. */
function fixture(name: string): any {
  const text = readFileSync(new URL(`../fixtures/qbo/webhooks/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text.replace(/^\uFEFF/, ''));
}

function hmac(raw: Buffer): string {
  return createHmac('sha256', EMULATOR_DEFAULTS.verifierToken).update(raw).digest('base64');
}

const keys = (o: object) => Object.keys(o).sort();

describe('emulator webhooks', () => {
  let emu: RunningEmulator;
  let hook: Awaited<ReturnType<typeof receiver>>;
  afterEach(async () => {
    await emu?.close();
    await hook?.close();
  });

  it('posts classic notifications signed over the exact bytes, shaped like the fixture', async () => {
    hook = await receiver();
    emu = await start({ webhookUrl: hook.url, config: { webhooks: { format: 'classic' } } });
    const { access_token } = await connect(emu);
    const res = await api(emu, access_token, '/customer', {
      method: 'POST',
      body: JSON.stringify({ DisplayName: 'Hook Co' }),
    });
    const customer = (await res.json()).Customer;
    await until(() => hook.received.length === 1, 2000);

    const [delivery] = hook.received;
    expect(delivery.headers['intuit-signature']).to.equal(hmac(delivery.raw));
    expect(delivery.headers['content-type']).to.equal('application/json');
    const body = JSON.parse(delivery.raw.toString('utf8'));
    const sample = fixture('classic-sample.java-sdk.json');
    expect(keys(body)).to.deep.equal(keys(sample));
    expect(keys(body.eventNotifications[0])).to.deep.equal(keys(sample.eventNotifications[0]));
    const entity = body.eventNotifications[0].dataChangeEvent.entities[0];
    expect(keys(entity)).to.deep.equal(keys(sample.eventNotifications[0].dataChangeEvent.entities[0]));
    expect(body.eventNotifications[0].realmId).to.equal(REALM_EMPTY);
    expect(entity).to.include({ name: 'Customer', id: customer.Id, operation: 'Create' });
  });

  it('posts CloudEvents (application/cloudevents+json), batching close changes into one delivery', async () => {
    hook = await receiver();
    emu = await start({ webhookUrl: hook.url });
    const { access_token } = await connect(emu);
    const c = await (
      await api(emu, access_token, '/customer', {
        method: 'POST',
        body: JSON.stringify({ DisplayName: 'CE Co' }),
      })
    ).json();
    await api(emu, access_token, '/invoice', {
      method: 'POST',
      body: JSON.stringify({
        CustomerRef: { value: c.Customer.Id },
        Line: [
          { Amount: 1, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '1' } } },
        ],
      }),
    });
    await until(() => hook.received.length === 1, 2000);
    await new Promise((r) => setTimeout(r, 150));
    expect(hook.received).to.have.length(1);

    const [delivery] = hook.received;
    expect(delivery.headers['content-type']).to.equal('application/cloudevents+json');
    expect(delivery.headers['intuit-signature']).to.equal(hmac(delivery.raw));
    const events = JSON.parse(delivery.raw.toString('utf8'));
    const sample = fixture('cloudevents-sample.intuit-sampleapp-readme.json');
    expect(events).to.be.an('array').with.length(2);
    for (const event of events) expect(keys(event)).to.deep.equal(keys(sample[0]));
    expect(events.map((e: any) => e.type)).to.deep.equal([
      'qbo.customer.created.v1',
      'qbo.invoice.created.v1',
    ]);
    expect(events[0]).to.include({
      specversion: '1.0',
      intuitaccountid: REALM_EMPTY,
      intuitentityid: c.Customer.Id,
    });
    expect(events[0].id).not.to.equal(events[1].id);
  });

  it('retries a receiver that answers 500 on the (scaled) schedule until it gets a 2xx, same bytes each time', async () => {
    hook = await receiver([500, 500, 500]);
    // 10 s, 20 s, 30 s of Intuit time become 10, 20, 30 real ms.
    emu = await start({ webhookUrl: hook.url, config: { timeScale: 1000 } });
    await connect(emu);
    // A change made "inside QuickBooks" notifies the app too.
    await control(emu, 'POST', `/companies/${REALM_EMPTY}/entities/Customer`, { DisplayName: 'Made in QBO' });
    await until(() => hook.received.length === 4, 2000);
    const bodies = hook.received.map((r) => r.raw.toString('utf8'));
    expect(new Set(bodies).size).to.equal(1);
    for (const r of hook.received) expect(r.headers['intuit-signature']).to.equal(hmac(r.raw));
    const log = (await control(emu, 'GET', '/webhooks')).body;
    expect(log[0].attempts.map((a: any) => a.status)).to.deep.equal([500, 500, 500, 200]);
    expect(log[0].delivered).to.equal(true);
  });

  it('sends nothing for a company without a live grant, nor while webhooks are disabled', async () => {
    hook = await receiver();
    emu = await start({ webhookUrl: hook.url });
    await connect(emu, REALM_EMPTY);
    await control(emu, 'POST', `/companies/${REALM_B}/entities/Customer`, { DisplayName: 'Not connected' });
    await control(emu, 'POST', '/config', { webhooks: { enabled: false } });
    await control(emu, 'POST', `/companies/${REALM_EMPTY}/entities/Customer`, {
      DisplayName: 'While disabled',
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(hook.received).to.have.length(0);
    await control(emu, 'POST', '/config', { webhooks: { enabled: true } });
    await control(emu, 'POST', `/companies/${REALM_EMPTY}/entities/Customer/1`, {
      CompanyName: 'Edited in QBO',
    });
    await until(() => hook.received.length === 1, 2000);
    const [event] = JSON.parse(hook.received[0].raw.toString('utf8'));
    expect(event.type).to.equal('qbo.customer.updated.v1');
  });
});
