import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EMULATOR_DEFAULTS,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from '../../src/emulator/index.js';

/** The full US company (automated sales tax, history from 1001). */
export const REALM_A = '9130350000000001';
/** The full Canadian company (a GST/HST TaxCodeRef on every line). */
export const REALM_B = '9130350000000002';
/** The empty US company: what a brand-new QuickBooks company holds ("Services", "Hours"). */
export const REALM_EMPTY = '9130350000000003';
export const REDIRECT_URI = 'http://localhost:3999/admin/settings/quickbooks/callback';
export const BASIC = `Basic ${Buffer.from(`${EMULATOR_DEFAULTS.clientId}:${EMULATOR_DEFAULTS.clientSecret}`).toString('base64')}`;

export function start(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, redirectUris: [REDIRECT_URI], ...opts });
}

/** Reads the consent form like a browser would: its hidden inputs, the pre-selected company. */
export function parseConsentForm(html: string): URLSearchParams {
  const form = new URLSearchParams();
  const unescapeHtml = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(m[1], unescapeHtml(m[2]));
  const checked = /<input type="radio" name="realmId" value="([^"]+)" checked>/.exec(html);
  if (checked) form.set('realmId', checked[1]);
  return form;
}

/** Consent (via the HTML form) and code exchange; returns the token endpoint's JSON. */
export async function connect(
  emu: RunningEmulator,
  realmId = REALM_EMPTY,
  scope = 'com.intuit.quickbooks.accounting',
) {
  const authorize = new URL(`${emu.url}/connect/oauth2`);
  authorize.search = new URLSearchParams({
    client_id: EMULATOR_DEFAULTS.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope,
    state: 'test-state',
  }).toString();
  const form = parseConsentForm(await (await fetch(authorize)).text());
  form.set('realmId', realmId);
  form.set('decision', 'connect');
  const consent = await fetch(`${emu.url}/connect/oauth2`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
  const res = await fetch(`${emu.url}/oauth2/v1/tokens/bearer`, {
    method: 'POST',
    headers: {
      authorization: BASIC,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { access_token: string; refresh_token: string; [k: string]: unknown };
}

export function refresh(emu: RunningEmulator, refreshToken: string, headers: Record<string, string> = {}) {
  return fetch(`${emu.url}/oauth2/v1/tokens/bearer`, {
    method: 'POST',
    headers: {
      authorization: BASIC,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...headers,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
}

/** An Accounting API call with the app's usual headers. */
export function api(
  emu: RunningEmulator,
  token: string,
  path: string,
  init: RequestInit & { realmId?: string } = {},
) {
  const { realmId = REALM_EMPTY, headers, ...rest } = init;
  return fetch(`${emu.url}/v3/company/${realmId}${path}`, {
    ...rest,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'content-type': 'application/json',
      ...headers,
    },
  });
}

export async function control(emu: RunningEmulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}/__emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** A stand-in for the app's webhook endpoint: records exact bytes, answers with scripted statuses. */
export async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/quickbooks`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
