/**
 * Heavy AV wired to a real local Intuit emulator on a loopback port, and the browser's part of the OAuth
 * dance done with plain HTTP (the consent page is a plain form).
 */
import { expect } from 'chai';
import type request from 'supertest';
import { type RunningEmulator, startEmulator } from '../../src/emulator/index.js';
import type { QuickBooksOptions } from '../../src/quickbooks/index.js';
import type { InboundOptions } from '../../src/quickbooks/pull/index.js';
import type { PushSyncOptions } from '../../src/quickbooks/push/index.js';
import { createUser, csrfToken, signIn, startTestApp, type TestApp } from './app.js';

/** The emulator's full US company (automated sales tax, history from 1001), pre-selected on its consent page. */
export const REALM_A = '9130350000000001';
/** The emulator's full Canadian company (a GST/HST TaxCodeRef on every line). */
export const REALM_B = '9130350000000002';
/** The emulator's empty US company, for tests that need a blank slate. */
export const REALM_EMPTY = '9130350000000003';

/** An active item's Id by name, read "inside QuickBooks" (tests never assume "Services" is Item 1). */
export async function itemId(w: World, realmId: string, name = 'Services'): Promise<string> {
  const items: { Id: string; Name: string; Active: boolean }[] = await w.control(
    'GET',
    `/companies/${realmId}/entities/Item`,
  );
  const item = items.find((i) => i.Name === name && i.Active);
  if (!item) throw new Error(`no active item ${name} in ${realmId}`);
  return item.Id;
}

export interface World {
  emulator: RunningEmulator;
  t: TestApp;
  admin: request.Agent;
  emu(path: string, init?: RequestInit): Promise<Response>;
  control(method: string, path: string, body?: unknown): Promise<any>;
  ledger(): Promise<
    {
      time: string;
      method: string;
      path: string;
      realmId: string | null;
      status: number;
      requestid?: string;
    }[]
  >;
  close(): Promise<void>;
}

export async function startWorld(
  options: {
    emulatorConfig?: Record<string, unknown>;
    quickbooks?: QuickBooksOptions;
    sync?: PushSyncOptions;
    inbound?: InboundOptions;
    env?: Record<string, string>;
    logs?: string[];
  } = {},
): Promise<World> {
  // Tests run the app under supertest with the default APP_BASE_URL; the emulator knows it as Intuit would.
  const appBase = 'http://localhost:3000';
  const emulator = await startEmulator({
    port: 0,
    publicHostname: '127.0.0.1',
    redirectUris: [`${appBase}/admin/settings/quickbooks/callback`],
    disconnectUrl: `${appBase}/quickbooks/disconnect`,
    webhookUrl: `${appBase}/webhooks/quickbooks`,
    config: { webhooks: { enabled: false }, ...options.emulatorConfig } as any,
  });
  const t = await startTestApp({
    env: { INTUIT_EMULATOR_URL: emulator.url, ...options.env },
    quickbooks: { timeoutMs: 1500, throttleBackoffMs: 200, ...options.quickbooks },
    sync: options.sync,
    inbound: options.inbound,
    logs: options.logs,
  });
  await createUser(t);
  const admin = await signIn(t);
  const emu = (path: string, init?: RequestInit) =>
    fetch(`${emulator.url}${path}`, { redirect: 'manual', ...init });
  const control = async (method: string, path: string, body?: unknown) => {
    const send = () =>
      emu(`/__emulator${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A kept-alive socket the emulator closed meanwhile (ECONNRESET under load): the control API is
    // idempotent for what tests ask of it in a loop (the ledger), and sending once more is what a client does.
    const res = await send().catch((err) => {
      if (method !== 'GET') throw err;
      return send();
    });
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    emulator,
    t,
    admin,
    emu,
    control,
    ledger: () => control('GET', '/ledger'),
    async close() {
      await t.close();
      await emulator.close();
    },
  };
}

/** Admin clicks Connect, consents at the (emulated) Intuit for `realmId`, and Intuit redirects back. */
export async function connect(
  w: World,
  options: { realmId?: string; decision?: 'connect' | 'cancel'; agent?: request.Agent } = {},
): Promise<request.Response> {
  const callback = await consentAndGetCallback(w, options);
  return (options.agent ?? w.admin).get(callback);
}

/** Everything up to (not including) the browser following Intuit's redirect: returns the callback path. */
export async function consentAndGetCallback(
  w: World,
  options: { realmId?: string; decision?: 'connect' | 'cancel'; agent?: request.Agent } = {},
): Promise<string> {
  const agent = options.agent ?? w.admin;
  const _csrf = await csrfToken(agent, '/admin/settings/quickbooks');
  const start = await agent.post('/admin/settings/quickbooks/connect').type('form').send({ _csrf });
  expect(start.status, start.text).to.equal(303);
  const authorize = new URL(start.headers.location);
  const page = await fetch(authorize);
  expect(page.status).to.equal(200);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(m[1], decodeHtml(m[2]));
  form.set('realmId', options.realmId ?? REALM_A);
  form.set('decision', options.decision ?? 'connect');
  const decided = await fetch(new URL('/connect/oauth2', authorize), {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  expect(decided.status).to.be.oneOf([302, 303]);
  const back = new URL(decided.headers.get('location')!);
  return `${back.pathname}${back.search}`;
}

function decodeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * An emulator fault: the next batch is answered 200 with its one item (bId 0) refused by a business
 * validation Fault (6000) whose Detail is `detail`, as Intuit words it.
 */
/** Intuit's answer when an app goes over its limits, for `times` matching requests: 429 with a ThrottleExceeded Fault. */
export function throttledFault(match: { method: string; path: string }, times: number) {
  return {
    match,
    times,
    respond: {
      status: 429,
      body: {
        Fault: {
          Error: [{ Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429', code: '3001' }],
          type: 'SERVICE',
        },
        time: '2026-12-02T00:00:00.000-08:00',
      },
    },
  };
}

export function refusedBatchFault(detail: string) {
  return {
    match: { method: 'POST', path: '/batch' },
    times: 1,
    respond: {
      status: 200,
      body: {
        BatchItemResponse: [
          {
            bId: '0',
            Fault: {
              type: 'ValidationFault',
              Error: [
                {
                  Message: 'A business validation error has occurred while processing your request',
                  Detail: `Business Validation Error: ${detail}`,
                  code: '6000',
                  element: '',
                },
              ],
            },
          },
        ],
        time: new Date().toISOString(),
      },
    },
  };
}
