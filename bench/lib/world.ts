/**
 * A Heavy AV and a local Intuit emulator for benchmarks: a temporary SQLite database, the real
 * container, and a connected company (through the real OAuth flow, driven without a browser).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { type Container, createContainer } from '../../src/container.js';
import { EMULATOR_DEFAULTS, type RunningEmulator, startEmulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/logger.js';
import type { QuickBooksOptions } from '../../src/quickbooks/index.js';
import type { PushSyncOptions } from '../../src/quickbooks/push/index.js';
import { freePort } from '../../test/helpers/free-port.js';

export interface BenchWorld {
  emulator: Pick<RunningEmulator, 'url' | 'close'>;
  container: Container;
  dir: string;
  control(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/**
 * The emulator in its own process (`npm run emulator`), as Intuit is: it must not share the app's event
 * loop, or the benchmark would measure the emulator's CPU as Heavy AV's time.
 */
async function spawnEmulator(
  config: Record<string, unknown>,
): Promise<Pick<RunningEmulator, 'url' | 'close'>> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/cli.ts'], {
    env: { ...process.env, EMULATOR_PORT: String(port), APP_BASE_URL: 'http://localhost:3000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('running at')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  await fetch(`${url}/__emulator/config`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(config),
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function startBenchWorld(options: {
  emulatorConfig?: Record<string, unknown>;
  quickbooks?: QuickBooksOptions;
  sync?: PushSyncOptions;
  /** Run the emulator in its own process (default) or in this one. */
  emulatorProcess?: boolean;
}): Promise<BenchWorld> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heavy-av-bench-'));
  const emulatorConfig = { webhooks: { enabled: false }, ...options.emulatorConfig };
  const emulator =
    options.emulatorProcess === false
      ? await startEmulator({ port: 0, publicHostname: '127.0.0.1', config: emulatorConfig as any })
      : await spawnEmulator(emulatorConfig);
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite3')}`,
      SESSION_SECRET: randomBytes(24).toString('hex'),
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      INTUIT_EMULATOR_URL: emulator.url,
    },
    { dataDir: dir },
  );
  const container = await createContainer(config, createLogger('silent'), {
    quickbooks: options.quickbooks,
    sync: options.sync,
  });
  const control = async (method: string, p: string, body?: unknown) => {
    const send = () =>
      fetch(`${emulator.url}/__emulator${p}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A kept-alive socket the emulator closed while the bench was seeding: send again once.
    const res = await send().catch(send);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    emulator,
    container,
    dir,
    control,
    async close() {
      await container.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The admin's consent at the emulator, as a browser would submit it; returns the callback query. */
async function consent(authorizeUrl: string, realmId: string): Promise<URL> {
  const page = await (await fetch(authorizeUrl)).text();
  const form = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      m[1],
      m[2]
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'"),
    );
  }
  form.set('realmId', realmId);
  form.set('decision', 'connect');
  const res = await fetch(new URL('/connect/oauth2', authorizeUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  return new URL(res.headers.get('location')!);
}

/** Connects Heavy AV to the company through its own connection service. */
export async function connectCompany(w: BenchWorld, realmId: string): Promise<void> {
  const actor = { id: 1, email: 'bench@example.com' };
  const url = await w.container.quickbooks.connection.connect.startConnect(actor, 'bench-session');
  const back = await consent(url, realmId);
  const outcome = await w.container.quickbooks.connection.connect.handleCallback({
    query: Object.fromEntries(back.searchParams),
    callbackUrl: back.toString(),
    sessionId: 'bench-session',
    actor,
  });
  if (outcome.kind !== 'connected') throw new Error(`connect failed: ${JSON.stringify(outcome)}`);
}

/** An access token for another company, as a naive integration would hold it (its own grant). */
export async function naiveAccessToken(w: BenchWorld, realmId: string): Promise<string> {
  const redirect = 'http://localhost:3000/admin/settings/quickbooks/callback';
  const authorize = new URL('/connect/oauth2', w.emulator.url);
  authorize.search = new URLSearchParams({
    client_id: EMULATOR_DEFAULTS.clientId,
    redirect_uri: redirect,
    response_type: 'code',
    scope: 'com.intuit.quickbooks.accounting',
    state: 'naive',
  }).toString();
  const back = await consent(authorize.toString(), realmId);
  const res = await fetch(`${w.emulator.url}/oauth2/v1/tokens/bearer`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${EMULATOR_DEFAULTS.clientId}:${EMULATOR_DEFAULTS.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: redirect,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
