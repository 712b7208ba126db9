/**
 * `npm run emulator`: the local Intuit on its own, registered with the same settings Heavy AV reads.
 * Deliberately parses its few environment variables itself: the emulator imports nothing from the app.
 */
import { existsSync } from 'node:fs';
import { EMULATOR_DEFAULTS, startEmulator } from './index.js';

// ./.env as the app reads it (src/load-env.ts; variables already set win), so that both agree on ports,
// URLs and the Intuit keys. Repeated here rather than imported: the emulator imports nothing from the app.
if (existsSync('.env')) {
  const before = { ...process.env };
  process.loadEnvFile('.env');
  Object.assign(process.env, before);
}

const env = process.env;
const appBaseUrl = (env.APP_BASE_URL || 'http://localhost:3000').replace(/\/+$/, '');
const appPort = Number(env.PORT || 3000);
const port = Number(env.EMULATOR_PORT || appPort + 1);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`EMULATOR_PORT/PORT must be a port number (got ${env.EMULATOR_PORT ?? env.PORT})`);
  process.exit(1);
}
let publicHostname: string;
try {
  publicHostname = new URL(appBaseUrl).hostname;
} catch {
  console.error(`APP_BASE_URL is not a URL: ${appBaseUrl}`);
  process.exit(1);
}

// The control API has no authentication and the default keys are public: loopback only, unless asked.
const host = env.HOST || '127.0.0.1';
if (!/^(localhost|::1|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.test(host) && env.EMULATOR_ALLOW_REMOTE !== '1') {
  console.error(
    `HOST=${host}: the emulator listens on loopback only. Set EMULATOR_ALLOW_REMOTE=1 to allow it anyway.`,
  );
  process.exit(78);
}

const clientId = env.INTUIT_CLIENT_ID || EMULATOR_DEFAULTS.clientId;
const clientSecret = env.INTUIT_CLIENT_SECRET || EMULATOR_DEFAULTS.clientSecret;
const verifierToken = env.INTUIT_WEBHOOK_VERIFIER_TOKEN || EMULATOR_DEFAULTS.verifierToken;
const redirectUri = env.INTUIT_REDIRECT_URI || `${appBaseUrl}/admin/settings/quickbooks/callback`;
const disconnectUrl = `${appBaseUrl}/quickbooks/disconnect`;
const webhookUrl = `${appBaseUrl}/webhooks/quickbooks`;

const emulator = await startEmulator({
  port,
  host,
  publicHostname,
  clientId,
  clientSecret,
  verifierToken,
  redirectUris: [redirectUri],
  disconnectUrl,
  webhookUrl,
  logger: (msg) => console.log(`[emulator] ${msg}`),
});

const u = emulator.url;
console.log(`Local Intuit emulator running at ${u}

  authorize      ${u}/connect/oauth2
  token          ${u}/oauth2/v1/tokens/bearer
  revoke         ${u}/v2/oauth2/tokens/revoke
  userinfo       ${u}/v1/openid_connect/userinfo
  discovery      ${u}/.well-known/openid_configuration
  API base       ${u}/v3/company/<realmId>/...
  My Apps        ${u}/app/myapps
  control API    ${u}/__emulator/ (ledger, faults, companies, config)

  INTUIT_CLIENT_ID=${clientId}
  INTUIT_CLIENT_SECRET=${clientSecret}
  INTUIT_WEBHOOK_VERIFIER_TOKEN=${verifierToken}
  redirect URI   ${redirectUri}
  Disconnect URL ${disconnectUrl}
  webhooks to    ${webhookUrl}
`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`[emulator] ${signal}: closing`);
    void emulator.close().then(() => process.exit(0));
  });
}
