/**
 * Where Intuit is. Production and sandbox are Intuit's documented hosts; `emulator` is the local Intuit
 * in src/emulator (started in-process by `npm start`, or already running at INTUIT_EMULATOR_URL).
 */
import type { IntuitEnvironment } from '../../config.js';

export interface IntuitEndpoints {
  environment: IntuitEnvironment;
  /** Where the admin's browser is sent to consent. */
  authorize: string;
  token: string;
  revoke: string;
  userinfo: string;
  /** Accounting API base, without the trailing /v3. */
  api: string;
  /** Intuit's page where a customer manages connected apps. */
  myApps: string;
  /** QuickBooks Online in the browser, for "Open in QuickBooks" (no trailing slash). */
  appUi: string;
}

export function intuitEndpoints(
  environment: IntuitEnvironment,
  emulator?: { browserUrl: string; serverUrl: string },
): IntuitEndpoints {
  if (environment === 'emulator') {
    if (!emulator) throw new Error('emulator endpoints need the emulator URL');
    const s = emulator.serverUrl;
    return {
      environment,
      authorize: `${emulator.browserUrl}/connect/oauth2`,
      token: `${s}/oauth2/v1/tokens/bearer`,
      revoke: `${s}/v2/oauth2/tokens/revoke`,
      userinfo: `${s}/v1/openid_connect/userinfo`,
      api: s,
      myApps: `${emulator.browserUrl}/app/myapps`,
      appUi: emulator.browserUrl,
    };
  }
  const sandbox = environment === 'sandbox';
  return {
    environment,
    authorize: 'https://appcenter.intuit.com/connect/oauth2',
    token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    revoke: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
    userinfo: sandbox
      ? 'https://sandbox-accounts.platform.intuit.com/v1/openid_connect/userinfo'
      : 'https://accounts.platform.intuit.com/v1/openid_connect/userinfo',
    api: sandbox ? 'https://sandbox-quickbooks.api.intuit.com' : 'https://quickbooks.api.intuit.com',
    myApps: 'https://appcenter.intuit.com/app/connect/manage',
    appUi: sandbox ? 'https://app.sandbox.qbo.intuit.com' : 'https://app.qbo.intuit.com',
  };
}

/**
 * "Open in QuickBooks": the record's page in QuickBooks Online. Intuit's pages take the company from the
 * signed-in session; the emulator has no session, so it is told the company (`realmId`) as well.
 */
export function openInQuickBooksUrl(
  endpoints: Pick<IntuitEndpoints, 'environment' | 'appUi'>,
  recordType: 'customer' | 'estimate' | 'invoice',
  qboId: string,
  realmId: string,
): string {
  const url =
    recordType === 'customer'
      ? new URL(`${endpoints.appUi}/app/customerdetail`)
      : new URL(`${endpoints.appUi}/app/${recordType}`);
  url.searchParams.set(recordType === 'customer' ? 'nameId' : 'txnId', qboId);
  if (endpoints.environment === 'emulator') url.searchParams.set('realmId', realmId);
  return url.toString();
}
