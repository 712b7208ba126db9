/**
 * Every amount is in the connected QuickBooks company's home currency (Preferences.CurrencyPrefs
 * .HomeCurrency, read at connect and on "Sync now"), and in COMPANY_CURRENCY when no company is connected.
 */
import { expect } from 'chai';
import { HomeCurrency } from '../../src/quickbooks/connection/home-currency.js';
import { csrfToken, startTestApp, type TestApp } from '../helpers/app.js';
import { connect, REALM_A, REALM_B, startWorld, type World } from '../helpers/quickbooks.js';
import { documentValues, makeCustomer } from '../helpers/records.js';

/** An estimate of 1,250.00 (made before any company is connected: nothing is pushed). */
async function estimateOf1250(w: World, unitPrice = '1250.00'): Promise<number> {
  const customer = await makeCustomer(w.t, 'Festival Sound');
  const estimate = await w.t.container.estimates.create(
    documentValues(customer.id, [{ description: 'PA system', quantity: '1', unitPrice }]),
  );
  return estimate.id;
}

async function post(w: World, path: string, fields: Record<string, string> = {}) {
  const _csrf = await csrfToken(w.admin, '/admin/settings/quickbooks');
  return w.admin
    .post(path)
    .type('form')
    .send({ ...fields, _csrf });
}

async function homeCurrencyOf(w: World, realmId: string): Promise<string | null> {
  const row = await w.t.container.db('qbo_connections').where({ realm_id: realmId }).first();
  return row.home_currency;
}

describe('Amounts in the company home currency', () => {
  let w: World;
  afterEach(async () => w?.close());

  it("prints the setting's currency while disconnected, CA$ once the Canadian company is connected, and the setting again after a disconnect", async () => {
    w = await startWorld({ env: { COMPANY_CURRENCY: 'EUR', COMPANY_LOCALE: 'en-US' } });
    const id = await estimateOf1250(w);
    const before = await w.admin.get(`/admin/estimates/${id}`);
    expect(before.text).to.contain('€1,250.00');
    expect(before.text).not.to.contain('CA$');

    const back = await connect(w, { realmId: REALM_B });
    expect(back.status, back.text).to.equal(303);
    expect(await homeCurrencyOf(w, REALM_B)).to.equal('CAD');
    const connected = await w.admin.get(`/admin/estimates/${id}`);
    expect(connected.text).to.contain('CA$1,250.00');
    expect(connected.text).not.to.contain('€');
    // The line editor computes live totals in the same currency.
    const form = await w.admin.get(`/admin/estimates/${id}/edit`);
    expect(form.text).to.contain('data-currency="CAD"');
    const dashboard = await w.admin.get('/admin');
    expect(dashboard.text).to.contain('CA$1,250.00 quoted');

    expect((await post(w, '/admin/settings/quickbooks/disconnect')).status).to.equal(303);
    const after = await w.admin.get(`/admin/estimates/${id}`);
    expect(after.text).to.contain('€1,250.00');
    expect(after.text).not.to.contain('CA$');
  });

  it('writes the currency as the locale does (fr-CA: 1 250,00 $), and USD for the US company', async () => {
    w = await startWorld({ env: { COMPANY_CURRENCY: 'EUR', COMPANY_LOCALE: 'fr-CA' } });
    const id = await estimateOf1250(w, '1250,00');
    await connect(w, { realmId: REALM_B });
    const page = await w.admin.get(`/admin/estimates/${id}`);
    // fr-CA groups with a no-break space and puts the sign after the amount, also no-break spaced.
    expect(page.text).to.contain('1\u00a0250,00\u00a0$');
    expect(page.text).not.to.contain('€');

    expect((await post(w, '/admin/settings/quickbooks/disconnect')).status).to.equal(303);
    expect((await w.admin.get(`/admin/estimates/${id}`)).text).to.contain('1\u00a0250,00\u00a0€');
    await connect(w, { realmId: REALM_A });
    // Another company than before: the switch is confirmed first.
    const confirm = await post(w, '/admin/settings/quickbooks/switch', { confirm: 'yes' });
    expect(confirm.status, confirm.text).to.equal(303);
    expect(await homeCurrencyOf(w, REALM_A)).to.equal('USD');
    expect((await w.admin.get(`/admin/estimates/${id}`)).text).to.contain('1\u00a0250,00\u00a0$\u00a0US');
  });

  it('"Sync now" reads the currency again; a company Intuit will not tell about keeps the setting', async () => {
    w = await startWorld({ env: { COMPANY_CURRENCY: 'EUR', COMPANY_LOCALE: 'en-US' } });
    const id = await estimateOf1250(w);
    // Intuit fails the Preferences read at connect: the connection still works, amounts use the setting.
    await w.control('POST', '/faults', {
      match: { method: 'GET', path: 'preferences' },
      respond: { status: 500 },
      times: 1,
    });
    const back = await connect(w, { realmId: REALM_B });
    expect(back.status).to.equal(303);
    expect(await w.t.container.quickbooks.connections.active()).to.not.equal(undefined);
    expect(await homeCurrencyOf(w, REALM_B)).to.equal(null);
    expect((await w.admin.get(`/admin/estimates/${id}`)).text).to.contain('€1,250.00');

    expect((await post(w, '/admin/settings/quickbooks/sync')).status).to.equal(303);
    expect(await homeCurrencyOf(w, REALM_B)).to.equal('CAD');
    expect((await w.admin.get(`/admin/estimates/${id}`)).text).to.contain('CA$1,250.00');
  });
});

describe('HomeCurrency (the stored currency and its cache)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
    const now = new Date().toISOString();
    await t.container.db('qbo_connections').insert({
      realm_id: '4620816365',
      company_name: 'Sterling Stage Hire',
      environment: 'emulator',
      status: 'connected',
      created_at: now,
      updated_at: now,
    });
  });
  afterEach(async () => t.close());

  /** A QuickBooks that answers these Preferences and this CompanyInfo (counting the calls). */
  function answering(prefs: object, info: object) {
    const calls: string[] = [];
    return {
      calls,
      source: {
        preferences: async () => {
          calls.push('preferences');
          return prefs;
        },
        companyInfo: async () => {
          calls.push('companyinfo');
          return info;
        },
      },
    };
  }

  it("falls back to CompanyInfo's Country when Preferences name no currency, and refuses what is not ISO 4217", async () => {
    const uk = answering({ CurrencyPrefs: {} }, { Country: 'GB' });
    const home = new HomeCurrency({ db: t.container.db, client: uk.source, logger: t.container.logger });
    expect(await home.refresh('4620816365')).to.equal('GBP');
    expect(uk.calls).to.deep.equal(['preferences', 'companyinfo']);
    expect(await home.current()).to.equal('GBP');

    const bogus = answering({ CurrencyPrefs: { HomeCurrency: { value: 'XYZ1' } } }, { Country: 'Atlantis' });
    const other = new HomeCurrency({ db: t.container.db, client: bogus.source, logger: t.container.logger });
    expect(await other.refresh('4620816365')).to.equal(null);
    expect(await other.current(), 'what was stored stays').to.equal('GBP');
  });

  it('answers from memory for a few seconds, but reads again right after a change of company was announced', async () => {
    let clock = 1_000_000;
    const usd = answering({ CurrencyPrefs: { HomeCurrency: { value: 'usd' } } }, {});
    const home = new HomeCurrency({
      db: t.container.db,
      client: usd.source,
      logger: t.container.logger,
      now: () => clock,
    });
    await home.refresh('4620816365');
    // Right after its own write it reads the row each time (a change of company may still be landing).
    clock += 6_000;
    expect(await home.current()).to.equal('USD');
    // Written behind its back (another instance): the cache answers until it expires.
    await t.container.db('qbo_connections').update({ home_currency: 'CAD' });
    clock += 1_000;
    expect(await home.current()).to.equal('USD');
    clock += 5_000;
    expect(await home.current()).to.equal('CAD');

    // A disconnect announces itself (stopping) before the row changes: nothing read then is kept.
    await home.lifecycle().stopping?.('4620816365');
    expect(await home.current()).to.equal('CAD');
    await t.container.db('qbo_connections').update({ status: 'disconnected' });
    expect(await home.current()).to.equal(null);
  });
});
