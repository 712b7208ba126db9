import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { api, connect, control, REALM_B, REALM_EMPTY, start } from './helpers.js';

/** As Intuit was recorded answering (fixtures/qbo/faults/throttle-exceeded-3001-http429.quickbooks-ruby.xml). */
const THROTTLE_XML =
  /^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?>\n<IntuitResponse time="[^"]+" xmlns="http:\/\/schema\.intuit\.com\/finance\/v3">\n {2}<Fault type="SERVICE">\n {4}<Error code="3001">\n {6}<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429<\/Message>\n {6}<Detail>The request limit was reached\. {2}Try again later<\/Detail>\n {4}<\/Error>\n {2}<\/Fault>\n<\/IntuitResponse>\n$/;

describe('emulator throttling (per company)', () => {
  let emu: RunningEmulator;
  afterEach(async () => {
    await emu?.close();
  });

  it('answers five of fifteen overlapping requests with 429 ThrottleExceeded (10 concurrent)', async () => {
    emu = await start({ config: { latencyMs: 300 } });
    const { access_token } = await connect(emu);
    const responses = await Promise.all(
      Array.from({ length: 15 }, () => api(emu, access_token, `/companyinfo/${REALM_EMPTY}`)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).to.have.length(10);
    const throttled = responses.filter((r) => r.status === 429);
    expect(throttled).to.have.length(5);
    expect(await throttled[0].text()).to.match(THROTTLE_XML);
    expect(throttled[0].headers.get('content-type')).to.equal('application/xml');
  });

  it('answers the 501st request within a minute with 429, and lets requests through once the window slides', async () => {
    emu = await start();
    const a = await connect(emu, REALM_EMPTY);
    const b = await connect(emu, REALM_B);
    for (let i = 0; i < 50; i++) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, () => api(emu, a.access_token, `/companyinfo/${REALM_EMPTY}`)),
      );
      expect(batch.every((r) => r.status === 200)).to.equal(true);
    }
    const over = await api(emu, a.access_token, `/companyinfo/${REALM_EMPTY}`);
    expect(over.status).to.equal(429);
    expect(await over.text()).to.contain('<Error code="3001">');
    // Limits are per company: the other company is unaffected.
    expect((await api(emu, b.access_token, `/companyinfo/${REALM_B}`, { realmId: REALM_B })).status).to.equal(
      200,
    );
    // Speed Intuit time up: a minute now passes in 100 real ms.
    await control(emu, 'POST', '/config', { timeScale: 600 });
    await new Promise((r) => setTimeout(r, 150));
    expect((await api(emu, a.access_token, `/companyinfo/${REALM_EMPTY}`)).status).to.equal(200);
  });

  it('counts batch requests against batchPerMinute as well', async () => {
    emu = await start({ config: { limits: { batchPerMinute: 2 } } });
    const { access_token } = await connect(emu);
    const batch = () =>
      api(emu, access_token, '/batch', {
        method: 'POST',
        body: JSON.stringify({ BatchItemRequest: [{ bId: '1', Query: 'select count(*) from Customer' }] }),
      });
    expect((await batch()).status).to.equal(200);
    expect((await batch()).status).to.equal(200);
    expect((await batch()).status).to.equal(429);
    expect((await api(emu, access_token, `/companyinfo/${REALM_EMPTY}`)).status).to.equal(200);
  });
});
