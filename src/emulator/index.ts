import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConfigPatch, defaultConfig, type EmulatorConfig } from './config.js';
import { createEmulatorApp } from './server.js';
import { EmulatorState } from './state.js';

export type { EmulatorConfig } from './config.js';
export type { LedgerEntry } from './ledger.js';
export { SEED_COMPANIES } from './seed.js';

/** The development app registration used when nothing else is configured. */
export const EMULATOR_DEFAULTS = {
  clientId: 'heavy-av-emulator-client',
  clientSecret: 'heavy-av-emulator-secret',
  verifierToken: 'heavy-av-emulator-verifier',
  appName: 'Heavy AV (local)',
};

export interface EmulatorOptions {
  /** 0 = a random free port. */
  port?: number;
  /** Bind address, default '127.0.0.1'. */
  host?: string;
  /** Host name used in the URLs the emulator hands out, default 'localhost'. */
  publicHostname?: string;
  clientId?: string;
  clientSecret?: string;
  verifierToken?: string;
  appName?: string;
  /** Registered redirect URIs (exact match). Empty or absent: any http(s) URI is accepted. */
  redirectUris?: string[];
  /** The app's Disconnect URL, where My Apps sends the browser after a disconnect. */
  disconnectUrl?: string;
  /** Default for config.webhooks.url. */
  webhookUrl?: string;
  config?: ConfigPatch | Partial<EmulatorConfig>;
  logger?: (msg: string) => void;
}

export interface RunningEmulator {
  /** e.g. http://localhost:PORT, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = opts.logger ?? (() => {});
  const config = defaultConfig(opts.webhookUrl ?? '');
  const state = new EmulatorState(
    {
      clientId: opts.clientId ?? EMULATOR_DEFAULTS.clientId,
      clientSecret: opts.clientSecret ?? EMULATOR_DEFAULTS.clientSecret,
      verifierToken: opts.verifierToken ?? EMULATOR_DEFAULTS.verifierToken,
      appName: opts.appName ?? EMULATOR_DEFAULTS.appName,
      redirectUris: opts.redirectUris ?? [],
      disconnectUrl: opts.disconnectUrl ?? '',
    },
    config,
    log,
  );
  if (opts.config) state.updateConfig(opts.config);

  const server = createServer(createEmulatorApp(state));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.publicHostname ?? 'localhost'}:${port}`;
  state.baseUrl = url;
  log(`Intuit emulator listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        state.webhooks.close();
        server.close(() => resolve());
        // Keep-alive sockets (fetch, axios) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
