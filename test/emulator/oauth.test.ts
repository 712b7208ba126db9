import { expect } from 'chai';
import OAuthClient from 'intuit-oauth';
import { EMULATOR_DEFAULTS, type RunningEmulator } from '../../src/emulator/index.js';
import {
  api,
  BASIC,
  connect,
  control,
  parseConsentForm,
  REALM_A,
  REALM_B,
  REALM_EMPTY,
  REDIRECT_URI,
  refresh,
  start,
} from './helpers.js';

/** intuit-oauth keeps its endpoints in process-wide statics; point them at the emulator, restore after. */
function pointIntuitOauthAt(url: string): () => void {
  const saved = {
    authorizeEndpoint: OAuthClient.authorizeEndpoint,
    tokenEndpoint: OAuthClient.tokenEndpoint,
    revokeEndpoint: OAuthClient.revokeEndpoint,
    sandbox: OAuthClient.userinfo_endpoint_sandbox,
    production: OAuthClient.userinfo_endpoint_production,
    environment: OAuthClient.environment,
    maxRetries: OAuthClient.retryConfig.maxRetries,
  };
  OAuthClient.authorizeEndpoint = `${url}/connect/oauth2`;
  OAuthClient.tokenEndpoint = `${url}/oauth2/v1/tokens/bearer`;
  OAuthClient.revokeEndpoint = `${url}/v2/oauth2/tokens/revoke`;
  OAuthClient.userinfo_endpoint_sandbox = `${url}/v1/openid_connect/userinfo`;
  OAuthClient.userinfo_endpoint_production = `${url}/v1/openid_connect/userinfo`;
  OAuthClient.environment = { sandbox: `${url}/`, production: `${url}/` };
  // The client retries 408/429/5xx three times with 1-2-4 s pauses; tests want the first answer.
  OAuthClient.retryConfig.maxRetries = 0;
  return () => {
    OAuthClient.authorizeEndpoint = saved.authorizeEndpoint;
    OAuthClient.tokenEndpoint = saved.tokenEndpoint;
    OAuthClient.revokeEndpoint = saved.revokeEndpoint;
    OAuthClient.userinfo_endpoint_sandbox = saved.sandbox;
    OAuthClient.userinfo_endpoint_production = saved.production;
    OAuthClient.environment = saved.environment;
    OAuthClient.retryConfig.maxRetries = saved.maxRetries;
  };
}

describe('emulator OAuth 2.0', () => {
  let emu: RunningEmulator;
  let restore: () => void;

  beforeEach(async () => {
    emu = await start();
    restore = pointIntuitOauthAt(emu.url);
  });
  afterEach(async () => {
    restore();
    await emu.close();
  });

  it('intuit-oauth: authorize → consent → createToken → refreshUsingToken → revoke, then invalid_grant and 401', async () => {
    const client = new OAuthClient({
      clientId: EMULATOR_DEFAULTS.clientId,
      clientSecret: EMULATOR_DEFAULTS.clientSecret,
      environment: 'sandbox',
      redirectUri: REDIRECT_URI,
    });
    const authUri = client.authorizeUri({
      scope: [OAuthClient.scopes.Accounting, OAuthClient.scopes.OpenId],
      state: 'st-1',
    });
    const page = await fetch(authUri);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.contain('Heavy AV Demo Productions').and.contain('Blue Stage Rentals Ltd');
    expect(html).to.contain('Empty Test Co');
    expect(html).not.to.contain('<script');
    const form = parseConsentForm(html);
    expect(form.get('realmId')).to.equal(REALM_A); // first company pre-selected
    form.set('decision', 'connect');
    const consent = await fetch(`${emu.url}/connect/oauth2`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(consent.status).to.equal(302);
    const callback = consent.headers.get('location')!;
    expect(callback.startsWith(`${REDIRECT_URI}?`)).to.equal(true);
    expect(new URL(callback).searchParams.get('state')).to.equal('st-1');

    const created = await client.createToken(callback);
    const first = created.getJson();
    expect(first.expires_in).to.equal(3600);
    expect(first.x_refresh_token_expires_in).to.equal(8_726_400);
    expect(first.id_token).to.be.a('string');
    expect(client.getToken().realmId).to.equal(REALM_A);

    const refreshed = (await client.refreshUsingToken(first.refresh_token)).getJson();
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
    expect(refreshed.access_token).not.to.equal(first.access_token);

    const user = (await client.getUserInfo()).getJson();
    expect(user.sub).to.be.a('string');
    const info = await client.makeApiCall({
      url: `${emu.url}/v3/company/${REALM_A}/companyinfo/${REALM_A}?minorversion=75`,
    });
    expect(info.json.CompanyInfo.CompanyName).to.equal('Heavy AV Demo Productions');

    await client.revoke({ refresh_token: refreshed.refresh_token });
    let refreshError: any;
    try {
      await client.refreshUsingToken(refreshed.refresh_token);
    } catch (err) {
      refreshError = err;
    }
    expect(refreshError, 'refresh after revoke must fail').to.exist;
    expect(refreshError.error).to.equal('invalid_grant');

    const res = await api(emu, refreshed.access_token, `/companyinfo/${REALM_A}`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.contain('invalid_token');
    // The gateway's lowercase envelope with a numeric time, as Intuit recorded it
    // (fixtures/qbo/faults/authentication-failed-3200-http401.qbo_api.json).
    const body = await res.json();
    expect(Object.keys(body)).to.deep.equal([
      'warnings',
      'intuitObject',
      'fault',
      'report',
      'queryResponse',
      'batchItemResponse',
      'attachableResponse',
      'syncErrorResponse',
      'requestId',
      'time',
      'status',
      'cdcresponse',
    ]);
    expect(body.Fault).to.equal(undefined);
    expect(body.fault.type).to.equal('AUTHENTICATION');
    expect(body.fault.error[0].code).to.equal('3200');
    expect(body.fault.error[0].element).to.equal(null);
    expect(body.fault.error[0].message).to.equal(
      'message=AuthenticationFailed; errorCode=003200; statusCode=401',
    );
    expect(body.time).to.be.a('number');
  });

  it('intuit-oauth makeApiCall on the full US company: active-only queries, a 2010 fault code, the gateway 401', async () => {
    const tokens = await connect(emu, REALM_A);
    const client = new OAuthClient({
      clientId: EMULATOR_DEFAULTS.clientId,
      clientSecret: EMULATOR_DEFAULTS.clientSecret,
      environment: 'sandbox',
      redirectUri: REDIRECT_URI,
    });
    client.setToken({ ...tokens, realmId: REALM_A });
    const query = (q: string) =>
      client.makeApiCall({
        url: `${emu.url}/v3/company/${REALM_A}/query?query=${encodeURIComponent(q)}&minorversion=75`,
      });
    const active = (await query('select count(*) from Customer')).json.QueryResponse.totalCount;
    const all = (await query('select count(*) from Customer where Active in (true, false)')).json
      .QueryResponse.totalCount;
    expect(all).to.be.greaterThan(active);

    let unknown: any;
    try {
      await client.makeApiCall({
        url: `${emu.url}/v3/company/${REALM_A}/customer?minorversion=75`,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: { DisplayName: 'Via intuit-oauth', Nickname: 'x' },
      });
    } catch (err) {
      unknown = err;
    }
    expect(unknown?.code).to.equal('2010');

    await client.revoke({ refresh_token: tokens.refresh_token });
    let gone: any;
    try {
      await query('select count(*) from Customer');
    } catch (err) {
      gone = err;
    }
    expect(gone?.code).to.equal('401');
  });

  it('Cancel on the consent page redirects with error=access_denied and the state', async () => {
    const url = new URL(`${emu.url}/connect/oauth2`);
    url.search = new URLSearchParams({
      client_id: EMULATOR_DEFAULTS.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'com.intuit.quickbooks.accounting',
      state: 'a<b"c',
    }).toString();
    const form = parseConsentForm(await (await fetch(url)).text());
    expect(form.get('state')).to.equal('a<b"c'); // escaped in HTML, intact after the round trip
    form.set('decision', 'cancel');
    const res = await fetch(`${emu.url}/connect/oauth2`, { method: 'POST', body: form, redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).to.equal('access_denied');
    expect(location.searchParams.get('state')).to.equal('a<b"c');
    expect(location.searchParams.has('code')).to.equal(false);
  });

  it('refuses an unregistered redirect_uri on the page itself instead of redirecting to it', async () => {
    const res = await fetch(
      `${emu.url}/connect/oauth2?client_id=${EMULATOR_DEFAULTS.clientId}&response_type=code&scope=x&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`,
      { redirect: 'manual' },
    );
    expect(res.status).to.equal(400);
  });

  it('answers invalid_client (401) for wrong client credentials and invalid_grant for a reused code', async () => {
    const bad = await fetch(`${emu.url}/oauth2/v1/tokens/bearer`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('x:y').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=refresh_token&refresh_token=abc',
    });
    expect(bad.status).to.equal(401);
    expect(await bad.json()).to.deep.equal({ error: 'invalid_client' });
    expect(bad.headers.get('intuit_tid')).to.be.a('string');

    const url = new URL(`${emu.url}/connect/oauth2`);
    url.search = `client_id=${EMULATOR_DEFAULTS.clientId}&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`;
    const form = parseConsentForm(await (await fetch(url)).text());
    form.set('decision', 'connect');
    const consent = await fetch(`${emu.url}/connect/oauth2`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
    const exchange = () =>
      fetch(`${emu.url}/oauth2/v1/tokens/bearer`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
      });
    expect((await exchange()).status).to.equal(200);
    const again = await exchange();
    expect(again.status).to.equal(400);
    expect((await again.json()).error).to.equal('invalid_grant');
  });

  it('reports the 5-year hard expiry only when asked to', async () => {
    const tokens = await connect(emu);
    expect(tokens).not.to.have.property('x_refresh_token_hard_expires_in');
    const res = await refresh(emu, tokens.refresh_token, {
      'x-include-refresh-token-hard-expires-in': 'true',
    });
    const body = await res.json();
    expect(body.x_refresh_token_hard_expires_in)
      .to.be.a('number')
      .within(5 * 365 * 86_400 - 60, 5 * 365 * 86_400);
  });

  it('keeps a superseded refresh token alive for the grace period, answering with the current one', async () => {
    const tokens = await connect(emu);
    const rotated = await (await refresh(emu, tokens.refresh_token)).json();
    expect(rotated.refresh_token).not.to.equal(tokens.refresh_token);
    const replay = await refresh(emu, tokens.refresh_token);
    expect(replay.status).to.equal(200);
    expect((await replay.json()).refresh_token).to.equal(rotated.refresh_token);
  });

  it('kills a superseded refresh token at once when refreshGraceSeconds is 0', async () => {
    await emu.close();
    emu = await start({ config: { refreshGraceSeconds: 0 } });
    const tokens = await connect(emu);
    expect((await refresh(emu, tokens.refresh_token)).status).to.equal(200);
    const old = await refresh(emu, tokens.refresh_token);
    expect(old.status).to.equal(400);
    expect((await old.json()).error).to.equal('invalid_grant');
  });

  it('expires access tokens in Intuit time (timeScale) and refuses a token for another company', async () => {
    // Connect in real time (a 10-minute code would last 8 real ms at the fast scale: flaky under load),
    // then speed Intuit's clock up.
    const tokens = await connect(emu);
    await control(emu, 'POST', '/config', { timeScale: 3600 * 20 }); // one Intuit hour = 50 real ms
    const other = await api(emu, tokens.access_token, `/companyinfo/${REALM_B}`, { realmId: REALM_B });
    expect(other.status).to.equal(401);
    await new Promise((r) => setTimeout(r, 80));
    const expired = await api(emu, tokens.access_token, `/companyinfo/${REALM_EMPTY}`, {
      realmId: REALM_EMPTY,
    });
    expect(expired.status).to.equal(401);
    expect((await expired.json()).fault.error[0].detail).to.match(/^Token expired/);
  });

  it('revoke: 200 for a live token, 400 with an empty body for a revoked or unknown one', async () => {
    const tokens = await connect(emu);
    const revoke = (token: string) =>
      fetch(`${emu.url}/v2/oauth2/tokens/revoke`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ token }),
      });
    expect((await revoke(tokens.access_token)).status).to.equal(200); // an access token revokes the grant too
    const again = await revoke(tokens.refresh_token);
    expect(again.status).to.equal(400);
    expect(await again.text()).to.equal('');
    expect((await refresh(emu, tokens.refresh_token)).status).to.equal(400);
  });

  it('serves a discovery document with its own URLs', async () => {
    const res = await fetch(`${emu.url}/.well-known/openid_configuration`);
    const doc = await res.json();
    expect(doc.token_endpoint).to.equal(`${emu.url}/oauth2/v1/tokens/bearer`);
    expect(doc.revocation_endpoint).to.equal(`${emu.url}/v2/oauth2/tokens/revoke`);
    expect(doc.authorization_endpoint).to.equal(`${emu.url}/connect/oauth2`);
    expect(res.headers.get('intuit_tid')).to.be.a('string');
  });
});
